import { describe, expect, it } from 'vitest'
import { decodePolicyOptions, decodeRetentionOptions } from '../../src/policy/index.js'
import { config, left } from './helpers.js'

const base = { filepath: 'model-{epoch:02d}.keras' }
const err = (o: unknown) => left(decodePolicyOptions(o))

describe('decodePolicyOptions: defaults', () => {
  it('fills Keras defaults and resolves auto mode for val_loss to min', () => {
    const c = config(base)
    expect(c).toMatchObject({
      filepath: base.filepath,
      monitor: 'val_loss',
      requestedMode: 'auto',
      mode: 'min',
      saveBestOnly: false,
      saveWeightsOnly: false,
      saveFreq: 'epoch',
      initialValueThreshold: null,
      verbose: 0,
      minDelta: 0,
      retention: {},
      warnings: [],
    })
    expect(c.templateFields).toEqual(['epoch'])
    expect(c.template.source).toBe(base.filepath)
  })
  it('keeps explicit values and does not check file extensions', () => {
    const c = config({
      filepath: 'x.safetensors',
      monitor: 'acc',
      mode: 'auto',
      saveFreq: 7,
      saveWeightsOnly: true,
      verbose: 1,
      minDelta: 0.5,
      maxToKeep: 3,
      saveTopK: -1,
    })
    expect(c).toMatchObject({
      mode: 'max',
      saveFreq: 7,
      saveWeightsOnly: true,
      verbose: 1,
      minDelta: 0.5,
      retention: { maxToKeep: 3, saveTopK: -1 },
    })
  })
  it('warns about options that have no effect without saveBestOnly', () => {
    expect(config({ ...base, initialValueThreshold: 1, minDelta: 0.1 }).warnings).toEqual([
      'initialValueThreshold has no effect without saveBestOnly',
      'minDelta has no effect without saveBestOnly',
    ])
  })
})

describe('decodePolicyOptions: each error names the option, shows the value and lists what is accepted', () => {
  it('rejects a non-object', () => {
    expect(err(null).message).toBe('(options): got null; expected an object of policy options')
    expect(err([base]).option).toBe('(options)')
  })
  it('requires filepath', () => {
    expect(err({}).message).toBe('filepath: got undefined (required); expected a non-empty string')
  })
  it('rejects an unknown key, listing the options', () => {
    const e = err({ ...base, save_best_only: true })
    expect(e.option).toBe('save_best_only')
    expect(e.value).toBe(true)
    expect(e.message).toMatch(
      /^save_best_only: got true \(unknown option; did you mean saveBestOnly\?\); expected one of the options filepath, monitor, mode, saveBestOnly, saveWeightsOnly, saveFreq, initialValueThreshold, verbose, minDelta, saveTopK, maxToKeep, keepPeriod, keepTimeInterval, keepLatest, keepBest, saveLast, lastFilepath$/,
    )
  })
  it('rejects wrong types', () => {
    expect(err({ ...base, saveBestOnly: 'yes' }).message).toBe('saveBestOnly: got "yes"; expected true or false')
    expect(err({ ...base, monitor: 3 }).message).toBe('monitor: got 3; expected a non-empty string')
    expect(err({ ...base, verbose: -1 }).message).toBe('verbose: got -1; expected an integer >= 0')
    expect(err({ filepath: 42 }).message).toBe('filepath: got 42; expected a non-empty string')
  })
  it.each([
    [0, '0'],
    [-3, '-3'],
    [2.5, '2.5'],
    [true, 'true'],
    ['batch', '"batch"'],
    [NaN, 'NaN'],
  ])('rejects saveFreq %s', (v, shown) => {
    const e = err({ ...base, saveFreq: v })
    expect(e.option).toBe('saveFreq')
    expect(e.message).toBe(`saveFreq: got ${shown}; expected 'epoch' or a positive integer number of batches`)
  })
  it('rejects a NaN threshold but accepts null and infinities', () => {
    expect(err({ ...base, initialValueThreshold: NaN }).message).toBe('initialValueThreshold: got NaN; expected a number (not NaN) or null')
    expect(config({ ...base, saveBestOnly: true, initialValueThreshold: null }).initialValueThreshold).toBe(null)
    expect(config({ ...base, saveBestOnly: true, initialValueThreshold: Infinity }).initialValueThreshold).toBe(Infinity)
  })
  it('rejects an unknown mode (Keras only warns and falls back to auto)', () => {
    expect(err({ ...base, mode: 'minimum' }).message).toBe(`mode: got "minimum"; expected 'auto', 'min' or 'max'`)
  })
  it('rejects a negative or infinite minDelta', () => {
    expect(err({ ...base, minDelta: -0.1 }).message).toBe('minDelta: got -0.1; expected a finite number >= 0')
    expect(err({ ...base, minDelta: Infinity }).option).toBe('minDelta')
  })
  it('rejects a monitor auto mode cannot classify, at construction', () => {
    const e = err({ ...base, monitor: 'val_widgets' })
    expect(e.option).toBe('monitor')
    expect(e.message).toContain("cannot tell whether 'val_widgets' should be minimised or maximised in mode 'auto'")
    expect(e.message).toContain("pass mode 'min' to keep the lowest value or mode 'max' to keep the highest")
    expect(config({ ...base, monitor: 'val_widgets', mode: 'max' }).mode).toBe('max')
  })
  it('rejects a malformed template with the template error', () => {
    const e = err({ filepath: 'model-{epoch.keras' })
    expect(e.option).toBe('filepath')
    expect(e.message.startsWith('filepath: got "model-{epoch.keras" (')).toBe(true)
    expect(err({ filepath: 'm-{}.keras' }).option).toBe('filepath')
  })
  it('rejects {batch} in an epoch-frequency template', () => {
    expect(err({ filepath: 'm-{epoch}-{batch}.keras' }).message).toBe(
      `filepath: got "m-{epoch}-{batch}.keras" (field {batch} can never be filled with saveFreq 'epoch'); expected fields filled at epoch ends: epoch and log keys (no batch)`,
    )
    expect(config({ filepath: 'm-{epoch}-{batch}.keras', saveFreq: 10 }).templateFields).toEqual(['epoch', 'batch'])
  })
  it('rejects {val_*} fields with an integer saveFreq', () => {
    expect(err({ filepath: 'm-{val_loss:.2f}-{val_acc}.keras', saveFreq: 5 }).message).toBe(
      'filepath: got "m-{val_loss:.2f}-{val_acc}.keras" (fields {val_loss}, {val_acc} can never be filled with saveFreq 5); expected fields filled at batch ends: epoch, batch and training log keys (no val_*)',
    )
  })
  it('rejects saveBestOnly on a val_* monitor with an integer saveFreq (it would never save)', () => {
    const e = err({ ...base, saveBestOnly: true, saveFreq: 5 })
    expect(e.message).toBe(
      'monitor: got "val_loss" (with saveBestOnly and saveFreq 5 nothing would ever be saved); expected a training metric (batch logs carry no val_* keys), or saveFreq \'epoch\'',
    )
    expect(config({ ...base, saveBestOnly: true, saveFreq: 5, monitor: 'loss' }).saveFreq).toBe(5)
  })
  it('reports every issue at once', () => {
    const e = err({ filepath: '', saveFreq: 0, mode: 'up' })
    expect(e.issues.map((i) => i.option)).toEqual(['filepath', 'mode', 'saveFreq'])
    expect(e.message.split('\n')).toHaveLength(3)
  })
})

describe('retention options', () => {
  it('decode alone or inside policy options, with clear errors', () => {
    expect(left(decodeRetentionOptions({ saveTopK: -2 })).message).toBe(
      'saveTopK: got -2; expected -1 (keep all), 0, or a positive integer',
    )
    expect(left(decodeRetentionOptions({ maxToKeep: 0 })).message).toBe('maxToKeep: got 0; expected a positive integer')
    expect(left(decodeRetentionOptions({ keepPeriod: 1.5 })).message).toBe('keepPeriod: got 1.5; expected a positive integer')
    expect(left(decodeRetentionOptions({ keepTimeInterval: -1 })).message).toBe('keepTimeInterval: got -1; expected a finite number > 0')
    expect(left(decodeRetentionOptions({ keepLast: 2 })).option).toBe('keepLast')
    expect(err({ ...base, maxToKeep: 'all' }).message).toBe('maxToKeep: got "all"; expected a positive integer')
  })
  it('keepLatest and keepBest: booleans, absent unless given (retention reads absent as true)', () => {
    expect(left(decodeRetentionOptions({ keepLatest: 'no' })).message).toBe('keepLatest: got "no"; expected true or false')
    expect(left(decodeRetentionOptions({ keepBest: 0 })).message).toBe('keepBest: got 0; expected true or false')
    expect(err({ ...base, keepLatest: null }).message).toBe('keepLatest: got null; expected true or false')
    expect(left(decodeRetentionOptions({ keepNewest: false })).message).toBe(
      'keepNewest: got false (unknown option; did you mean keepLatest?); expected one of the options saveTopK, maxToKeep, keepPeriod, keepTimeInterval, keepLatest, keepBest',
    )
    expect(decodeRetentionOptions({ maxToKeep: 2, keepLatest: false, keepBest: true })).toEqual({
      _tag: 'Right',
      right: { maxToKeep: 2, keepLatest: false, keepBest: true },
    })
    expect(config({ ...base, maxToKeep: 2, keepLatest: false, keepBest: false })).toMatchObject({
      retention: { maxToKeep: 2, keepLatest: false, keepBest: false },
      warnings: [],
    })
  })
  it('warns that keepLatest and keepBest do nothing without a retention rule', () => {
    expect(config({ ...base, keepLatest: false, keepBest: true }).warnings).toEqual([
      'keepLatest has no effect without a retention rule (saveTopK, maxToKeep, keepPeriod or keepTimeInterval): every checkpoint is kept',
      'keepBest has no effect without a retention rule (saveTopK, maxToKeep, keepPeriod or keepTimeInterval): every checkpoint is kept',
    ])
  })
})
