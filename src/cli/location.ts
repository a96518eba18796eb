import * as E from '#fp-ts/Either.js'
import { resolve } from 'node:path'
import { fsStorage } from '../storage/fs.js'
import { s3Storage, type S3StorageOptions } from '../storage/s3.js'
import type { Storage } from '../storage/storage.js'
import { boolFlag, stringFlag, type ParsedArgs } from './args.js'
import { inputError, messageOf, usageError, type CliError } from './errors.js'
import { kindOf } from './files.js'
import type { CliIO } from './io.js'

/** The flags every command that opens a checkpoint folder accepts. */
export const locationFlags = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'path-style': { type: 'boolean' },
} as const

export const locationHelp = `Locations:
  DIR                   a local checkpoint folder (holding ckpt-index.json)
  s3://BUCKET[/PREFIX]  a checkpoint folder in S3 or an S3-compatible store; read only
S3 options (flags win over the environment):
  --endpoint URL        custom endpoint (MinIO, R2, a local server); env AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
  --region REGION       env AWS_REGION or AWS_DEFAULT_REGION; default us-east-1 with an endpoint, else the SDK's
  --path-style          path-style URLs (endpoint/bucket/key); env CKPT_S3_FORCE_PATH_STYLE=1|true|0|false;
                        default on with a custom endpoint, off for AWS
  Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), else the AWS SDK's default chain.`

export interface Location {
  readonly storage: Storage
  /** As the user wrote it, for messages. */
  readonly display: string
}

/** Parses `s3://bucket/prefix`: the bucket and the (possibly empty) prefix. */
export const parseS3Url = (url: string): E.Either<string, { readonly bucket: string; readonly prefix: string }> => {
  const rest = url.slice('s3://'.length)
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '')
  if (bucket === '') return E.left(`${JSON.stringify(url)} has no bucket; expected s3://BUCKET or s3://BUCKET/PREFIX`)
  if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket))
    return E.left(`${JSON.stringify(url)}: ${JSON.stringify(bucket)} is not a bucket name`)
  return E.right({ bucket, prefix })
}

const truthy = (s: string | undefined): boolean | undefined => {
  if (s === undefined || s === '') return undefined
  const v = s.toLowerCase()
  return v === '1' || v === 'true' || v === 'yes' ? true : v === '0' || v === 'false' || v === 'no' ? false : undefined
}

/**
 * Opens a checkpoint folder for reading: a local folder (it must exist; temp files are not swept, nothing is
 * created) or `s3://bucket/prefix` (no conditional-write probe, so nothing is written). With `writable` (`ckpt
 * import`), as a Checkpointer opens it: a local folder is created if missing and made durable (fsync), and S3's
 * conditional writes are probed.
 */
export const openLocation = async (
  command: string,
  spec: string,
  flags: { readonly endpoint?: string | undefined; readonly region?: string | undefined; readonly pathStyle: boolean },
  env: Readonly<Record<string, string | undefined>>,
  writable = false,
): Promise<E.Either<CliError, Location>> => {
  if (spec.startsWith('s3://')) {
    const url = parseS3Url(spec)
    if (E.isLeft(url)) return E.left(usageError(command, url.left))
    const endpoint = flags.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || undefined) ?? (env.AWS_ENDPOINT_URL || undefined)
    const region = flags.region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined)
    const envPathStyle = truthy(env.CKPT_S3_FORCE_PATH_STYLE)
    if (env.CKPT_S3_FORCE_PATH_STYLE && envPathStyle === undefined)
      return E.left(
        usageError(command, `CKPT_S3_FORCE_PATH_STYLE: got ${JSON.stringify(env.CKPT_S3_FORCE_PATH_STYLE)}; expected 1, true, 0 or false`),
      )
    const forcePathStyle = flags.pathStyle ? true : (envPathStyle ?? endpoint !== undefined)
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint))
      return E.left(usageError(command, `--endpoint: got ${JSON.stringify(endpoint)}; expected an http:// or https:// URL`))
    const key = env.AWS_ACCESS_KEY_ID
    const secret = env.AWS_SECRET_ACCESS_KEY
    const options: S3StorageOptions = {
      bucket: url.right.bucket,
      prefix: url.right.prefix,
      ...(writable ? {} : { conditionalWrites: false, maxAttempts: 2 }),
      forcePathStyle,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
      ...(key && secret
        ? {
            credentials: {
              accessKeyId: key,
              secretAccessKey: secret,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
    }
    try {
      return E.right({ storage: s3Storage(options), display: spec })
    } catch (e) {
      return E.left(usageError(command, messageOf(e)))
    }
  }
  if (flags.endpoint !== undefined || flags.region !== undefined || flags.pathStyle)
    return E.left(
      usageError(command, `--endpoint, --region and --path-style apply to s3:// locations only; ${JSON.stringify(spec)} is a local folder`),
    )
  const kind = await kindOf(spec)
  if (kind === null && writable) return E.right({ storage: fsStorage(resolve(spec)), display: spec })
  if (kind === null) return E.left(inputError(`no such folder ${JSON.stringify(spec)}`))
  if (kind !== 'dir')
    return E.left(
      inputError(`${JSON.stringify(spec)} is not a folder; expected a checkpoint folder (holding ckpt-index.json) or s3://BUCKET/PREFIX`),
    )
  return E.right({ storage: fsStorage(resolve(spec), writable ? {} : { sweepOnOpen: false, fsync: false }), display: spec })
}

/** {@link openLocation} for the location `spec` of a command's line, with its `locationFlags` and the environment. */
export const openLocationOf = (
  command: string,
  spec: string,
  a: ParsedArgs,
  io: CliIO,
  writable = false,
): Promise<E.Either<CliError, Location>> =>
  openLocation(
    command,
    spec,
    { endpoint: stringFlag(a, 'endpoint'), region: stringFlag(a, 'region'), pathStyle: boolFlag(a, 'path-style') },
    io.env ?? process.env,
    writable,
  )
