/**
 * A new version id, never reused: the time (so ids sort roughly by age) and 64 random bits. It names the chunks
 * of one write and is the object's etag once committed.
 */
export const newVersion = (): string => {
  const random = crypto.getRandomValues(new Uint32Array(2))
  return `${Date.now().toString(36)}-${random[0]!.toString(36)}${random[1]!.toString(36)}`
}
