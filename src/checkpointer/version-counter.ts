/**
 * Lightning's `enable_version_counter`: the n-th clash of `path` becomes `name-vN.ext`.
 * The version goes before the first dot of the file name (`a.weights.h5` → `a-v1.weights.h5`);
 * for a folder artifact (`…/model.json`) it goes on the folder (`epoch_03/model.json` → `epoch_03-v1/model.json`).
 */
export const versionedPath = (path: string, n: number): string => {
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash + 1)
  const base = path.slice(slash + 1)
  if (base === 'model.json' && slash > 0) return `${versionedPath(path.slice(0, slash), n)}/model.json`
  const dot = base.indexOf('.', 1)
  return dot < 0 ? `${dir}${base}-v${n}` : `${dir}${base.slice(0, dot)}-v${n}${base.slice(dot)}`
}

/** The first of `path`, `path-v1`, `path-v2`… that `taken` does not contain. */
export const freePath = (path: string, taken: (p: string) => boolean): string => {
  if (!taken(path)) return path
  for (let n = 1; ; n++) {
    const candidate = versionedPath(path, n)
    if (!taken(candidate)) return candidate
  }
}
