/**
 * One configuration per binding id across the workers of a deployment.
 * Each worker records the hash of its configuration of a binding
 * (`ScheduledBinding.configHash`, made by the engine) in
 * `<prefix>:{<binding id>}:config`, and refreshes it while it runs (the
 * record expires `ttlMs` after the last worker holding it stopped
 * refreshing). A worker whose configuration differs from the recorded one
 * is refused with `BINDING_CONFIG_CONFLICT`: when it registers the binding
 * (`addSource` rejects), or, when the record changed under it, at its next
 * refresh (its jobs of the binding are left to the workers whose
 * configuration is recorded). Never last-writer-wins.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import { BindingError, type SyncError } from '../errors.js';
import { redisFailure } from './connection.js';
import { bindingKeys } from './keys.js';
import { lua, runScript } from './scripts.js';

/**
 * Record a configuration. KEYS: config. ARGV: hash, worker, TTL in ms. When
 * the key holds another hash, returns what it holds ("<hash> <worker>") and
 * changes nothing; else sets it (with the TTL) and returns nil.
 */
const CLAIM = lua(`
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then return current end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3])
return false
`);

/** Remove a configuration record while it holds hash ARGV[1]. KEYS: config. */
const RELEASE = lua(`
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The error of a worker whose configuration of `bindingId` is not the recorded one. */
export function configConflict(bindingId: string, mine: string, recorded: string, workerId: string): SyncError {
  const space = recorded.indexOf(' ');
  const theirs = space < 0 ? recorded : recorded.slice(0, space);
  const by = space < 0 ? 'another worker' : recorded.slice(space + 1);
  return new BindingError(
    'BINDING_CONFIG_CONFLICT',
    `Binding "${bindingId}" runs on worker ${by} with another configuration (${theirs}) than on this worker, ${workerId} (${mine}).`,
    {
      hint: 'Give every worker the same configuration for a binding id (source, target, schedule and policy), or use another id. To change a configuration, stop the workers that have the old one: their record goes when they stop, or leaseTtlMs after they died.',
      details: { sourceId: bindingId, configHash: mine, recordedHash: theirs, recordedBy: by, workerId },
    },
  );
}

/** The configuration records of the bindings one worker runs, refreshed every third of `ttlMs`. */
export class BindingConfigs {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #workerId: string;
  readonly #ttlMs: number;
  readonly #where: string;
  /** Binding id → this worker's hash of it. */
  readonly #hashes = new Map<string, string>();
  /** Binding id → the conflict its last refresh found. */
  readonly #conflicts = new Map<string, SyncError>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The refresh under way: a release waits for it, so that it does not record again what was just removed. */
  #refreshing: Promise<void> | undefined;

  constructor(redis: Redis, options: { prefix: string; workerId: string; ttlMs: number; where: string }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#workerId = options.workerId;
    this.#ttlMs = options.ttlMs;
    this.#where = options.where;
  }

  /** Record this worker's configuration of a binding; throws `BINDING_CONFIG_CONFLICT` when another is recorded. */
  async claim(bindingId: string, hash: string | undefined): Promise<void> {
    if (hash === undefined) return;
    const recorded = await this.#claim(bindingId, hash);
    if (recorded !== undefined) {
      this.#hashes.delete(bindingId);
      this.#conflicts.delete(bindingId);
      throw configConflict(bindingId, hash, recorded, this.#workerId);
    }
    this.#keep(bindingId, hash);
    this.#conflicts.delete(bindingId);
  }

  /**
   * Take over the record of a binding this worker registered before it
   * reconnected (after `stopSync`, then start): refreshed from now on, a
   * conflict noted as by a refresh instead of thrown.
   */
  adopt(bindingId: string, hash: string | undefined): void {
    if (hash === undefined || this.#hashes.has(bindingId)) return;
    this.#keep(bindingId, hash);
    void this.#refresh();
  }

  #keep(bindingId: string, hash: string): void {
    this.#hashes.set(bindingId, hash);
    this.#timer ??= setInterval(() => void this.#refresh(), Math.max(100, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
  }

  /** The conflict the last refresh found for a binding, if any: this worker must not run it then. */
  conflict(bindingId: string): SyncError | undefined {
    return this.#conflicts.get(bindingId);
  }

  /** Stop refreshing a binding's record, and remove it while it holds this worker's hash. */
  async release(bindingId: string): Promise<void> {
    const hash = this.#hashes.get(bindingId);
    this.#hashes.delete(bindingId);
    this.#conflicts.delete(bindingId);
    if (hash === undefined) return;
    await this.#refreshing;
    const keys = bindingKeys(this.#prefix, bindingId);
    await runScript(this.#redis, RELEASE, [keys.config], [hash]).catch(() => 0);
  }

  /** Stop refreshing; remove every record this worker holds (other workers with the same configuration record it again). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#hashes.keys()].map((id) => this.release(id)));
  }

  async #claim(bindingId: string, hash: string): Promise<string | undefined> {
    const keys = bindingKeys(this.#prefix, bindingId);
    try {
      const recorded = await runScript(this.#redis, CLAIM, [keys.config], [hash, this.#workerId, this.#ttlMs]);
      return typeof recorded === 'string' ? recorded : undefined;
    } catch (error) {
      const connection = { client: this.#redis, owned: false, where: this.#where, lastError: () => undefined };
      throw redisFailure('STORE_WRITE_FAILED', `record the configuration of "${bindingId}"`, error, connection, { bindingId });
    }
  }

  /** Refresh every record (one script per binding, sent together); a binding whose record holds another hash is in conflict until it holds this one again. */
  #refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshAll().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refreshAll(): Promise<void> {
    await Promise.all(
      [...this.#hashes].map(async ([id, hash]) => {
        let recorded: string | undefined;
        try {
          recorded = await this.#claim(id, hash);
        } catch {
          return; // Redis unreachable: the leases stop the syncs; the next refresh tries again.
        }
        if (this.#hashes.get(id) !== hash) return;
        if (recorded === undefined) this.#conflicts.delete(id);
        else this.#conflicts.set(id, configConflict(id, hash, recorded, this.#workerId));
      }),
    );
  }
}
