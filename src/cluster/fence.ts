/**
 * The fence a sync under a lease hands its targets (`TargetContext.fence`):
 * the lease's token, and a check that the lease is still held with a third
 * of its TTL left (it is renewed every third, so less means a renewal was
 * missed: the process was paused, or Redis did not answer).
 *
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { SyncFence } from '../targets/index.js';
import { confirmLease, type Lease } from './lease.js';

/** The fence of a sync that holds `lease`: its token, and `confirmLease` with a margin of a third of the TTL. */
export function leaseFence(redis: Redis | Cluster, lease: Lease): SyncFence {
  const marginMs = Math.floor(lease.ttlMs / 3);
  return { token: lease.token, confirm: () => confirmLease(redis, lease, { marginMs }) };
}
