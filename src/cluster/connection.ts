/**
 * The `redis` option of the cluster classes: an ioredis client (standalone
 * or Cluster), ioredis options, or a `redis://` / `rediss://` URL. Also how a
 * server is named in messages (its URL without the password) and how a
 * failed Redis command becomes a typed error.
 *
 * @module
 */
import { hostname } from 'node:os';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { ConfigError, StoreError, describeThrown, type SyncErrorCode } from '../errors.js';

/** A Redis connection: a client you made (standalone or Cluster), ioredis options, or a `redis://` / `rediss://` URL. */
export type RedisConnection = Redis | Cluster | RedisOptions | string;

/** A client ready to use, and whether the library made it (and so closes it). */
export interface ResolvedRedis {
  readonly client: Redis | Cluster;
  readonly owned: boolean;
  /** The server as shown in messages: its URL without the password. */
  readonly where: string;
  /** The last connection error of a client the library made, for messages. */
  lastError(): string | undefined;
}

/**
 * Defaults for a client the library makes: connect on first use, fail a
 * command after one reconnection attempt instead of queueing it for minutes,
 * and give up on a command the server does not answer within 15 s (a frozen
 * server must not hang a sync). Your options override them.
 */
const OWNED_DEFAULTS: RedisOptions = {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  connectTimeout: 5000,
  commandTimeout: 15_000,
  retryStrategy: (times) => Math.min(times * 200, 2000),
};

/** True for an ioredis client (standalone or Cluster), whichever copy of ioredis made it. */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  const candidate = value as Partial<Record<'hgetBuffer' | 'evalsha' | 'quit', unknown>> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof candidate!.hgetBuffer === 'function' &&
    typeof candidate!.evalsha === 'function' &&
    typeof candidate!.quit === 'function'
  );
}

/** A `redis://` URL naming the server of `options`, never with the password. */
function describeOptions(options: RedisOptions): string {
  if (typeof options.path === 'string') return `redis+unix://${options.path}`;
  const scheme = options.tls ? 'rediss' : 'redis';
  const user = typeof options.username === 'string' && options.username !== '' ? `${encodeURIComponent(options.username)}@` : '';
  const host = options.host ?? 'localhost';
  const db = typeof options.db === 'number' && options.db !== 0 ? `/${options.db}` : '';
  return `${scheme}://${user}${host.includes(':') ? `[${host}]` : host}:${options.port ?? 6379}${db}`;
}

/** `url` with its password removed. */
function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

/** How a client names its server in messages. */
export function describeClient(client: Redis | Cluster): string {
  if (client.isCluster) {
    const nodes = (client as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
    const named = nodes.map((node) => {
      if (typeof node === 'string') return /^rediss?:\/\//.test(node) ? withoutPassword(new URL(node)) : node;
      if (typeof node === 'number') return `localhost:${node}`;
      const { host, port } = (node ?? {}) as { host?: string; port?: number };
      return `${host ?? 'localhost'}:${port ?? 6379}`;
    });
    return `the Redis Cluster at ${named.join(', ') || 'its startup nodes'}`;
  }
  return describeOptions((client as Redis).options ?? {});
}

/**
 * Resolve the `redis` option. `what` names it in messages (e.g. "`redis`").
 * A client is used as it is; options and URLs make a new client with
 * {@link OWNED_DEFAULTS}, owned by the caller (close it with `quit`).
 */
export function resolveRedis(value: unknown, what = '`redis`'): ResolvedRedis {
  if (isRedisClient(value)) return { client: value, owned: false, where: describeClient(value), lastError: () => undefined };
  let client: Redis;
  let where: string;
  if (typeof value === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      const shown = url ? withoutPassword(url) : JSON.stringify(value.replace(/\/\/[^@/]*@/, '//…@').slice(0, 80));
      throw new ConfigError(`Expected ${what} to be a redis:// or rediss:// URL, an ioredis client or ioredis options, got ${shown}.`, {
        hint: 'For example "redis://127.0.0.1:6379" or "rediss://user:password@redis.example.com:6380/0".',
      });
    }
    where = withoutPassword(url);
    client = new Redis(value, { ...OWNED_DEFAULTS, connectionName: `api-live-sync@${hostname()}`, replyMapping: 'legacy' });
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const options = value as RedisOptions;
    for (const key of ['host', 'path', 'username', 'password'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'string') {
        throw new ConfigError(`Expected ${what}.${key} to be a string, got ${typeof options[key]}.`, {
          hint: 'Pass ioredis options, such as { host: "127.0.0.1", port: 6379 }.',
        });
      }
    }
    if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
      throw new ConfigError(`Expected ${what}.port to be a TCP port (1 to 65535), got ${JSON.stringify(options.port)}.`, {
        hint: 'The default Redis port is 6379.',
      });
    }
    where = describeOptions(options);
    client = new Redis({ ...OWNED_DEFAULTS, connectionName: `api-live-sync@${hostname()}`, ...options, replyMapping: 'legacy' });
  } else {
    const shown =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'an array'
          : typeof value === 'object'
            ? `an instance of ${(value as object).constructor?.name ?? 'a class'}`
            : `${String(value)} (${typeof value})`;
    throw new ConfigError(`Expected ${what} to be a redis:// or rediss:// URL, an ioredis client or ioredis options, got ${shown}.`, {
      hint: 'For example "redis://127.0.0.1:6379", new Redis(...) from ioredis, or { host: "127.0.0.1", port: 6379 }.',
    });
  }
  let last: string | undefined;
  // A client we made reports connection errors through its commands; keep the last for messages
  // (and so ioredis does not print "Unhandled error event" for each reconnection attempt).
  client.on('error', (error: unknown) => {
    last = describeThrown(error);
  });
  return { client, owned: true, where, lastError: () => last };
}

/**
 * The error a failed command is reported as. The cause keeps the original
 * error's name, message and stack, but not the command it carries (an
 * ioredis reply error holds the command's arguments: megabytes of record
 * for a write, the password for an AUTH).
 */
export function redisFailure(
  code: Extract<SyncErrorCode, 'STORE_READ_FAILED' | 'STORE_WRITE_FAILED'>,
  doing: string,
  error: unknown,
  redis: ResolvedRedis,
  details: Record<string, unknown>,
): StoreError {
  const connection = redis.lastError();
  const reason = describeThrown(error);
  const cause = error instanceof Error ? Object.assign(new Error(error.message), { name: error.name, stack: error.stack }) : error;
  return new StoreError(
    code,
    `Could not ${doing} at ${redis.where}: ${reason}${connection && !reason.includes(connection) ? ` (last connection error: ${connection})` : ''}`,
    {
      cause,
      retryable: true,
      hint: `Check that Redis runs and answers at ${redis.where}, and that the URL, password and TLS settings are right.`,
      details: { ...details, redis: redis.where },
    },
  );
}
