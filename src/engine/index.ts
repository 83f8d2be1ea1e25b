export { SyncEngine, defaultSyncPolicy } from './engine.js';
export type { PendingDecision } from './engine.js';
export { defaultEngineConfig } from './config.js';
export { operationKeys } from './pipeline.js';
export type {
  BindingStatus,
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
