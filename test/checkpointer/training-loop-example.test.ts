import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir } from './support.js'
import { train } from './training-loop-example.js'

describe('docs/checkpointer.md: the plain training-loop example', () => {
  it('is the code in the docs, word for word', () => {
    const code = readFileSync(new URL('./training-loop-example.ts', import.meta.url), 'utf8').trim()
    expect(readFileSync(new URL('../../docs/checkpointer.md', import.meta.url), 'utf8')).toContain(code)
  })

  it('an interrupted run resumed by running it again ends exactly where an uninterrupted run does', async () => {
    const a = tempDir()
    const b = tempDir()
    try {
      const straight = await train(a.dir, 8)
      await train(b.dir, 3)
      const resumed = await train(b.dir, 8)
      expect(Array.from(resumed)).toEqual(Array.from(straight))
      expect([...(await fsStorage(b.dir).list('checkpoints/'))]).toEqual([...(await fsStorage(a.dir).list('checkpoints/'))])
    } finally {
      a.cleanup()
      b.cleanup()
    }
  })
})
