import type { Cluster, Redis } from 'ioredis';
import { ConfigError, StoreError, describeThrown } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import type { FetchValidators } from '../sources/index.js';
import type { BaseRecord, SyncStore } from '../store/index.js';
import { DEFAULT_COMPRESS_ABOVE, UndecodableValue, decode, encode, toJson } from './codec.js';
import { redisFailure, resolveRedis, type RedisConnection, type ResolvedRedis } from './connection.js';
import { assertPrefix, bindingKeys } from './keys.js';
import type { LeaseToken } from './lease.js';
import { currentToken, forgetPrefetched, takePrefetched } from './lease-scope.js';
import { FENCED_WRITE, runScript } from './scripts.js';

const REDIS_STORE_KEYS = optionKeys<RedisStoreOptions>()(['redis', 'prefix', 'compressAbove']);

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * The server: an ioredis client you made (standalone or `Cluster`; the
   * store uses it and never closes it), ioredis options, or a `redis://` /
   * `rediss://` URL (the store makes its own client and closes it in
   * `close()`).
   */
  redis: RedisConnection;
  /**
   * The key prefix of the deployment: every key the store writes starts
   * with `<prefix>:`. Use one per deployment that shares a server. 1 to 100
   * characters without white space, `{` or `}`.
   */
  prefix: string;
  /**
   * Records whose JSON text is longer than this many bytes are stored
   * Brotli-compressed. Default 1024; `Infinity` stores everything as JSON text.
   */
  compressAbove?: number;
}

/** A store write, as one atomic Redis operation. */
type Write = { op: 'set'; key: string; json: string } | { op: 'delete'; key: string } | { op: 'drop' };

/** The record key of a write, checked: any non-empty string. */
function recordKey(key: unknown): string {
  if (typeof key === 'string' && key !== '') return key;
  throw new ConfigError(`Expected a record key to be a non-empty string, got ${JSON.stringify(key) ?? String(key)}.`, {
    hint: 'Use a simple key such as "journal" or "decisions".',
  });
}

/**
 * A store in Redis, shared by every process of a deployment (see
 * docs/scale-out.md). Each binding's records are the fields of one Redis
 * hash, `<prefix>:{<binding id>}:store`; with the lease and epoch keys of
 * the binding they share the hash tag `{<binding id>}`, so they live on one
 * Redis Cluster node and one script can check a fencing token and write.
 *
 * - Every write is one atomic command (HSET, HDEL, DEL), or one Lua script
 *   when fenced ({@link RedisStore.fenced}, or a write made inside a sync
 *   that `bullmqScheduler` runs under the binding's lease).
 * - `deleteBinding` deletes the hash: every record of the binding at once,
 *   nothing of another. It keeps the binding's epoch (fencing must stay
 *   monotonic) and its lease.
 * - Records longer than `compressAbove` bytes of JSON (default 1 KiB) are
 *   stored Brotli-compressed (docs/scale-out.md gives the sizes).
 * - Reads return a fresh copy each time (never shared with the store).
 * - A value this store did not write (not one of its tagged encodings, or
 *   not JSON) is `STORE_CORRUPT`; a server that cannot be reached, refuses
 *   or does not answer is `STORE_READ_FAILED` / `STORE_WRITE_FAILED`
 *   (retryable) with a hint naming its URL, never its password.
 *
 * @example
 * ```ts
 * import { RedisStore } from 'api-live-sync/redis';
 * const store = new RedisStore({ redis: 'redis://127.0.0.1:6379', prefix: 'als' });
 * await store.connect(); // fails now, with the URL in the hint, when Redis is not there
 * const engine = new SyncEngine({ store });
 * ```
 */
export class RedisStore implements SyncStore {
  readonly #redis: ResolvedRedis;
  readonly #prefix: string;
  readonly #compressAbove: number;

  constructor(options: RedisStoreOptions) {
    checkOptions('RedisStore options', options, REDIS_STORE_KEYS);
    assertPrefix(options.prefix);
    const compressAbove = options.compressAbove ?? DEFAULT_COMPRESS_ABOVE;
    if (typeof compressAbove !== 'number' || Number.isNaN(compressAbove) || compressAbove < 0) {
      throw new ConfigError(
        `Expected \`compressAbove\` to be a number of bytes from 0 up (or Infinity), got ${JSON.stringify(options.compressAbove) ?? String(options.compressAbove)}.`,
        {
          hint: `Leave it out for the default, ${DEFAULT_COMPRESS_ABOVE}.`,
        },
      );
    }
    this.#prefix = options.prefix;
    this.#compressAbove = compressAbove;
    this.#redis = resolveRedis(options.redis);
  }

  /** The key prefix of the deployment. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The client the store uses: share it with `acquireLease` and friends. */
  get client(): Redis | Cluster {
    return this.#redis.client;
  }

  /** The server, as messages name it: its URL without the password. */
  get where(): string {
    return this.#redis.where;
  }

  /**
   * Connect now (a store connects on first use otherwise) and check that the
   * server answers: `STORE_READ_FAILED`, with a hint naming the URL, when it
   * does not.
   */
  async connect(): Promise<void> {
    try {
      await this.#redis.client.ping();
    } catch (error) {
      throw redisFailure('STORE_READ_FAILED', 'reach Redis', error, this.#redis, {});
    }
  }

  async #read(bindingId: string, key: string): Promise<unknown> {
    const keys = bindingKeys(this.#prefix, bindingId);
    recordKey(key);
    // Read with the sync's lease, in its script: no round trip (see lease-scope.ts).
    let bytes = takePrefetched(this.#prefix, bindingId, key);
    try {
      if (bytes === undefined) bytes = await this.#redis.client.hgetBuffer(keys.store, key);
    } catch (error) {
      if (describeThrown(error).startsWith('WRONGTYPE')) throw this.#corrupt(keys.store, bindingId, key, 'the key is not a hash', error);
      throw redisFailure('STORE_READ_FAILED', `read the record "${key}" of "${bindingId}"`, error, this.#redis, { bindingId, key });
    }
    if (bytes === null) return undefined;
    try {
      return await decode(bytes);
    } catch (error) {
      if (error instanceof UndecodableValue) throw this.#corrupt(keys.store, bindingId, key, error.message, error);
      throw error;
    }
  }

  #corrupt(redisKey: string, bindingId: string, key: string, why: string, cause: unknown): StoreError {
    return new StoreError(
      'STORE_CORRUPT',
      `The store record "${key}" of "${bindingId}" (field "${key}" of ${redisKey} at ${this.#redis.where}) cannot be read: ${why}.`,
      {
        cause,
        hint: 'Something other than this store wrote it. Delete the field (HDEL) to start this record afresh, or restore it from a backup.',
        details: { bindingId, key, redisKey, redis: this.#redis.where },
      },
    );
  }

  /** The write as an atomic operation; the JSON text is taken before the first await. */
  #prepare(bindingId: string, key: string, value: unknown): Write {
    recordKey(key);
    try {
      return { op: 'set', key, json: toJson(value) };
    } catch (error) {
      throw new StoreError(
        'STORE_WRITE_FAILED',
        `The record "${key}" of "${bindingId}" is not JSON-serialisable: ${describeThrown(error)}.`,
        { cause: error, hint: 'Store plain JSON values only.' },
      );
    }
  }

  /**
   * Run one write, checking `token` against the binding's epoch in the same
   * script when given. Without one, a write made inside a sync the BullMQ
   * scheduler runs under a lease of this binding carries that lease's token.
   */
  async #write(bindingId: string, write: Write, explicitToken?: number): Promise<void> {
    const token = explicitToken ?? currentToken(this.#prefix, bindingId);
    const keys = bindingKeys(this.#prefix, bindingId);
    const value = write.op === 'set' ? await encode(write.json, this.#compressAbove) : undefined;
    const key = write.op === 'drop' ? undefined : write.key;
    forgetPrefetched(this.#prefix, bindingId, key);
    let refusedBy: unknown;
    try {
      const client = this.#redis.client;
      if (token !== undefined)
        refusedBy = await runScript(client, FENCED_WRITE, [keys.store, keys.epoch], [token, write.op, key ?? '', value ?? '']);
      else if (write.op === 'set') await client.hset(keys.store, write.key, value!);
      else if (write.op === 'delete') await client.hdel(keys.store, write.key);
      else await client.del(keys.store);
    } catch (error) {
      if (describeThrown(error).startsWith('WRONGTYPE'))
        throw this.#corrupt(keys.store, bindingId, key ?? '*', 'the key is not a hash', error);
      const doing =
        write.op === 'drop'
          ? `delete the records of "${bindingId}"`
          : `${write.op === 'set' ? 'write' : 'delete'} the record "${key}" of "${bindingId}"`;
      throw redisFailure('STORE_WRITE_FAILED', doing, error, this.#redis, { bindingId, ...(key === undefined ? {} : { key }) });
    }
    if (token !== undefined && refusedBy !== 0) {
      const epoch = Number(refusedBy);
      const what = write.op === 'drop' ? 'deleting the binding' : `${write.op === 'set' ? 'writing' : 'deleting'} the record "${key}"`;
      throw new StoreError(
        'STALE_LEASE',
        `Refused ${what} of "${bindingId}" with fencing token ${token}: the binding's lease has since been taken with epoch ${epoch}.`,
        {
          retryable: false,
          hint: 'Another worker took the lease of this binding after this one lost it (it expired: the sync ran longer than the lease TTL, or the process was paused). Nothing was written; the newer holder owns the binding now.',
          details: { bindingId, token, epoch, ...(key === undefined ? {} : { key }) },
        },
      );
    }
  }

  /** {@inheritDoc index!SyncStore.getBase} */
  async getBase(bindingId: string): Promise<BaseRecord | undefined> {
    return (await this.#read(bindingId, 'base')) as BaseRecord | undefined;
  }

  /** {@inheritDoc index!SyncStore.saveBase} */
  async saveBase(bindingId: string, record: BaseRecord): Promise<void> {
    await this.#write(bindingId, this.#prepare(bindingId, 'base', record));
  }

  /** {@inheritDoc index!SyncStore.getValidators} */
  async getValidators(bindingId: string): Promise<FetchValidators> {
    return ((await this.#read(bindingId, 'validators')) as FetchValidators | undefined) ?? {};
  }

  /** {@inheritDoc index!SyncStore.saveValidators} */
  async saveValidators(bindingId: string, validators: FetchValidators): Promise<void> {
    await this.#write(bindingId, this.#prepare(bindingId, 'validators', validators));
  }

  /** Read any other JSON record of a binding: a fresh copy on every read. */
  async getRecord<T = unknown>(bindingId: string, key: string): Promise<T | undefined> {
    return (await this.#read(bindingId, key)) as T | undefined;
  }

  /** {@inheritDoc index!SyncStore.setRecord} */
  async setRecord(bindingId: string, key: string, value: unknown): Promise<void> {
    await this.#write(bindingId, this.#prepare(bindingId, key, value));
  }

  /** {@inheritDoc index!SyncStore.deleteRecord} */
  async deleteRecord(bindingId: string, key: string): Promise<void> {
    await this.#write(bindingId, { op: 'delete', key: recordKey(key) });
  }

  /** Forget every record of a binding (one DEL). Its epoch and lease stay: see the class comment. */
  async deleteBinding(bindingId: string): Promise<void> {
    await this.#write(bindingId, { op: 'drop' });
  }

  /**
   * This store seen through a lease: reads as usual, and every write to the
   * lease's binding carries its fencing token. A write is refused with
   * `STALE_LEASE` (not retryable, nothing written) when the binding's epoch
   * has passed the token, i.e. another worker took the lease since; the
   * check and the write are one Lua script. A write to another binding is
   * `CONFIG_INVALID`.
   */
  fenced(lease: LeaseToken): SyncStore {
    if (
      lease === null ||
      typeof lease !== 'object' ||
      !Number.isSafeInteger(lease.token) ||
      lease.token < 1 ||
      typeof lease.bindingId !== 'string'
    ) {
      throw new ConfigError(`Expected a lease from acquireLease(), got ${lease === null ? 'null' : typeof lease}.`, {
        hint: 'Pass the lease acquireLease() returned.',
      });
    }
    if (lease.prefix !== this.#prefix) {
      throw new ConfigError(`Expected a lease taken with the store's prefix "${this.#prefix}", got one taken with "${lease.prefix}".`, {
        hint: 'Pass the same prefix to acquireLease() and RedisStore: the epoch that fences the writes lives under it.',
      });
    }
    const { bindingId, token } = lease;
    const check = (id: string): void => {
      if (id === bindingId) return;
      throw new ConfigError(`This store is fenced by the lease of "${bindingId}" (epoch ${token}); it cannot write records of "${id}".`, {
        hint: 'Take a lease of that binding and use store.fenced(itsLease) for its writes.',
      });
    };
    const fencedWrite = async (id: string, write: () => Write): Promise<void> => {
      check(id);
      await this.#write(id, write(), token);
    };
    return {
      getBase: (id) => this.getBase(id),
      getValidators: (id) => this.getValidators(id),
      getRecord: <T>(id: string, key: string) => this.getRecord<T>(id, key),
      saveBase: (id, record) => fencedWrite(id, () => this.#prepare(id, 'base', record)),
      saveValidators: (id, validators) => fencedWrite(id, () => this.#prepare(id, 'validators', validators)),
      setRecord: (id, key, value) => fencedWrite(id, () => this.#prepare(id, key, value)),
      deleteRecord: (id, key) => fencedWrite(id, () => ({ op: 'delete', key: recordKey(key) })),
      deleteBinding: (id) => fencedWrite(id, () => ({ op: 'drop' })),
    };
  }

  /** Close the client the store made from a URL or options; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.#redis.owned) return;
    const client = this.#redis.client;
    if (client.status === 'end') return;
    if (client.status === 'wait') {
      client.disconnect();
      return;
    }
    const ended = new Promise((resolve) => client.once('end', resolve));
    await client.quit().catch(() => client.disconnect());
    await ended;
  }
}
