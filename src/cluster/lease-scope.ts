/**
 * The lease a sync runs under, carried through its async calls: the BullMQ
 * scheduler runs each sync inside {@link withLease}, and `RedisStore` fences
 * every write to that binding with the lease's token while it runs there
 * (as `store.fenced(lease)` would), without the engine knowing of leases.
 *
 * A scope may also carry store fields read in the lease's own script (the
 * validators, the first read of every sync): `RedisStore` takes each once
 * instead of asking Redis, and forgets it when the sync writes that field.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LeaseToken } from './lease.js';

/** The current lease, and the store fields read with it (the field's bytes, or `null` when it was absent) not yet taken. */
interface Scope {
  lease: LeaseToken;
  prefetched: Map<string, Buffer | null>;
}

const scope = new AsyncLocalStorage<Scope>();

/** Run `fn` with `lease` as the current lease of its async calls, and the store fields read with it. */
export function withLease<T>(lease: LeaseToken, fn: () => T, prefetched: ReadonlyMap<string, Buffer | null> = new Map()): T {
  return scope.run({ lease, prefetched: new Map(prefetched) }, fn);
}

/** The current scope, when its lease is that of `bindingId` under `prefix`. */
function scopeOf(prefix: string, bindingId: string): Scope | undefined {
  const current = scope.getStore();
  return current !== undefined && current.lease.prefix === prefix && current.lease.bindingId === bindingId ? current : undefined;
}

/** The token that fences a write to `bindingId` under `prefix` here: the current lease's, when it is that binding's. */
export function currentToken(prefix: string, bindingId: string): number | undefined {
  return scopeOf(prefix, bindingId)?.lease.token;
}

/** A store field of `bindingId` read with the current lease and not taken yet: taken now (`undefined` when there is none). */
export function takePrefetched(prefix: string, bindingId: string, field: string): Buffer | null | undefined {
  const prefetched = scopeOf(prefix, bindingId)?.prefetched;
  const value = prefetched?.get(field);
  prefetched?.delete(field);
  return value;
}

/** A write to `field` (every field when `undefined`) of `bindingId`: what was read with the lease is stale now. */
export function forgetPrefetched(prefix: string, bindingId: string, field: string | undefined): void {
  const prefetched = scopeOf(prefix, bindingId)?.prefetched;
  if (field === undefined) prefetched?.clear();
  else prefetched?.delete(field);
}
