import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import h5wasm from 'h5wasm'
import { expect } from 'vitest'
import { encodeWeightsH5 } from '../../src/keras/h5.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import { pythonMissing, runPython } from '../tensors/python.js'

/** The budget issue 11 sets for refusing a hostile `.weights.h5`: a typed error in under 5 s. */
export const BUDGET_MS = 5_000

type H5File = InstanceType<typeof h5wasm.File>
type H5Module = Awaited<typeof h5wasm.ready>

let scratch = 0
/** The bytes of an HDF5 file that `build` writes with h5wasm (superblock version 0, as Keras's h5py writes). */
export const buildH5 = async (build: (f: H5File, module: H5Module) => void): Promise<Uint8Array> => {
  const module = await h5wasm.ready
  const path = `/hostile-${process.pid}-${++scratch}.h5`
  const f = new h5wasm.File(path, 'w', { libver: ['earliest', 'v114'] })
  try {
    build(f, module)
  } finally {
    f.close()
  }
  const bytes = new Uint8Array(module.FS.readFile(path))
  module.FS.unlink(path)
  return bytes
}

/** A small Keras-layout weights file, as ckpt writes it: the model's own `vars`, one dense layer, an optimizer. */
export const KERAS_FILE: WeightsFile = {
  groups: [
    { path: '', name: 'sequential', vars: [] },
    {
      path: 'layers/dense',
      name: 'dense',
      vars: [
        { dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
        { dtype: 'float32', shape: [3], data: Float32Array.of(7, 8, 9) },
      ],
    },
    { path: 'optimizer', name: 'adam', vars: [{ dtype: 'int64', shape: [], data: BigInt64Array.of(3n) }] },
  ],
}

/** {@link KERAS_FILE} encoded by ckpt's own writer. */
export const validWeightsH5 = async (): Promise<Uint8Array> => {
  const r = await encodeWeightsH5(KERAS_FILE, { ckpt: '{"epoch":1}' })
  if (r._tag === 'Left') throw new Error(r.left.message)
  return r.right
}

/** What the child process reports for one file: a refusal or the `vars` group paths, and the decode's time. */
export type Outcome =
  | { readonly ms: number; readonly left: { readonly _tag: string; readonly object?: string; readonly message: string } }
  | { readonly ms: number; readonly groups: ReadonlyArray<string> }

const CHILD = fileURLToPath(new URL('./h5-decode-child.ts', import.meta.url))

/** Children still running: killed when this process exits, so a decode that never returns never outlives the run. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Decodes each file with `decodeWeightsH5` in a child process, so that a decode that never returns (as on
 * main before issue 11) fails the test at `deadlineMs` (under vitest's 60 s test timeout) instead of hanging the run. Also returns what the
 * child printed to stderr: HDF5's raw error stacks must not reach the user.
 */
export const decodeInChild = async (
  files: ReadonlyArray<readonly [name: string, bytes: Uint8Array]>,
  deadlineMs = 45_000,
): Promise<{ readonly outcomes: ReadonlyArray<Outcome>; readonly stderr: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-hostile-h5-'))
  try {
    const paths = files.map(([name, bytes]) => {
      const p = join(dir, name)
      writeFileSync(p, bytes)
      return p
    })
    const { code, stdout, stderr, killed } = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...paths], { stdio: ['ignore', 'pipe', 'pipe'] })
        running.add(child)
        let out = ''
        let err = ''
        let killed = false
        const timer = setTimeout(() => {
          killed = true
          child.kill('SIGKILL')
        }, deadlineMs)
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        child.on('error', reject)
        child.on('close', (c) => {
          running.delete(child)
          clearTimeout(timer)
          resolve({ code: c, stdout: out, stderr: err, killed })
        })
      },
    )
    if (killed) throw new Error(`decodeWeightsH5 did not return within ${deadlineMs} ms (killed); stderr: ${stderr.slice(0, 500)}`)
    if (code !== 0) throw new Error(`the decode child exited with ${code}: ${stderr.slice(0, 2000)}`)
    return { outcomes: JSON.parse(stdout) as Outcome[], stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Expects `outcome` to be an `InvalidH5` at `object` whose message matches `message`, within the budget. */
export const expectInvalidH5 = (outcome: Outcome | undefined, object: string, message: RegExp): void => {
  expect(outcome && 'left' in outcome ? outcome.left : outcome).toMatchObject({ _tag: 'InvalidH5', object })
  expect(outcome && 'left' in outcome ? outcome.left.message : '').toMatch(message)
  expect(outcome?.ms).toBeLessThan(BUDGET_MS)
}

/** Why the h5py generator cannot run here (python3 or h5py missing), or undefined. Printed by the tests that skip. */
export const h5pyMissing = pythonMissing(['h5py', 'numpy'])

/** The bytes of the file that the h5py `script` writes to the path in `sys.argv[1]`. */
export const h5pyFile = (script: string): Uint8Array => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-hostile-h5py-'))
  try {
    const path = join(dir, 'out.weights.h5')
    runPython(`import sys, h5py, numpy as np\npath = sys.argv[1]\n${script}`, undefined, [path])
    return new Uint8Array(readFileSync(path))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
