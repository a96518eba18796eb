import { StorageFailure, ioError } from '../errors.js'

/** The HTTP status and error name of an SDK error. */
export const describeSdkError = (e: unknown): { status: number | undefined; name: string; message: string } => {
  const err = e as { $metadata?: { httpStatusCode?: number }; name?: string; Code?: string; message?: string }
  return { status: err?.$metadata?.httpStatusCode, name: err?.name ?? err?.Code ?? 'Error', message: err?.message ?? String(e) }
}

export const isNotFound = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound'
}

export const isPreconditionFailed = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 412 || name === 'PreconditionFailed'
}

export const isNotImplemented = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 501 || name === 'NotImplemented'
}

/** An SDK error as a typed `IOError` naming the request, the key, the error name and the HTTP status. */
export const sdkFailure = (key: string, op: string, e: unknown): StorageFailure => {
  if (e instanceof StorageFailure) return e
  const { status, name, message } = describeSdkError(e)
  return new StorageFailure(ioError(key, `S3 ${op} failed for key "${key}": ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`, e))
}
