/**
 * `ckpt/testing`: what adapter authors and users of ckpt test with. The storage conformance suite every
 * ckpt adapter passes (the test runner is passed in), and fault-injecting wrappers for the file system
 * (`fsFaults`) and for HTTP servers such as S3 (`startFaultProxy`).
 */
export { conformance, type ConformanceTarget } from './conformance.js'
export { expectFailure } from './expect-failure.js'
export { asyncChunks, inChunks } from './bytes.js'
export type { Expect, Matchers, TestApi, TestFn } from './test-api.js'
export { FS_OPS, fsFaults, type FsFault, type FsFaults, type FsOp } from './fs-faults.js'
export { isGet, isPartUpload, startFaultProxy, type FaultProxy, type HttpFault, type HttpFaultKind } from './http-faults.js'
