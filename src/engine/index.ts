export { SyncEngine, defaultSyncPolicy } from './engine.js';
export type { PendingDecision } from './engine.js';
export { defaultEngineConfig } from './config.js';
export { diffPatch, operationKeys, withoutOperations } from './pipeline.js';
export { planToMarkdown } from './plan-markdown.js';
export type { RollbackRefusal } from './rollback.js';
export type {
  BindingDecisions,
  BindingStatus,
  DecisionsFile,
  HeldSync,
  JournalEntry,
  JsonPatchOperation,
  SpecChangeLike,
  SyncPlan,
  EngineState,
  JobPriority,
  JobStatus,
  JobTrigger,
  RemovalPolicy,
  SyncBindingOptions,
  SyncEngineConfig,
  SyncEngineConfigUpdate,
  SyncEngineOptions,
  SyncJob,
  SyncOutcome,
  SyncPolicy,
  SyncResult,
  SyncStatus,
} from './types.js';
