/**
 * A replay as a flow diagram, after the Keras guide's checkpoint diagram: `Start`, then one node per epoch end (its
 * monitored value), each with an arrow to what the policy did: a "save" note (the rendered path) or a "skip" note.
 * The arrow is labelled with the comparison that decided (`0.5 < 0.6`, `0.55 > 0.5`). The CLI builds it; `flowDot`
 * and `flowSvg` draw it.
 */

export interface FlowStep {
  readonly kind: 'step'
  /** The node's lines: `Epoch 3`, `val_loss = 0.5`. */
  readonly node: ReadonlyArray<string>
  readonly outcome: 'save' | 'skip'
  /** The arrow's label: the comparison that decided. */
  readonly edge: string
  /** The note's lines: `save`, the path, and what became of it (`kept`, `deleted at epoch 9`). */
  readonly note: ReadonlyArray<string>
  /** A save retention deleted later: its note is drawn dashed. */
  readonly deleted: boolean
}

/** Events left out of the drawing (the middle of a very long run): one node saying how many, and no note. */
export interface FlowGap {
  readonly kind: 'gap'
  readonly node: ReadonlyArray<string>
}

export interface Flow {
  readonly title: string
  readonly steps: ReadonlyArray<FlowStep | FlowGap>
}
