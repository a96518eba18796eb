// The small hand-checked replay the flow-diagram tests share (--dot and --svg draw the same diagram).
import { scratch } from './support.js'

export const flowScratch = scratch()

/** val_loss, min: 0.6 save (first), 0.5 save, 0.55 skip, NA skip (unavailable), 0.5 skip (a tie), 0.4 save. */
export const flowLog = flowScratch.write(
  'flow.log',
  'epoch,loss,val_loss\r\n0,1.0,0.6\r\n1,0.9,0.5\r\n2,0.8,0.55\r\n3,0.7,NA\r\n4,0.6,0.5\r\n5,0.5,0.4\r\n',
)
/** maxToKeep 2: the save of epoch 6 deletes m-1. */
export const flowConfig = flowScratch.write(
  'flow.json',
  JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'val_loss', saveBestOnly: true, maxToKeep: 2 }),
)

/** Each decision as the diagram must draw it: the node's lines, the arrow's comparison, the note's lines. */
export const expectedSteps = [
  { node: ['Epoch 1', 'val_loss = 0.6'], edge: '0.6 < inf', outcome: 'save', note: ['save', 'm-1.keras', 'deleted at epoch 6'] },
  { node: ['Epoch 2', 'val_loss = 0.5'], edge: '0.5 < 0.6', outcome: 'save', note: ['save', 'm-2.keras', 'kept'] },
  { node: ['Epoch 3', 'val_loss = 0.55'], edge: '0.55 > 0.5', outcome: 'skip', note: ['skip'] },
  { node: ['Epoch 4', 'no val_loss'], edge: 'no val_loss', outcome: 'skip', note: ['skip'] },
  { node: ['Epoch 5', 'val_loss = 0.5'], edge: '0.5 = 0.5', outcome: 'skip', note: ['skip'] },
  { node: ['Epoch 6', 'val_loss = 0.4'], edge: '0.4 < 0.5', outcome: 'save', note: ['save', 'm-6.keras', 'kept, best'] },
] as const
