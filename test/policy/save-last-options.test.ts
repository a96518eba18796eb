import { describe, expect, it } from 'vitest'
import { decodePolicyOptions, defaultLastFilepath } from '../../src/policy/index.js'
import { config, left } from './helpers.js'

describe('saveLast / lastFilepath: decoding', () => {
  it('is off by default: no last path, no template', () => {
    expect(config({ filepath: 'e{epoch}.safetensors' })).toMatchObject({ saveLast: false, lastFilepath: null, lastTemplate: null })
  })

  it.each([
    ['checkpoints/epoch_{epoch:02d}-val_loss_{val_loss:.4f}.safetensors', 'checkpoints/last.safetensors'],
    ['epoch_{epoch:02d}/model.json', 'last/model.json'],
    ['run/e{epoch}/model.json', 'run/last/model.json'],
    ['backup/model.json', 'last/model.json'],
    ['model.json', 'last/model.json'],
    ['ckpt/e{epoch:03d}.weights.h5', 'ckpt/last.weights.h5'],
    ['ckpt/model_{epoch:02d}_final.weights.h5', 'ckpt/last.weights.h5'],
    ['models/m-{epoch}.keras', 'models/last.keras'],
    ['best.safetensors', 'last.safetensors'],
    ['checkpoint-{epoch}/model.safetensors', 'last.safetensors'],
    ['a/{{literal}}/e{epoch}', 'a/{{literal}}/last'],
  ])('derives lastFilepath from filepath %s: %s', (filepath, last) => {
    expect(defaultLastFilepath(filepath)).toBe(last)
    expect(config({ filepath, monitor: 'loss', saveLast: true })).toMatchObject({ saveLast: true, lastFilepath: last })
  })

  it('takes a given lastFilepath, also a template, compiled once', () => {
    const c = config({
      filepath: 'e{epoch}.safetensors',
      monitor: 'loss',
      saveLast: true,
      lastFilepath: 'resume/latest-{epoch}.safetensors',
    })
    expect(c.lastFilepath).toBe('resume/latest-{epoch}.safetensors')
    expect(c.lastTemplate?.fields).toEqual(['epoch'])
  })

  it('warns, and ignores lastFilepath, without saveLast', () => {
    const c = config({ filepath: 'e{epoch}.safetensors', monitor: 'loss', lastFilepath: 'x.safetensors' })
    expect(c).toMatchObject({ saveLast: false, lastFilepath: null })
    expect(c.warnings).toEqual(['lastFilepath has no effect without saveLast'])
  })

  it('names the option, the value and what is accepted', () => {
    const base = { filepath: 'e{epoch}.safetensors', monitor: 'loss' }
    expect(left(decodePolicyOptions({ ...base, saveLast: 'yes' })).message).toBe('saveLast: got "yes"; expected true or false')
    expect(left(decodePolicyOptions({ ...base, saveLast: true, lastFilepath: '' })).message).toBe(
      'lastFilepath: got ""; expected a non-empty string',
    )
    const same = left(decodePolicyOptions({ ...base, saveLast: true, lastFilepath: 'e{epoch}.safetensors' }))
    expect(same).toMatchObject({ option: 'lastFilepath', value: 'e{epoch}.safetensors' })
    expect(same.message).toBe('lastFilepath: got "e{epoch}.safetensors" (it is filepath); expected a path other than filepath')
    const bad = left(decodePolicyOptions({ ...base, saveLast: true, lastFilepath: 'last-{0}.safetensors' }))
    expect(bad.option).toBe('lastFilepath')
    expect(bad.accepted).toBe('a Python str.format template with keyword fields only')
    expect(left(decodePolicyOptions({ ...base, saveLast: true, lastFilepath: 'last-{batch}.safetensors' })).message).toBe(
      'lastFilepath: got "last-{batch}.safetensors" (field {batch} can never be filled with saveFreq \'epoch\'); expected fields filled at epoch ends: epoch and log keys (no batch)',
    )
    expect(
      left(
        decodePolicyOptions({
          filepath: 'e{epoch}-{batch}.safetensors',
          monitor: 'loss',
          saveFreq: 5,
          saveLast: true,
          lastFilepath: 'l-{val_loss}',
        }),
      ).accepted,
    ).toBe('fields filled at batch ends: epoch, batch and training log keys (no val_*)')
  })

  it('says so when the default lastFilepath is unusable: filepath is already "last"', () => {
    const e = left(decodePolicyOptions({ filepath: 'ckpt/last.safetensors', monitor: 'loss', saveLast: true }))
    expect(e).toMatchObject({ option: 'lastFilepath', value: undefined })
    expect(e.message).toBe(
      'lastFilepath: got undefined (the default, "ckpt/last.safetensors", is filepath); expected a path other than filepath',
    )
  })
})
