import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { unsupportedField } from './layer-config.js'
import { isModelClass } from './nested.js'

/**
 * Whether tfjs 4.22 rebuilds a Functional graph's calls as the file numbers them. Pure.
 *
 * A layer called several times (a shared layer) has one inbound node per call, and other layers refer to a call by
 * its index. tfjs's `Container.fromConfig` makes the calls in passes over the layer list: at each layer it makes, in
 * order, every pending call whose inputs exist, and puts the others back at the end of the layer's queue. A call
 * whose inputs come later is thus made after the layer's next call, and every reference to the two then reaches the
 * other one; a reference to a call that never exists, or a cycle, makes it loop forever. Such graphs are refused,
 * naming the layer and `inbound_nodes`, before tfjs sees them.
 */

/** A layer of a tfjs topology: its calls, each a list of `[layer, node, tensor]` references. */
interface CallLayer {
  readonly name: string
  readonly class_name: string
  readonly inbound_nodes: ReadonlyArray<ReadonlyArray<readonly [string, number, number, ...unknown[]]>>
}

/** The index tfjs gives a layer's first call in an outer graph: models have a call of their own at construction. */
const firstCall = (l: CallLayer): number => (isModelClass(l.class_name) || l.class_name === 'InputLayer' ? 1 : 0)

const plain = (node: CallLayer['inbound_nodes'][number]): unknown => node.map((r) => [r[0], r[1], r[2]])

/**
 * Right when tfjs builds every call of `layers` (a tfjs topology's, in its order) with the index the references
 * give it; else Left naming the first layer whose call does not exist, waits on itself, or is built out of order.
 */
export const checkCallOrder = (layers: ReadonlyArray<CallLayer>): E.Either<KerasFormatError, void> => {
  const byName = new Map(layers.map((l) => [l.name, l]))
  for (const l of layers) {
    for (const node of l.inbound_nodes) {
      for (const r of node) {
        const target = byName.get(r[0])
        const last = target === undefined ? -1 : firstCall(target) + target.inbound_nodes.length - 1
        if (target === undefined || r[1] < 0 || r[1] > last || (target.class_name === 'InputLayer' && r[1] !== 0))
          return E.left(
            unsupportedField(
              l.name,
              'inbound_nodes',
              [r[0], r[1], r[2]],
              `references to calls the model makes (no call ${r[1]} of '${r[0]}')`,
            ),
          )
      }
    }
  }
  // tfjs's passes, replayed: how many calls each layer has when each pending call is looked at.
  const made = new Map(layers.map((l) => [l.name, firstCall(l)]))
  const pending = new Map<string, Array<{ readonly index: number; readonly node: CallLayer['inbound_nodes'][number] }>>()
  for (const l of layers)
    if (l.inbound_nodes.length > 0)
      pending.set(
        l.name,
        l.inbound_nodes.map((node, i) => ({ index: firstCall(l) + i, node })),
      )
  while (pending.size > 0) {
    let progress = false
    for (const l of layers) {
      const queue = pending.get(l.name)
      if (queue === undefined) continue
      pending.delete(l.name)
      const later: typeof queue = []
      for (const call of queue) {
        if (call.node.every((r) => (made.get(r[0]) as number) > r[1])) {
          const index = made.get(l.name) as number
          if (index !== call.index)
            return E.left(
              unsupportedField(
                l.name,
                'inbound_nodes',
                plain(call.node),
                `calls tfjs makes in the file's order (tfjs 4.22 would make this call, number ${call.index}, as number ${index}: the inputs of an earlier call of '${l.name}' come later in the graph)`,
              ),
            )
          made.set(l.name, index + 1)
          progress = true
        } else later.push(call)
      }
      if (later.length > 0) pending.set(l.name, later)
    }
    if (!progress) {
      const [name, queue] = [...pending.entries()][0] as [string, ReadonlyArray<{ node: CallLayer['inbound_nodes'][number] }>]
      return E.left(
        unsupportedField(name, 'inbound_nodes', plain((queue[0] as { node: CallLayer['inbound_nodes'][number] }).node), 'an acyclic graph'),
      )
    }
  }
  return E.right(undefined)
}
