/**
 * What ckpt maps between tfjs and Keras 3 by name: losses and optimizers. Tables only, in a file of their own,
 * so that the check `modelCheckpoint` makes at `setModel` stays small; the rest of the Keras code is loaded at
 * the first Keras call.
 */

/** tfjs loss names and their Keras 3 identifiers. */
export const LOSSES: Readonly<Record<string, string>> = {
  meanSquaredError: 'mean_squared_error',
  meanAbsoluteError: 'mean_absolute_error',
  categoricalCrossentropy: 'categorical_crossentropy',
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  binaryCrossentropy: 'binary_crossentropy',
}

/** The Keras 3 optimizer each tfjs optimizer maps to, with Keras's default object name (made unique as `adam_1`…). */
export const KERAS_OPTIMIZERS: Readonly<Record<string, { readonly keras: string; readonly name: string }>> = {
  Adam: { keras: 'Adam', name: 'adam' },
  SGD: { keras: 'SGD', name: 'sgd' },
  Momentum: { keras: 'SGD', name: 'sgd' },
  RMSProp: { keras: 'RMSprop', name: 'rm_sprop' },
  Adagrad: { keras: 'Adagrad', name: 'adagrad' },
}
