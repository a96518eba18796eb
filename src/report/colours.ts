/** The colours of a run's pictures: one per kind of mark, the same in the timeline and the flow diagram. */
export const COLOUR = {
  save: '#2ca02c',
  skip: '#ff7f0e',
  deleted: '#d62728',
  kept: '#1f77b4',
  best: '#f2c200',
  bestEdge: '#8a6d00',
  curve: '#6b6b6b',
  axis: '#333333',
  grid: '#e4e4e4',
  muted: '#666666',
  saveFill: '#e3f4e3',
  skipFill: '#fff0e0',
} as const
