import { configError, configIssue } from '../policy/index.js'
import { chunksOf } from '../storage/data.js'
import { unsupported } from '../storage/errors.js'
import type { Storage, WriteData } from '../storage/storage.js'
import { BLOCK_LIST_PREFIX, blockListKey, DIGEST_BYTES, isBlockListKey, MAX_BLOCKS, sha256Field } from './blocks.js'
import { fail, storageFailure } from './errors.js'
import { defaultHasher } from '#platform/block-hasher.js'
import { blockDigester, type BlockHasher } from './hashing/block-hasher.js'
import type { FileRecord } from './index-file.js'
import { INDEX_KEY, SEGMENT_PREFIX } from './index-keys.js'
import { LOCK_KEY } from './writer-lock.js'
import type { ArtifactWriter } from './serializer.js'

/** ckpt's own files, never a checkpoint's: the index, its segments, block lists and the writer lock. */
const ownFile = (key: string): boolean => key === INDEX_KEY || key === LOCK_KEY || key.startsWith(SEGMENT_PREFIX) || isBlockListKey(key)

/** The chunks of `data` on their way to storage, each handed to `push` (to be hashed) as it passes. */
async function* tapped(key: string, data: WriteData, push: (chunk: Uint8Array) => void): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of chunksOf(key, data)) {
    push(chunk)
    yield chunk
  }
}

/**
 * An ArtifactWriter over `storage` that records every file it writes, with its size and checksums, for the index
 * entry. Each block of a file (of `hasher.blockSize`) is hashed as the file streams to storage (in parallel, by
 * `hasher`). A file of one block is recorded with its SHA-256, as ckpt always did; a larger one with the SHA-256 of its block list, and the
 * list is written as a file of the checkpoint (`ckpt-blocks/<that SHA-256>`), recorded too.
 *
 * It refuses to write a file `inUse` says another live checkpoint holds (e.g. a shard named as a single-file
 * checkpoint): writing it would corrupt that checkpoint, and cleaning up this one later would delete it. Block lists
 * are content-addressed, so checkpoints with the same bytes share one; `inUse` keeps it while any of them lives.
 */
export const recordingWriter = (
  storage: Storage,
  inUse: (key: string) => boolean = () => false,
  hasher: BlockHasher = defaultHasher(),
): ArtifactWriter & { readonly files: ReadonlyArray<FileRecord> } => {
  const files: FileRecord[] = []
  const forget = (key: string) => {
    const at = files.findIndex((f) => f.key === key)
    if (at >= 0) files.splice(at, 1)
  }
  const keep = (record: FileRecord) => {
    forget(record.key)
    files.push(record)
  }
  const write = (key: string, data: WriteData, options?: Parameters<Storage['write']>[2]) =>
    storage.write(key, data, options).catch((e: unknown) => fail(storageFailure(e, `cannot write checkpoint file "${key}"`, key)))
  return {
    files,
    get capabilities() {
      return storage.capabilities
    },
    async writeFile(key, data, options) {
      // The index refuses to name ckpt's own files (it would delete them with the checkpoint): a checkpoint written
      // there would be committed into an index that no later opening reads. Refused before anything is written.
      if (ownFile(key))
        fail(
          configError([
            configIssue(
              'filepath',
              key,
              `a path other than ckpt's own files: the index (${INDEX_KEY}), its segments (${SEGMENT_PREFIX}), block lists (${BLOCK_LIST_PREFIX}) and the writer lock (${LOCK_KEY})`,
            ),
          ]),
        )
      if (inUse(key))
        fail(
          configError([
            configIssue(
              'filepath',
              key,
              'a path whose files are not files of another live checkpoint',
              'that checkpoint would be written over',
            ),
          ]),
        )
      const blocks = blockDigester(hasher, hasher.blockSize)
      const info = await write(
        key,
        tapped(key, data, (c) => void blocks.push(c)),
        options,
      )
      const { size, list } = await blocks.finish()
      let record: FileRecord
      if (list.byteLength === DIGEST_BYTES) record = { key, size, sha256: sha256Field(list) }
      else {
        if (list.byteLength / DIGEST_BYTES > MAX_BLOCKS)
          fail(
            storageFailure(
              unsupported(key, `it has ${size} bytes, more than ckpt checks in blocks (${MAX_BLOCKS} blocks of ${hasher.blockSize} bytes)`),
              `cannot record checkpoint file "${key}"`,
              key,
            ),
          )
        const digest = sha256Field(await hasher.digest([list]))
        const listKey = blockListKey(digest)
        await write(listKey, list)
        record = { key, size, blocks: { size: hasher.blockSize, sha256: digest } }
        keep(record)
        keep({ key: listKey, size: list.byteLength, sha256: digest })
        return { record, etag: info.etag }
      }
      keep(record)
      return { record, etag: info.etag }
    },
    async removeFile(key) {
      await storage.remove(key).catch((e: unknown) => fail(storageFailure(e, `cannot remove "${key}"`, key)))
      // Its block list stays: another checkpoint may hold the same bytes. The replaced entry's cleanup removes it.
      forget(key)
    },
    readExisting: (key) => storage.read(key).catch((e: unknown) => fail(storageFailure(e, `cannot read "${key}"`, key))),
    statExisting: (key) => storage.stat(key).catch((e: unknown) => fail(storageFailure(e, `cannot stat "${key}"`, key))),
    listUnnamed: async (prefix) =>
      (await storage.list(prefix).catch((e: unknown) => fail(storageFailure(e, `cannot list "${prefix}"`, prefix)))).filter(
        (k) => !inUse(k) && !ownFile(k) && !files.some((f) => f.key === k),
      ),
  }
}
