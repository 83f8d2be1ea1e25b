export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export type { RetryPolicy } from './backoff.js';
export { backoffCeiling, backoffDelay, defaultRetryPolicy, restartDelay } from './backoff.js';
export type { CircuitBreakerPolicy, CircuitState, CircuitTransition } from './circuit-breaker.js';
export { CircuitBreaker, defaultCircuitBreakerPolicy } from './circuit-breaker.js';
export { Scheduler } from './scheduler.js';
export type { BindingScheduleView, ScheduledBinding, SchedulerHooks } from './scheduler.js';
export type { JobPriority, JobStatus, JobTrigger, RunResult, SchedulerConfig, SchedulerEventBase, SchedulerEvents, SyncJob } from './types.js';
