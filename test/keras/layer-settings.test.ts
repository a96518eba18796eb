import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { kerasToTfjsConfig, tfjsToKerasConfig } from '../../src/keras/config.js'
import type { Obj } from '../../src/keras/layer-config.js'

/*
 * Layer settings with no exact equivalent between tfjs 4.22 and Keras 3 are refused by name, with the field and
 * what is accepted; names that differ are translated. Configs are written as Keras 3.15 / tfjs 4.22 write them
 * (the model-set suite checks the accepted ones against Python Keras).
 */

const keras = (...layers: ReadonlyArray<[string, Obj]>): Obj => ({
  class_name: 'Sequential',
  config: {
    name: 's',
    layers: [
      { class_name: 'InputLayer', config: { batch_shape: [null, 6, 6, 2], name: 'in' } },
      ...layers.map(([class_name, config]) => ({ class_name, config: { trainable: true, dtype: 'float32', ...config } })),
    ],
  },
})
const tfjs = (...layers: ReadonlyArray<[string, Obj]>): Obj => ({
  class_name: 'Sequential',
  config: {
    name: 's',
    layers: layers.map(([class_name, config], i) => ({
      class_name,
      config: i === 0 ? { batch_input_shape: [null, 4], ...config } : config,
    })),
  },
})

const refusal = (e: E.Either<{ _tag: string }, unknown>): unknown => (E.isLeft(e) ? e.left : 'accepted')
const layerOf = (e: E.Either<unknown, Obj>, i: number): Obj =>
  E.isRight(e) ? (((e.right['config'] as Obj)['layers'] as Obj[])[i]?.['config'] as Obj) : {}

describe('Keras 3 → tfjs: settings tfjs does not compute are refused by name', () => {
  it.each([
    ['ELU', { name: 'gap', alpha: 0.7 }, 'alpha', 0.7],
    ['Conv1D', { name: 'gap', filters: 2, kernel_size: [3], padding: 'causal', groups: 1 }, 'padding', 'causal'],
    ['Conv2D', { name: 'gap', filters: 2, kernel_size: [3, 3], padding: 'valid', activation: 'linear', groups: 2 }, 'groups', 2],
    ['UpSampling2D', { name: 'gap', size: [2, 2], data_format: 'channels_last', interpolation: 'bilinear' }, 'interpolation', 'bilinear'],
    ['ReLU', { name: 'gap', max_value: 6.0, negative_slope: 0.1, threshold: 0.0 }, 'negative_slope', 0.1],
    ['ReLU', { name: 'gap', max_value: null, negative_slope: 0.0, threshold: 0.5 }, 'threshold', 0.5],
    ['LayerNormalization', { name: 'gap', axis: [-1], epsilon: 0.001, center: true, scale: true, rms_scaling: true }, 'rms_scaling', true],
    [
      'Conv2DTranspose',
      { name: 'gap', filters: 2, kernel_size: [3, 3], activation: 'linear', output_padding: [1, 1] },
      'output_padding',
      [1, 1],
    ],
    [
      'Conv2DTranspose',
      { name: 'gap', filters: 2, kernel_size: [3, 3], activation: 'linear', output_padding: null, dilation_rate: [2, 2] },
      'dilation_rate',
      [2, 2],
    ],
    ['Rescaling', { name: 'gap', scale: [0.5, 0.25], offset: 0.0 }, 'scale', [0.5, 0.25]],
    ['Activation', { name: 'gap', activation: 'hard_tanh' }, 'activation', 'hard_tanh'],
    ['GRU', { name: 'gap', units: 2, reset_after: true, dropout: 0.5 }, 'dropout', 0.5],
    ['MultiHeadAttention', { name: 'gap', num_heads: 2, key_dim: 2, attention_axes: [1, 2] }, 'attention_axes', [1, 2]],
    [
      'MaxPooling2D',
      { name: 'gap', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_first' },
      'data_format',
      'channels_first',
    ],
  ] as const)('%s with %s', (className, config, field, value) => {
    expect(refusal(kerasToTfjsConfig(keras([className, config as unknown as Obj])))).toMatchObject({
      _tag: 'UnsupportedConfig',
      layer: 'gap',
      field,
      value,
    })
  })

  it('a Bidirectional whose backward layer is not the mirror of its forward layer', () => {
    const lstm = (name: string, units: number, back: boolean): Obj => ({
      class_name: 'LSTM',
      config: {
        name,
        units,
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        go_backwards: back,
        recurrent_initializer: null,
        kernel_initializer: null,
        bias_initializer: null,
      },
    })
    const bi = (backward: Obj): Obj => ({
      name: 'bi',
      merge_mode: 'concat',
      layer: lstm('forward_lstm', 3, false),
      backward_layer: backward,
    })
    expect(refusal(kerasToTfjsConfig(keras(['Bidirectional', bi(lstm('backward_lstm', 3, true))])))).toBe('accepted')
    expect(refusal(kerasToTfjsConfig(keras(['Bidirectional', bi(lstm('backward_lstm', 4, true))])))).toMatchObject({
      _tag: 'UnsupportedConfig',
      layer: 'bi',
      field: 'backward_layer',
    })
    expect(refusal(kerasToTfjsConfig(keras(['Bidirectional', { ...bi(lstm('b', 3, true)), merge_mode: null }])))).toMatchObject({
      field: 'merge_mode',
      value: null,
    })
  })

  it('every unsupported layer of a Keras model is named at once', () => {
    const config = keras(
      ['Dense', { name: 'd', units: 2 }],
      ['TimeDistributed', { name: 'td' }],
      ['Masking', { name: 'mask', mask_value: 0.0 }],
      ['GaussianNoise', { name: 'noise', stddev: 0.1 }],
      ['Conv3DTranspose', { name: 'c3t', filters: 2, kernel_size: [2, 2, 2] }],
    )
    expect(refusal(kerasToTfjsConfig(config))).toMatchObject({
      _tag: 'UnsupportedLayer',
      layer: 'td',
      layers: [
        { layer: 'td', className: 'TimeDistributed' },
        { layer: 'mask', className: 'Masking' },
        { layer: 'noise', className: 'GaussianNoise' },
        { layer: 'c3t', className: 'Conv3DTranspose' },
      ],
    })
  })
})

describe('names that differ between the two are translated', () => {
  it("Keras 3's silu (how it writes swish) and swish both load as tfjs's swish; tfjs's swish is written as silu", () => {
    for (const activation of ['silu', 'swish'])
      expect(layerOf(kerasToTfjsConfig(keras(['Activation', { name: 'a', activation }])), 0)['activation']).toBe('swish')
    expect(layerOf(tfjsToKerasConfig(tfjs(['Activation', { name: 'a', activation: 'swish' }])), 1)['activation']).toBe('silu')
  })

  it("Keras 3's hard_sigmoid is ckpt's keras_hard_sigmoid in tfjs (tfjs's hard_sigmoid has slope 0.2); hard_swish loads as hard_silu", () => {
    expect(layerOf(kerasToTfjsConfig(keras(['Activation', { name: 'a', activation: 'hard_sigmoid' }])), 0)['activation']).toBe(
      'keras_hard_sigmoid',
    )
    expect(layerOf(tfjsToKerasConfig(tfjs(['Activation', { name: 'a', activation: 'keras_hard_sigmoid' }])), 1)['activation']).toBe(
      'hard_sigmoid',
    )
    for (const activation of ['hard_silu', 'hard_swish'])
      expect(layerOf(kerasToTfjsConfig(keras(['Activation', { name: 'a', activation }])), 0)['activation']).toBe('hard_silu')
    expect(refusal(tfjsToKerasConfig(tfjs(['Activation', { name: 'a', activation: 'hard_sigmoid' }])))).toMatchObject({
      field: 'activation',
      value: 'hard_sigmoid',
    })
  })

  it('global pooling keepdims goes both ways (ckpt gives the tfjs layers keepdims)', () => {
    const config = { name: 'g', data_format: 'channels_last', keepdims: true }
    expect(layerOf(kerasToTfjsConfig(keras(['GlobalAveragePooling2D', config])), 0)).toMatchObject({ keepdims: true })
    expect(layerOf(tfjsToKerasConfig(tfjs(['GlobalMaxPooling1D', config])), 1)).toMatchObject({ keepdims: true })
  })

  it("LeakyReLU: Keras 3's negative_slope is tfjs's alpha", () => {
    expect(layerOf(kerasToTfjsConfig(keras(['LeakyReLU', { name: 'l', negative_slope: 0.2 }])), 0)).toMatchObject({ alpha: 0.2 })
    const back = layerOf(tfjsToKerasConfig(tfjs(['LeakyReLU', { name: 'l', alpha: 0.2 }])), 1)
    expect(back).toMatchObject({ negative_slope: 0.2 })
    expect(back).not.toHaveProperty('alpha')
  })

  it('Keras-only settings are written with the value tfjs computes', () => {
    expect(layerOf(tfjsToKerasConfig(tfjs(['ReLU', { name: 'r', max_value: 6 }])), 1)).toMatchObject({
      max_value: 6,
      negative_slope: 0,
      threshold: 0,
    })
    expect(layerOf(tfjsToKerasConfig(tfjs(['GlobalAveragePooling1D', { name: 'g' }])), 1)).toMatchObject({
      keepdims: false,
      data_format: 'channels_last',
    })
  })
})
