/** The maxShardSize option: what is accepted, and each refusal a ConfigError naming the option, the value and what is accepted. */
import { describe, expect, it } from 'vitest'
import { createCheckpointer, safetensorsSerializer } from '../../src/index.js'
import { memoryStorage } from '../../src/storage/memory.js'

const open = (options: Record<string, unknown>) =>
  createCheckpointer({ storage: memoryStorage(), filepath: 'run/model.safetensors', monitor: 'loss', log: () => {}, ...options })

describe('maxShardSize', () => {
  it.each([
    ['5GB', 5e9],
    ['500MB', 5e8],
    [' 1.5 kb ', 1500],
    [1024, 1024],
  ])('accepts %j as %d bytes', async (value, bytes) => {
    expect((await open({ maxShardSize: value })).config.maxShardSize).toBe(bytes)
  })

  it.each([['5GiB'], ['5'], [''], ['0MB'], ['-1GB'], ['nanGB'], [0], [-5], [1.5], [Infinity], [true], [null]])(
    'refuses %j',
    async (value) => {
      await expect(open({ maxShardSize: value })).rejects.toMatchObject({ _tag: 'ConfigError', option: 'maxShardSize', value })
      expect(() => safetensorsSerializer({ maxShardSize: value as never })).toThrow(
        expect.objectContaining({ _tag: 'ConfigError', option: 'maxShardSize' }) as Error,
      )
    },
  )

  it('refuses a filepath HF cannot name shards after, and a serializer beside it', async () => {
    await expect(open({ maxShardSize: '1GB', filepath: 'run/e{epoch}.bin' })).rejects.toMatchObject({
      _tag: 'ConfigError',
      option: 'filepath',
    })
    await expect(open({ maxShardSize: '1GB', serializer: safetensorsSerializer() })).rejects.toMatchObject({
      _tag: 'ConfigError',
      option: 'maxShardSize',
    })
    // Given to the serializer, it is checked at the save instead.
    const ckpt = await open({ filepath: 'e{epoch}.bin', serializer: safetensorsSerializer({ maxShardSize: 1 }) })
    await expect(ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, {})).rejects.toMatchObject({
      _tag: 'ConfigError',
      option: 'filepath',
      value: 'e1.bin',
    })
  })
})

describe('maxShardSize in the tfjs callback', () => {
  it('is refused at construction, naming the option, rather than at the first save', async () => {
    const { modelCheckpoint } = await import('../../src/adapters/tfjs/index.js')
    expect(() =>
      modelCheckpoint({ storage: memoryStorage(), filepath: 'w.safetensors', monitor: 'loss', maxShardSize: '1GB' } as never),
    ).toThrow(expect.objectContaining({ _tag: 'InvalidOptions', message: expect.stringContaining("'maxShardSize'") as string }) as Error)
  })
})
