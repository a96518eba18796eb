import * as E from '#fp-ts/Either.js'

/** The direction of a monitored quantity. */
export type Direction = 'min' | 'max'

/** Whole name tokens (split on `_ - . / space`) that mark a minimised quantity. */
export const MIN_TOKENS: ReadonlyArray<string> = [
  'loss',
  'mae',
  'mse',
  'rmse',
  'mape',
  'msle',
  'error',
  'perplexity',
  'hinge',
  'crossentropy',
  'logcosh',
  'kld',
  'divergence',
  'poisson',
  'huber',
  'ctc',
  'wer',
  'cer',
]

/** Whole name tokens that mark a maximised quantity. */
export const MAX_TOKENS: ReadonlyArray<string> = [
  'accuracy',
  'acc',
  'auc',
  'precision',
  'recall',
  'f1',
  'fmeasure',
  'fbeta',
  'iou',
  'r2',
  'dice',
  'specificity',
  'sensitivity',
  'psnr',
  'ssim',
  'bleu',
]

/** Substrings that mark a direction wherever they occur (`categorical_crossentropy`, `top_k_categorical_accuracy`, `mean_io_u`). */
const MIN_SUBSTRINGS: ReadonlyArray<string> = ['crossentropy', 'error']
const MAX_SUBSTRINGS: ReadonlyArray<string> = ['accuracy', 'io_u', 'f1_score']

/**
 * Infers the direction of `monitor` for `mode: 'auto'` from ckpt's documented name table
 * (docs/policy.md). An optional `val_` prefix is ignored. A name ending in `loss` is minimised
 * (Keras's own rule, and it takes precedence). Otherwise the name's tokens are looked up in
 * {@link MIN_TOKENS} and {@link MAX_TOKENS}; a name that matches neither or both is an error.
 *
 * @example inferDirection('val_accuracy') // Right('max')
 */
export const inferDirection = (monitor: string): E.Either<string, Direction> => {
  const name = (monitor.startsWith('val_') ? monitor.slice(4) : monitor).toLowerCase()
  if (name.endsWith('loss')) return E.right('min')
  const tokens = name.split(/[_\-./\s]+/).filter((t) => t.length > 0)
  const min = tokens.some((t) => MIN_TOKENS.includes(t)) || MIN_SUBSTRINGS.some((s) => name.includes(s))
  const max = tokens.some((t) => MAX_TOKENS.includes(t)) || MAX_SUBSTRINGS.some((s) => name.includes(s))
  if (min && !max) return E.right('min')
  if (max && !min) return E.right('max')
  const why = min && max ? 'its name matches both minimised and maximised metrics' : 'its name is not in the table of known metrics'
  return E.left(
    `cannot tell whether '${monitor}' should be minimised or maximised in mode 'auto' (${why}); pass mode 'min' to keep the lowest value or mode 'max' to keep the highest`,
  )
}
