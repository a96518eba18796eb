import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { inferDirection } from '../../src/policy/index.js'

const dir = (name: string) => E.getOrElseW(() => 'error' as const)(inferDirection(name))

describe("mode 'auto': the documented name table", () => {
  it.each([
    'loss',
    'val_loss',
    'output_1_loss',
    'val_dense_loss',
    'mae',
    'val_mse',
    'rmse',
    'mape',
    'msle',
    'mean_absolute_error',
    'mean_squared_logarithmic_error',
    'perplexity',
    'hinge',
    'squared_hinge',
    'categorical_crossentropy',
    'val_binary_crossentropy',
    'logcosh',
    'kld',
    'kl_divergence',
    'poisson',
    'huber',
    'ctc',
    'wer',
    'accuracy_loss',
  ])('%s is minimised', (name) => expect(dir(name)).toBe('min'))

  it.each([
    'accuracy',
    'val_accuracy',
    'acc',
    'val_acc',
    'binary_accuracy',
    'sparse_categorical_accuracy',
    'top_k_categorical_accuracy',
    'auc',
    'val_auc',
    'precision',
    'recall',
    'f1',
    'f1_score',
    'fmeasure',
    'fbeta_score',
    'iou',
    'mean_io_u',
    'r2_score',
    'dice',
    'psnr',
    'ssim',
    'bleu',
    'recall_at_precision',
    'dense_1_accuracy',
  ])('%s is maximised', (name) => expect(dir(name)).toBe('max'))

  it.each(['widgets', 'val_lr', 'learning_rate', 'accuracy_error', 'cosine'])('%s is an error asking for an explicit mode', (name) => {
    const r = inferDirection(name)
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) expect(r.left).toMatch(/pass mode 'min' to keep the lowest value or mode 'max' to keep the highest$/)
  })

  it('strips only a leading val_ prefix', () => {
    expect(dir('val_val_loss')).toBe('min')
    expect(dir('my_val_acc')).toBe('max')
  })
})
