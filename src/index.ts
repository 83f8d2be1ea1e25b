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
  errorFamilies,
  isSyncError,
  syncErrorCodes,
} from './errors.js';
export type { ErrorFamily, FamilyCode, SerializedSyncError, SyncErrorCode, SyncErrorOptions } from './errors.js';
export { assertBindingId, isValidBindingId } from './binding-id.js';

// Sources: where the remote document comes from. parseRetryAfter is here for
// your own HTTP sources (docs/http-source.md); FRAMEWORK_PATHS for adding
// your own paths to discoverSpec's default list (docs/discovery.md).
export {
  DISCOVER_DEFAULTS,
  FRAMEWORK_PATHS,
  HTTP_SOURCE_DEFAULTS,
  MemorySource,
  compositeSource,
  discoverSpec,
  fileSource,
  functionSource,
  httpSource,
  parseRetryAfter,
} from './sources/index.js';
export type {
  CompositeMember,
  CompositeSourceOptions,
  DiscoverOptions,
  DiscoveredSpec,
  DocumentResult,
  FetchValidators,
  FileSourceOptions,
  FrameworkPath,
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
// readLimited and openRegularFile are the guards the built-in sources read
// through, here for your own sources and targets (docs/sources.md).
export { loadSpec, openRegularFile, readLimited } from './document/index.js';
export type {
  LoadOptions,
  LoadedSpec,
  OpenApiDocument,
  OpenRegularFileOptions,
  RegularFileOpening,
  SpecVersion,
} from './document/index.js';

// Targets: where the local copy lives. LocalFile, reconcileOpenApiDocument and
// removedUpstream are here for your own targets (docs/targets.md), fencedFileWrite
// for file writes under a lease (docs/scale-out.md).
export { LocalFile, MemoryTarget, fencedFileWrite, openApiFileTarget, reconcileOpenApiDocument, removedUpstream } from './targets/index.js';
export type {
  BindingRecords,
  FileFence,
  KeyedEntries,
  LocalFileWriteReport,
  MemoryTargetOptions,
  MergeSides,
  OpenApiFileTargetOptions,
  OpenApiRemovedMark,
  PreparedMerge,
  ReadInfo,
  ReconcileInfo,
  RemovalAction,
  RemovalSides,
  RemovedEntry,
  SyncFence,
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

// The scheduler seam (docs/architecture.md): what another scheduler implements, given to the engine's `scheduler` option.
export { InProcessScheduler } from './scheduler/index.js';
export type {
  BindingScheduleView,
  EnqueueOptions,
  JobRemovalReason,
  RunOptions,
  RunResult,
  ScheduledBinding,
  Scheduler,
  SchedulerConfig,
  SchedulerContext,
  SchedulerEventBase,
  SchedulerEvents,
  SchedulerFactory,
  SchedulerHooks,
} from './scheduler/index.js';
