import { compareKeys, isReservedName, keyProblem, type ParsedPrefix } from '../keys.js'
import type { S3Context } from './context.js'
import { sdkFailure } from './sdk-errors.js'

/** The keys starting with the (checked) prefix, paging through ListObjectsV2; reserved and invalid names are left out. */
export const listKeys = async (ctx: S3Context, p: ParsedPrefix): Promise<ReadonlyArray<string>> => {
  const { sdk, client } = ctx.session()
  const { base } = ctx
  const keys: string[] = []
  let token: string | undefined
  do {
    let page
    try {
      page = await client.send(
        new sdk.s3.ListObjectsV2Command({
          Bucket: ctx.bucket,
          Prefix: base + p.prefix,
          MaxKeys: ctx.listPageSize,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
    } catch (e) {
      throw sdkFailure(p.prefix, 'ListObjectsV2', e)
    }
    for (const o of page.Contents ?? []) {
      const k = o.Key?.slice(base.length)
      if (k !== undefined && o.Key!.startsWith(base) && !isReservedName(k) && keyProblem(k) === null) keys.push(k)
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return keys.sort(compareKeys)
}
