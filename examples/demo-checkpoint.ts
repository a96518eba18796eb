/**
 * The checkpoint rule both demos use (Node's examples/demo.ts and the browser page): Keras's `filepath` with
 * `{epoch:02d}` and `{val_loss:.4f}`, the best only, the top 3 kept, one line per decision.
 */
export const demoCheckpoint = {
  filepath: 'epoch_{epoch:02d}-val_loss_{val_loss:.4f}/model.json',
  monitor: 'val_loss',
  saveBestOnly: true,
  saveTopK: 3,
  verbose: 1,
} as const
