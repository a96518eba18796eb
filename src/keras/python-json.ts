/**
 * JSON as Keras reads it. JavaScript has one number type, so `JSON.stringify` writes `0` for a float zero, and
 * Python's `json` reads that back as an int, which Keras refuses where it checks for a float (SGD:
 * "`momentum` must be a float between [0, 1]"; "Argument `learning_rate` should be float"). This writer writes
 * the values of the keys Keras types as float as Python's `json` writes floats (`0.0`, `1.0`), and everything
 * else as `JSON.stringify` does (compact, same key order, undefined members left out).
 */

/**
 * The config keys whose values Keras 3 types as float, in optimizer configs (`compile_config.optimizer`) and in
 * the layer, initializer, regularizer and constraint configs of `config.json`. A number under one of these keys,
 * or in an array under one, is written as a float.
 */
export const FLOAT_KEYS: ReadonlySet<string> = new Set([
  // optimizers
  'learning_rate',
  'beta_1',
  'beta_2',
  'epsilon',
  'momentum',
  'rho',
  'weight_decay',
  'clipnorm',
  'clipvalue',
  'global_clipnorm',
  'ema_momentum',
  'initial_accumulator_value',
  // layers
  'rate',
  'dropout',
  'recurrent_dropout',
  'stddev',
  'alpha',
  'negative_slope',
  'threshold',
  'max_value',
  'min_value',
  'mask_value',
  // initializers and regularizers
  'mean',
  'minval',
  'maxval',
  'gain',
  'scale',
  'l1',
  'l2',
  // the constants of an operation node's call (`x + 3.0`), beside its tensors (objects, written as they are)
  'args',
])

/** A number as Python's `json` writes a float: `0.0`, `1.0`, `0.01`, `1e-07` (an exponent already makes it a float). */
const floatText = (n: number): string => {
  const text = JSON.stringify(n) // 'null' for NaN and ±Infinity, as JSON.stringify writes them
  return Number.isFinite(n) && /^-?\d+$/.test(text) ? `${text}.0` : text
}

const write = (value: unknown, asFloat: boolean): string | undefined => {
  if (typeof value === 'number') return asFloat ? floatText(value) : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => write(v, asFloat) ?? 'null').join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const members: string[] = []
    for (const [k, v] of Object.entries(value)) {
      const text = write(v, FLOAT_KEYS.has(k))
      if (text !== undefined) members.push(`${JSON.stringify(k)}:${text}`)
    }
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value)
}

/** `value` as compact JSON, the numbers of {@link FLOAT_KEYS} written as floats (see the module's comment). */
export const kerasJson = (value: unknown): string => write(value, false) ?? 'null'
