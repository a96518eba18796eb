/**
 * Replays items `0..count-1`, in order, through a holder of at most `k` of them: while fewer than `k` are held each
 * enters; after that item `i` enters only when `enters(i, top)`, evicting `top`, the held item that `evictsFirst`
 * puts first (`evictsFirst(x, y) > 0` when `x` goes before `y`). A heap with `top` at its root: O(count log k).
 * Returns the held items, in no particular order.
 */
export const boundedHeap = (
  count: number,
  k: number,
  evictsFirst: (x: number, y: number) => number,
  enters: (i: number, top: number) => boolean,
): number[] => {
  const heap: number[] = []
  if (k <= 0) return heap
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (evictsFirst(heap[i]!, heap[parent]!) <= 0) return
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let first = i
      if (l < heap.length && evictsFirst(heap[l]!, heap[first]!) > 0) first = l
      if (r < heap.length && evictsFirst(heap[r]!, heap[first]!) > 0) first = r
      if (first === i) return
      ;[heap[i], heap[first]] = [heap[first]!, heap[i]!]
      i = first
    }
  }
  for (let i = 0; i < count; i++) {
    if (heap.length < k) {
      heap.push(i)
      up(heap.length - 1)
    } else if (enters(i, heap[0]!)) {
      heap[0] = i
      down(0)
    }
  }
  return heap
}
