/**
 * `api-live-sync/redis`: what several worker processes need to share
 * bindings through one Redis server (see docs/scale-out.md): a store in
 * Redis, and per-binding leases whose fencing tokens refuse the writes of a
 * worker that lost its lease. Needs the optional peer dependency `ioredis`
 * (and `bullmq` for the scheduler); the root entry never loads them.
 *
 * @packageDocumentation
 */
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store.js';
export type { RedisConnection } from './connection.js';
export { acquireLease, confirmLease, readLease, releaseLease, renewLease } from './lease.js';
export type { AcquireLeaseOptions, Lease, LeaseState, LeaseToken } from './lease.js';
export { bullmqScheduler } from './bullmq-scheduler.js';
export type { BullmqSchedulerOptions } from './bullmq-scheduler.js';
export { ClusterView } from './cluster-view.js';
export type { ClusterEvent, ClusterListener, ClusterMetrics, ClusterViewOptions, WorkerMetrics } from './cluster-view.js';
export { readClusterStatus } from './cluster-status.js';
export type { ClusterBindingStatus, ClusterStatus, ClusterStatusOptions } from './cluster-status.js';
