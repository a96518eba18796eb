import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { StorageFailure, notFound, orThrow } from '../../src/storage/errors.js'
import { validateKey } from '../../src/storage/keys.js'
import { fromDriver, memoiseOpen, type StorageDriver } from '../../src/storage/storage.js'
import { expectFailure } from '../../src/testing/index.js'

/** A driver whose every method does what `behave` says. */
const driverOf = (behave: () => Promise<never>): StorageDriver => ({
  name: 'stub',
  capabilities: { ifAbsent: false, ifMatch: true },
  write: behave,
  read: behave,
  readStream: behave,
  list: behave,
  remove: behave,
  stat: behave,
})

describe('the Promise driver seam', () => {
  it('fromDriver adds open (resolving to the capabilities) and close when the driver has none', async () => {
    const storage = fromDriver(driverOf(() => Promise.reject(new StorageFailure(notFound('k')))))
    expect(storage.name).toBe('stub')
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: true })
    await expect(storage.close()).resolves.toBeUndefined()
  })

  it('passes a StorageFailure through; anything else a driver rejects or throws becomes an IOError StorageFailure with it as cause', async () => {
    const typed = new StorageFailure(notFound('k'))
    expect(
      await fromDriver(driverOf(() => Promise.reject(typed)))
        .read('k')
        .catch((e: unknown) => e),
    ).toBe(typed)
    const bug = new Error('adapter bug')
    const thrownSync = fromDriver(
      driverOf(() => {
        throw bug
      }),
    )
    for (const call of [
      thrownSync.write('k', new Uint8Array()),
      thrownSync.stat('k'),
      fromDriver(driverOf(() => Promise.reject(bug))).list('p'),
    ]) {
      const failure = await expectFailure(call, 'IOError')
      expect(failure).toBeInstanceOf(CkptError)
      expect(failure.cause).toBe(bug)
      expect(failure.message).toContain('adapter bug')
    }
  })

  it('memoiseOpen runs the opening work once for all callers, and again only after a failure', async () => {
    let runs = 0
    let fail = true
    const open = memoiseOpen(async () => {
      runs++
      if (fail) throw new StorageFailure(notFound(''))
      return runs
    })
    await expect(Promise.all([open(), open()])).rejects.toBeInstanceOf(StorageFailure)
    expect(runs).toBe(1)
    fail = false
    expect(await Promise.all([open(), open()])).toEqual([2, 2])
    expect(await open()).toBe(2)
    expect(runs).toBe(2)
  })

  it('orThrow gives the right value of a check, or throws its error as a StorageFailure', async () => {
    expect(orThrow(validateKey('a/b'))).toBe('a/b')
    expect(orThrow(E.right(3))).toBe(3)
    const failure = await expectFailure(
      Promise.resolve().then(() => orThrow(validateKey('../x'))),
      'InvalidKey',
    )
    expect(failure.key).toBe('../x')
  })

  it('expectFailure throws a plain Error on success, on another error and on another tag', async () => {
    await expect(expectFailure(Promise.resolve(1), 'NotFound')).rejects.toThrow('expected a NotFound failure, got success: 1')
    await expect(expectFailure(Promise.reject(new Error('x')), 'NotFound')).rejects.toThrow('expected a StorageFailure (NotFound)')
    await expect(expectFailure(Promise.reject(new StorageFailure(notFound('k'))), 'IOError')).rejects.toThrow(
      'expected a IOError failure, got NotFound',
    )
  })
})

describe('the ckpt/testing entry', () => {
  it('is a package export, resolves by its public name, and holds the conformance suite and fault wrappers the root no longer exports', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', import: './dist/testing/index.js' })
    const testing = (await import('ckpt/testing')) as Record<string, unknown>
    for (const name of ['conformance', 'expectFailure', 'fsFaults', 'FS_OPS', 'startFaultProxy', 'inChunks', 'asyncChunks'])
      expect(typeof testing[name], name).not.toBe('undefined')
    const root = (await import('ckpt')) as Record<string, unknown>
    expect(root['fsFaults']).toBeUndefined()
    expect(root['FS_OPS']).toBeUndefined()
  })
})
