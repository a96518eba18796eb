/**
 * Lightning's `enable_version_counter`: the n-th clash of `path` becomes `name-vN.ext`. The version goes before
 * the first dot of the file name (`a.weights.h5` → `a-v1.weights.h5`). A serializer whose artifact is a folder
 * supplies its own rule (`Serializer.versionedPath`).
 */
export const versionedPath = (path: string, n: number): string => {
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash + 1)
  const base = path.slice(slash + 1)
  const dot = base.indexOf('.', 1)
  return dot < 0 ? `${dir}${base}-v${n}` : `${dir}${base.slice(0, dot)}-v${n}${base.slice(dot)}`
}

/** The first of `path`, `version(path, 1)`, `version(path, 2)`… that `taken` does not contain. */
export const freePath = async (
  path: string,
  taken: (p: string) => Promise<boolean> | boolean,
  version: (path: string, n: number) => string = versionedPath,
): Promise<string> => {
  if (!(await taken(path))) return path
  for (let n = 1; ; n++) {
    const candidate = version(path, n)
    if (!(await taken(candidate))) return candidate
  }
}
