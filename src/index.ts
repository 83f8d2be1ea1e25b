/**
 * api-live-sync: keep API clients and local API specs in sync with the
 * OpenAPI documents live APIs produce, keeping the user's own edits.
 *
 * The root entry names every export on purpose (no `export *`), so the
 * public surface cannot grow by accident: `test/types/surface.test.ts` pins
 * it. What only some users need lives on its own subpath:
 * `api-live-sync/hoppscotch` (the Hoppscotch target and collection format),
 * `api-live-sync/server` (the engine over HTTP, webhooks),
 * `api-live-sync/testing` (fakes and a manual clock), `api-live-sync/openai`
 * and `api-live-sync/redis`.
 *
 * @packageDocumentation
 */

// The engine, its options, results and events.
export { SyncEngine, defaultEngineConfig, defaultSyncPolicy, planToMarkdown, syncEngineEventNames } from './engine/index.js';
export type {
  BindingDecisions,
  BindingStatus,
  ConflictAnswer,
  DecisionsFile,
  EngineState,
  EventBase,
  HeldReason,
  HeldSync,
  JobEventBase,
  JobPriority,
  JobStatus,
  JobTrigger,
  JournalEntry,
  JsonPatchOperation,
  PendingDecision,
  RemovalPolicy,
  RollbackRefusal,
  SyncBindingOptions,
  SyncEngineConfig,
  SyncEngineConfigUpdate,
  SyncEngineEventName,
  SyncEngineEvents,
  SyncEngineListener,
  SyncEngineOptions,
  SyncJob,
  SyncOutcome,
  SyncPlan,
  SyncPolicy,
  SyncResult,
  SyncStatus,
} from './engine/index.js';

// Errors: one class per failure family, a stable code, a brand that survives ESM and CJS side by side.
export {
  BindingError,
  ConfigError,
  ConflictError,
  JobError,
  ListenerError,
  SourceError,
  SpecError,
  StoreError,
  SyncError,
  TargetError,
  isSyncError,
  syncErrorCodes,
} from './errors.js';
export type { SerializedSyncError, SyncErrorCode, SyncErrorOptions } from './errors.js';
export { assertBindingId, isValidBindingId } from './binding-id.js';

// Sources: where the remote document comes from.
export { DISCOVER_DEFAULTS, HTTP_SOURCE_DEFAULTS, MemorySource, compositeSource, discoverSpec, fileSource, functionSource, httpSource } from './sources/index.js';
export type {
  CompositeMember,
  CompositeSourceOptions,
  DiscoverOptions,
  DiscoveredSpec,
  DocumentResult,
  FetchValidators,
  FileSourceOptions,
  FunctionSourceOptions,
  FunctionSourceResult,
  HttpAuth,
  HttpSource,
  HttpSourceOptions,
  NotModifiedResult,
  RawResult,
  SourceFetchContext,
  SourceFetchResult,
  SpecSource,
} from './sources/index.js';

// OpenAPI documents: the type, and the loader every source goes through.
export { loadSpec } from './document/index.js';
export type { LoadOptions, LoadedSpec, OpenApiDocument, SpecVersion } from './document/index.js';

// Targets: where the local copy lives. LocalFile, reconcileOpenApiDocument and
// removedUpstream are here for your own targets (docs/targets.md), fencedFileWrite
// for file writes under a lease (docs/scale-out.md).
export { LocalFile, MemoryTarget, fencedFileWrite, openApiFileTarget, reconcileOpenApiDocument, removedUpstream } from './targets/index.js';
export type {
  FileFence,
  KeyedEntries,
  LocalFileWriteReport,
  MemoryTargetOptions,
  OpenApiFileTargetOptions,
  OpenApiRemovedMark,
  ReadInfo,
  ReconcileInfo,
  RemovalAction,
  RemovalSides,
  RemovedEntry,
  SyncTarget,
  TargetContext,
  TargetWriteReport,
} from './targets/index.js';

// Stores: bases, validators, decisions and the journal. writeFileAtomic is
// here for your own file targets and stores (docs/stores.md).
export { FileStore, MemoryStore, writeFileAtomic } from './store/index.js';
export type { BaseRecord, FileStoreOptions, SyncStore } from './store/index.js';

// The semantic diff and the three-way merge, usable on their own.
export { diffSpecs, listRules } from './diff/index.js';
export type { ChangeLevel, DiffOptions, RuleInfo, SpecChange } from './diff/index.js';
export { merge3, openApiIdentityRules } from './merge/index.js';
export type { ConflictKind, IdentityRule, MergeConflict, MergeOptions, MergeResult } from './merge/index.js';

// Conflict resolvers, and what your own resolver needs (docs/conflict-resolution.md).
export {
  applyDecisions,
  chain,
  isJsonValue,
  jsonProblem,
  manual,
  preferLocal,
  preferRemote,
  resolveConflicts,
  rules,
  runResolver,
  validateDecisions,
} from './conflict/index.js';
export type {
  ConflictContext,
  ConflictDecision,
  ConflictResolver,
  DecisionValidation,
  ManualOptions,
  RejectedDecision,
  ResolveOutcome,
  Rule,
  RuleMatch,
  RulesOptions,
} from './conflict/index.js';

// Metrics and time.
export { toPrometheusText } from './metrics/index.js';
export type { SyncCounters, SyncEngineMetrics } from './metrics/index.js';
export { systemClock } from './scheduler/index.js';
export type { CircuitBreakerPolicy, CircuitState, Clock, RetryPolicy, TimerHandle } from './scheduler/index.js';
