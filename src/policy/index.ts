/** The policy core: Keras-parity save decisions, state, retention and composable rules. Pure. */
export { inferDirection, MAX_TOKENS, MIN_TOKENS, type Direction } from './auto-mode.js'
export { fromJsonFloat, toJsonFloat, type JsonFloat } from './codecs.js'
export { isSave, type Decision, type Save, type Skip } from './decision.js'
export {
  configError,
  configIssue,
  showValue,
  type ConfigError,
  type ConfigIssue,
  type PolicyError,
  type TemplateRenderError,
} from './errors.js'
export { validateEvent, type TrainingEvent } from './event.js'
export { batchesAdded, improves } from './improvement.js'
export {
  finishedSavingLastMessage,
  finishedSavingMessage,
  improvedMessage,
  monitorUnavailableWarning,
  notImprovedMessage,
  savingMessage,
} from './messages.js'
export { decodePolicyOptions, policyCodecs, unfillableFields, type PolicyConfig, type PolicyOptions, type SaveFreq } from './options.js'
export { policyReducer, type PolicyReducerOptions, type Reducer } from './reducer.js'
export { bestFirst, bestOf, rankOrder, rankValue, type CheckpointRecord, type Ranking } from './ranking.js'
export { hasRetentionRule, retain, type RetentionResult } from './retention.js'
export { decodeRetentionOptions, retentionCodecs, type RetentionOptions } from './retention-options.js'
export { defaultLastFilepath, saveLastKeys, type SaveLastOptions } from './save-last.js'
export type { AnyRule, Rule } from './rule.js'
export {
  afterSeconds,
  allOf,
  anyOf,
  everyEpochs,
  everySteps,
  not,
  onBatchEnd,
  onEpochEnd,
  validateRule,
  whenImproved,
  type BestSoFar,
  type Since,
  type StepCounter,
} from './rules.js'
export { simulate, type SimulateOptions, type SimulatedDecision, type SimulatedEvent } from './simulate.js'
export { decodePolicyState, initialPolicyState, PolicyStateCodec, type PolicyState } from './state.js'
