/**
 * The Redis key layout of a deployment, in one place. Every key of a binding
 * shares one Redis Cluster hash tag, so a script may touch them together:
 *
 *     <prefix>:{<binding id>}:store   hash: one field per store record
 *     <prefix>:{<binding id>}:lease   string "<epoch> <owner>", with a TTL
 *     <prefix>:{<binding id>}:epoch   string: the last fencing token handed out
 *     <prefix>:{<binding id>}:circuit hash: the shared circuit breaker and restart grace
 *
 * In the tag, `%`, `{` and `}` of the id are percent-encoded, so the tag is
 * the whole id and two ids never share a key.
 *
 * @module
 */
import { assertBindingId } from '../binding-id.js';
import { ConfigError } from '../errors.js';

/** The longest key prefix, in characters. */
const MAX_PREFIX = 100;

/** Throw `CONFIG_INVALID` unless `prefix` is a usable key prefix. */
export function assertPrefix(prefix: unknown, what = '`prefix`'): asserts prefix is string {
  if (typeof prefix === 'string' && prefix.length > 0 && prefix.length <= MAX_PREFIX && !/[{}\s\p{Cc}]/u.test(prefix)) return;
  throw new ConfigError(
    `Expected ${what} to be 1 to ${MAX_PREFIX} characters without white space, control characters, "{" or "}", got ${typeof prefix === 'string' ? JSON.stringify(prefix.slice(0, MAX_PREFIX + 1)) : String(prefix)} (${typeof prefix}).`,
    {
      hint: 'Use one prefix per deployment, such as "api-live-sync" or "als:staging". Braces would change the Redis Cluster hash tag of every key.',
    },
  );
}

/** The hash tag of a binding: its id with `%`, `{` and `}` percent-encoded. */
function tag(bindingId: string): string {
  return bindingId.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The keys of one binding. */
export interface BindingKeys {
  /** The hash of store records. */
  readonly store: string;
  /** The lease. */
  readonly lease: string;
  /** The epoch (fencing token) counter. */
  readonly epoch: string;
  /** The hash of the binding's configuration, as the workers running it registered it (see binding-config.ts). */
  readonly config: string;
  /** The circuit breaker every worker shares (see shared-circuit.ts). */
  readonly circuit: string;
}

/** The keys of `bindingId` under `prefix`; throws `BINDING_ID_INVALID` for an id that is not a binding id. */
export function bindingKeys(prefix: string, bindingId: string): BindingKeys {
  assertBindingId(bindingId);
  const base = `${prefix}:{${tag(bindingId)}}:`;
  return { store: `${base}store`, lease: `${base}lease`, epoch: `${base}epoch`, config: `${base}config`, circuit: `${base}circuit` };
}
