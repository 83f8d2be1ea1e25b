export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export type { RetryPolicy } from './backoff.js';
export { backoffCeiling, backoffDelay, defaultRetryPolicy, restartDelay } from './backoff.js';
export type { CircuitBreakerPolicy, CircuitState, CircuitTransition } from './circuit-breaker.js';
export { CircuitBreaker, defaultCircuitBreakerPolicy } from './circuit-breaker.js';
export { bindingExists, bindingNotFound, checkDependencies, jobNotFound, neededBy } from './errors.js';
export { InProcessScheduler } from './scheduler.js';
export { jobTransitionEvent, jobTransitions } from './transitions.js';
export type { JobState, JobTransitionEvent } from './transitions.js';
export type {
  BindingScheduleView,
  EnqueueOptions,
  JobPriority,
  JobRemovalReason,
  JobStatus,
  JobTrigger,
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
  SyncJob,
} from './types.js';
