import { join } from 'node:path'
import { webcrypto } from 'node:crypto'
import * as vm from 'node:vm'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs helper shared with scripts/bundle-size.mjs, untyped
import { bundleForBrowser, entryFile, root } from '../../scripts/browser-bundle.mjs'

type Bundle = (options: { contents: string; format?: string; minify?: boolean }) => Promise<{ outputFiles: Array<{ text: string }> }>

/**
 * The scenario, bundled as a browser app would bundle it: `ckpt` and the browser build of `ckpt/storage/memory`.
 * A save and a verified restore through createCheckpointer, a template render and a policy decision.
 */
const scenario = (ckpt: string, memory: string) => `
import { createCheckpointer, formatTemplate, simulate } from ${JSON.stringify(ckpt)}
import { memoryStorage } from ${JSON.stringify(memory)}
globalThis.__result = (async () => {
  const storage = memoryStorage()
  const data = new Float32Array(300000)
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i)
  const ckpt = await createCheckpointer({ storage, filepath: 'ck/e{epoch:02d}.safetensors', monitor: 'loss', maxToKeep: 2 })
  for (let epoch = 0; epoch < 3; epoch++) {
    await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, { w: { dtype: 'F32', shape: [data.length], data: data.map((x) => x + epoch) } })
  }
  await ckpt.close()
  const again = await createCheckpointer({ storage, filepath: 'ck/e{epoch:02d}.safetensors', monitor: 'loss', maxToKeep: 2 })
  const restored = await again.restore()
  await again.close()
  const w = restored.value.w.data
  let same = w.length === data.length
  for (let i = 0; same && i < w.length; i++) same = w[i] === Math.fround(data[i] + 2)
  const decisions = simulate({ filepath: 'best-{epoch}.ckpt', monitor: 'loss', saveBestOnly: true }, [
    { epoch: 0, logs: { loss: 2 } },
    { epoch: 1, logs: { loss: 3 } },
    { epoch: 2, logs: { loss: 1 } },
  ])
  if (decisions._tag !== 'Right') throw new Error('policy options refused')
  return {
    epoch: restored.entry.epoch,
    same,
    keys: await storage.list('ck/'),
    rendered: formatTemplate('e{epoch:03d}-{loss:.2f}', { epoch: 7n, loss: 0.123 }),
    decisions: decisions.right.map((d) => d.save),
  }
})()
`

/** Node globals that a browser lacks: touching one throws, so the run fails on any use, even a `typeof`. */
const NODE_ONLY = ['Buffer', 'process', 'setImmediate', 'clearImmediate', 'require', 'module', 'global', '__dirname', '__filename']

/** A context with the web platform's globals only (and the engine's own: Object, Promise, Uint8Array, ...). */
const webContext = (): vm.Context => {
  const context = vm.createContext({
    console,
    crypto: webcrypto,
    TextDecoder,
    URL,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    performance: { now: () => performance.now() },
    DecompressionStream,
  })
  // TextEncoder of this context's realm: an outer one would return Uint8Arrays that fail `instanceof Uint8Array` inside.
  vm.runInContext(
    `globalThis.TextEncoder = class TextEncoder {
      get encoding() { return 'utf-8' }
      encode(s = '') { const out = []; for (const b of unescape(encodeURIComponent(s))) out.push(b.charCodeAt(0)); return new Uint8Array(out) }
    }`,
    context,
  )
  for (const name of NODE_ONLY) {
    Object.defineProperty(context, name, {
      get: () => {
        throw new Error(`the browser bundle touched the Node global ${name}`)
      },
    })
  }
  return context
}

describe('the browser bundle in a context with web globals only', () => {
  it('saves and restores through createCheckpointer and the browser memory storage, renders a template and decides a policy', async () => {
    const { outputFiles } = await (bundleForBrowser as Bundle)({
      contents: scenario((entryFile as (n: string) => string)('ckpt'), (entryFile as (n: string) => string)('ckpt/storage/memory')),
      format: 'iife',
      minify: false,
    })
    const context = webContext()
    vm.runInContext(outputFiles[0]!.text, context, { filename: join(root as string, 'browser-bundle.js') })
    const result = (await (context as { __result: Promise<unknown> }).__result) as Record<string, unknown>
    expect(result).toEqual({
      epoch: 2,
      same: true,
      keys: ['ck/e02.safetensors', 'ck/e03.safetensors'], // {epoch} is 1-based, as in Keras; maxToKeep 2
      rendered: { _tag: 'Right', right: 'e007-0.12' },
      decisions: [true, false, true],
    })
  })

  it('the context refuses Node globals (so the test above would see a use)', () => {
    const context = webContext()
    for (const name of NODE_ONLY) expect((): unknown => vm.runInContext(`typeof ${name}`, context)).toThrow(name)
    expect(vm.runInContext('typeof TextEncoder + typeof crypto.subtle.digest', context)).toBe('functionfunction')
  })
})
