export { SyncEngine, defaultSyncPolicy } from './engine.js';
export type { ConflictAnswer, PendingDecision } from './decisions.js';
export { defaultEngineConfig } from './config.js';
export { escapeMarkdown, escapeMarkdownProse, planToMarkdown } from './plan-markdown.js';
export type { RollbackRefusal } from './rollback.js';
export type {
  BindingDecisions,
  BindingStatus,
  DecisionsFile,
  HeldSync,
  JournalEntry,
  JsonPatchOperation,
  HeldReason,
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
  SyncNowOptions,
  AddSyncJobRequest,
  SyncOutcome,
  SyncPolicy,
  SyncResult,
  SyncStatus,
} from './types.js';
export { syncEngineEventNames } from './events.js';
export type { EventBase, JobEventBase, SyncEngineEventName, SyncEngineEvents, SyncEngineListener } from './events.js';
