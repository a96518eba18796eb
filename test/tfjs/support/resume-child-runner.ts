import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { bundleForChild } from '../../support/bundle.js'
import type { ChildJob } from '../resume-child.js'

/** A scratch folder for a test file, and the resume child (bundled once, so each spawn starts fast). */
export interface ResumeChild {
  /** The scratch folder. */
  readonly root: string
  /** Runs `jobs` on `backend` in a fresh process; rejects with its stderr unless it exits 0. */
  run(args: { readonly backend: string; readonly jobs: ReadonlyArray<ChildJob> }): Promise<void>
}

/** Registers the beforeAll/afterAll that bundle the child and make (and remove) the scratch folder. */
export const useResumeChild = (prefix: string): ResumeChild => {
  let child = ''
  let root = ''
  beforeAll(async () => {
    child = await bundleForChild(fileURLToPath(new URL('../resume-child.ts', import.meta.url)))
    root = await mkdtemp(join(tmpdir(), prefix))
  })
  afterAll(() => rm(root, { recursive: true, force: true }))
  return {
    get root() {
      return root
    },
    run: (args) =>
      new Promise((resolve, reject) => {
        const p = spawn(process.execPath, [child, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] })
        let err = ''
        p.stderr.on('data', (d: Buffer) => (err += d.toString()))
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}: ${err}`))))
      }),
  }
}
