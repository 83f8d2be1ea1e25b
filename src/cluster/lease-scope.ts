/**
 * The lease a sync runs under, carried through its async calls: the BullMQ
 * scheduler runs each sync inside {@link withLease}, and `RedisStore` fences
 * every write to that binding with the lease's token while it runs there
 * (as `store.fenced(lease)` would), without the engine knowing of leases.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LeaseToken } from './lease.js';

const scope = new AsyncLocalStorage<LeaseToken>();

/** Run `fn` with `lease` as the current lease of its async calls. */
export function withLease<T>(lease: LeaseToken, fn: () => T): T {
  return scope.run(lease, fn);
}

/** The token that fences a write to `bindingId` under `prefix` here: the current lease's, when it is that binding's. */
export function currentToken(prefix: string, bindingId: string): number | undefined {
  const lease = scope.getStore();
  return lease !== undefined && lease.prefix === prefix && lease.bindingId === bindingId ? lease.token : undefined;
}
