/**
 * From a parsed command line to an engine: which bindings, which store,
 * which sources and targets.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  ConfigError,
  FileStore,
  SyncEngine,
  assertBindingId,
  fileSource,
  httpSource,
  openApiFileTarget,
  preferLocal,
  preferRemote,
  type BaseRecord,
  type FetchValidators,
  type SchedulerFactory,
  type SpecSource,
  type SyncResult,
  type SyncStore,
  type SyncTarget,
} from '../index.js';
import { DEFAULT_MAX_BYTES } from '../document/index.js';
import { WRITTEN_RECORD, brunoTarget, hoppscotchTarget, postmanTarget, type WrittenRecord } from '../targets/index.js';
import { formatFromOut, isUrlSource, type BindingCommand, type JournalCommand, type OutFormat } from './args.js';
import { findConfigFile, loadConfigFile, type ResolvedBinding, type RetrySettings } from './config.js';

/** The bindings a command runs and the store they share. */
export interface CliSetup extends RetrySettings {
  /** Absolute store directory. */
  store: string;
  bindings: ResolvedBinding[];
  /** The config file used, when the bindings came from one. */
  configPath?: string;
  /** Default `watch` interval of the config file. */
  intervalMs?: number;
}

/** The store directory of a stand-alone binding: `.api-live-sync` next to its local copy. */
export function defaultStoreFor(out: string): string {
  return resolve(dirname(out), '.api-live-sync');
}

/**
 * The binding id of a stand-alone `--out` file: its file name (stable across
 * runs and working directories). Throws `BINDING_ID_INVALID` when that name
 * is not a binding id (longer than 128 characters, or holding a control character).
 */
export function bindingIdFor(out: string): string {
  const id = basename(out);
  assertBindingId(id, `the file name of \`--out ${out}\` (the binding id)`);
  return id;
}

/** The setup of `sync`, `watch`, `plan` and `check`: one binding from `<source> --out`, or the config file's. */
export async function setupBindings(command: BindingCommand, cwd: string): Promise<CliSetup> {
  if (command.source !== undefined && command.out !== undefined) {
    const out = resolve(cwd, command.out);
    const url = isUrlSource(command.source);
    return {
      store: command.store === undefined ? defaultStoreFor(out) : resolve(cwd, command.store),
      bindings: [
        {
          id: bindingIdFor(out),
          source: url ? command.source : resolve(cwd, command.source),
          sourceKind: url ? 'url' : 'file',
          out,
          format: formatFromOut(out, command.format),
          ...(command.policy === undefined ? {} : { policy: command.policy }),
          ...(command.resolver === undefined ? {} : { resolver: command.resolver }),
          headers: command.headers,
          ...(command.allowedHosts.length === 0 ? {} : { allowedHosts: command.allowedHosts }),
          dependsOn: [],
          ...(command.maxBytes === undefined ? {} : { maxBytes: command.maxBytes }),
        },
      ],
      ...retrySettings(command, {}),
    };
  }
  const path = findConfigFile(cwd, command.config);
  if (path === undefined) {
    throw new ConfigError(
      `\`${command.command}\` needs a <source> and --out, or a config file; there is no live-sync.config.json in ${cwd}.`,
      {
        hint: `Run \`api-live-sync ${command.command} <url|file> --out <file>\`, or write live-sync.config.json (see node_modules/api-live-sync/docs/cli.md).`,
      },
    );
  }
  const config = await loadConfigFile(path);
  let bindings = config.bindings;
  if (command.bindings.length > 0) {
    const unknown = command.bindings.filter((id) => !bindings.some((b) => b.id === id));
    if (unknown.length > 0) {
      throw new ConfigError(`No binding \`${unknown.join('`, `')}\` in ${path}.`, {
        hint: `Its bindings: ${bindings.map((b) => b.id).join(', ')}.`,
      });
    }
    const wanted = new Set(command.bindings);
    // Keep the dependencies of the chosen bindings only when they are chosen too.
    bindings = bindings.filter((b) => wanted.has(b.id)).map((b) => ({ ...b, dependsOn: b.dependsOn.filter((d) => wanted.has(d)) }));
  }
  bindings = bindings.map((b) => ({
    ...b,
    ...(command.format === undefined ? {} : { format: formatFromOut(b.out, command.format) }),
    ...(command.policy === undefined ? {} : { policy: { ...b.policy, ...command.policy } }),
    ...(command.resolver === undefined ? {} : { resolver: command.resolver }),
    headers: { ...b.headers, ...command.headers },
    ...(command.allowedHosts.length === 0 ? {} : { allowedHosts: command.allowedHosts }),
    ...(command.maxBytes === undefined ? {} : { maxBytes: command.maxBytes }),
  }));
  return {
    store: command.store === undefined ? config.store : resolve(cwd, command.store),
    bindings,
    configPath: path,
    ...(config.intervalMs === undefined ? {} : { intervalMs: config.intervalMs }),
    ...retrySettings(command, config),
  };
}

/** The retry settings of a command: its flags, else the config file's. */
function retrySettings(command: BindingCommand, config: RetrySettings): RetrySettings {
  const retries = command.retries ?? config.retries;
  const breakerThreshold = command.breakerThreshold ?? config.breakerThreshold;
  const restartGraceMs = command.restartGraceMs ?? config.restartGraceMs;
  return {
    ...(retries === undefined ? {} : { retries }),
    ...(breakerThreshold === undefined ? {} : { breakerThreshold }),
    ...(restartGraceMs === undefined ? {} : { restartGraceMs }),
  };
}

/**
 * The setup of `rollback` and `journal`: the config binding named by
 * `--binding`, or the one whose `out` is `--out`, or else the stand-alone
 * binding of `--out` (id = its file name, store next to it).
 */
export async function setupJournalBinding(command: JournalCommand, cwd: string): Promise<CliSetup> {
  const configPath = findConfigFile(cwd, command.config);
  const config = configPath === undefined ? undefined : await loadConfigFile(configPath);
  const out = command.out === undefined ? undefined : resolve(cwd, command.out);
  const fromConfig = config?.bindings.find((b) => (command.binding !== undefined ? b.id === command.binding : b.out === out));
  if (config && fromConfig) {
    return {
      store: command.store === undefined ? config.store : resolve(cwd, command.store),
      bindings: [{ ...fromConfig, ...(command.format === undefined ? {} : { format: formatFromOut(fromConfig.out, command.format) }) }],
      configPath: config.path,
    };
  }
  if (out === undefined) {
    throw new ConfigError(
      configPath === undefined
        ? `\`--binding ${command.binding}\` needs a config file; there is none in ${cwd}.`
        : `No binding \`${command.binding}\` in ${configPath}.`,
      { hint: config ? `Its bindings: ${config.bindings.map((b) => b.id).join(', ')}.` : 'Pass --out <file> instead.' },
    );
  }
  return {
    store: command.store === undefined ? defaultStoreFor(out) : resolve(cwd, command.store),
    bindings: [
      {
        id: bindingIdFor(out),
        source: '',
        sourceKind: 'file',
        out,
        format: formatFromOut(out, command.format),
        headers: {},
        dependsOn: [],
      },
    ],
  };
}

/**
 * A store that forgets the base and validators of a binding while its local
 * copy is missing, so that deleting the file and syncing again recreates it
 * from the remote (a first sync) instead of reporting "unchanged".
 * Everything else (journal, decisions, identity records) passes through.
 */
export class OutAwareStore implements SyncStore {
  readonly #inner: SyncStore;
  readonly #outs: ReadonlyMap<string, string>;

  /** `outs` maps binding ids to the absolute paths of their local copies. */
  constructor(inner: SyncStore, outs: ReadonlyMap<string, string>) {
    this.#inner = inner;
    this.#outs = outs;
  }

  #missing(bindingId: string): boolean {
    const out = this.#outs.get(bindingId);
    return out !== undefined && !existsSync(out);
  }

  /** The base, or undefined while the local copy is missing. */
  async getBase(bindingId: string): Promise<BaseRecord | undefined> {
    return this.#missing(bindingId) ? undefined : this.#inner.getBase(bindingId);
  }

  /** Passes through. */
  saveBase(bindingId: string, record: BaseRecord): Promise<void> {
    return this.#inner.saveBase(bindingId, record);
  }

  /** The validators, or none while the local copy is missing (so the source sends the whole document). */
  async getValidators(bindingId: string): Promise<FetchValidators> {
    return this.#missing(bindingId) ? {} : this.#inner.getValidators(bindingId);
  }

  /** Passes through. */
  saveValidators(bindingId: string, validators: FetchValidators): Promise<void> {
    return this.#inner.saveValidators(bindingId, validators);
  }

  /** Passes through. */
  getRecord<T = unknown>(bindingId: string, key: string): Promise<T | undefined> {
    return this.#inner.getRecord<T>(bindingId, key);
  }

  /** Passes through. */
  setRecord(bindingId: string, key: string, value: unknown): Promise<void> {
    return this.#inner.setRecord(bindingId, key, value);
  }

  /** Passes through (or blanks the record when the inner store cannot delete). */
  async deleteRecord(bindingId: string, key: string): Promise<void> {
    if (this.#inner.deleteRecord) await this.#inner.deleteRecord(bindingId, key);
    else await this.#inner.setRecord(bindingId, key, null);
  }

  /** Passes through. */
  deleteBinding(bindingId: string): Promise<void> {
    return this.#inner.deleteBinding(bindingId);
  }

  /** Passes through. */
  async close(): Promise<void> {
    await this.#inner.close?.();
  }
}

/** A store and binding where api-live-sync may have recorded writing a file. */
export interface WrittenBy {
  store: SyncStore;
  bindingId: string;
}

/**
 * Where a file may have been written by api-live-sync: the bindings of the
 * setup whose `out` it is (in the setup's store), and the stand-alone
 * binding of the file (the store `.api-live-sync` next to it, id = its name).
 */
export function writersOf(path: string, setup?: Pick<CliSetup, 'store' | 'bindings'>): WrittenBy[] {
  const places = new Map<string, [string, string]>();
  const add = (dir: string, bindingId: string) => places.set(`${dir}\0${bindingId}`, [dir, bindingId]);
  for (const binding of setup?.bindings ?? []) if (binding.out === path) add(setup!.store, binding.id);
  const beside = defaultStoreFor(path);
  if (existsSync(beside)) add(beside, basename(path));
  return [...places.values()].map(([dir, bindingId]) => ({ store: new FileStore({ dir }), bindingId }));
}

/**
 * The byte limit of a file source in the CLI, asked before every read: the
 * given limit (default 50 MB), or the size api-live-sync last recorded
 * writing to that path when that is larger. A file the CLI wrote is a file
 * the CLI reads; a file that grew past what was written needs `--max-bytes`.
 */
export function fileLimit(maxBytes: number | undefined, writers: readonly WrittenBy[]): (path: string) => Promise<number> {
  const limit = maxBytes ?? DEFAULT_MAX_BYTES;
  return async (path) => {
    let written = 0;
    for (const { store, bindingId } of writers) {
      const record = await store.getRecord<WrittenRecord>(bindingId, WRITTEN_RECORD).catch(() => undefined);
      if (record?.path === path && Number.isSafeInteger(record.size)) written = Math.max(written, record.size);
    }
    return Math.max(limit, written);
  };
}

/** The source adapter of a binding; `setup` tells which files the setup's own bindings write. */
export function sourceOf(binding: ResolvedBinding, setup?: Pick<CliSetup, 'store' | 'bindings'>): SpecSource {
  if (binding.sourceKind === 'url') {
    return httpSource({
      url: binding.source,
      ...(Object.keys(binding.headers).length > 0 ? { headers: binding.headers } : {}),
      ...(binding.allowedHosts === undefined ? {} : { allowedHosts: binding.allowedHosts }),
      ...(binding.maxBytes === undefined ? {} : { maxBytes: binding.maxBytes }),
    });
  }
  return fileSource({ path: binding.source, debounceMs: 100, maxBytes: fileLimit(binding.maxBytes, writersOf(binding.source, setup)) });
}

/** A source for commands that never fetch (`rollback`, `journal`). */
function noSource(): SpecSource {
  return {
    kind: 'none',
    fetch: () => Promise.reject(new ConfigError('This command does not fetch the source.')),
  };
}

/** The target adapter of a binding. */
export function targetOf(out: string, format: OutFormat): SyncTarget<unknown> {
  if (format === 'hoppscotch') return hoppscotchTarget({ path: out }) as SyncTarget<unknown>;
  if (format === 'postman') return postmanTarget({ path: out }) as SyncTarget<unknown>;
  if (format === 'bruno') return brunoTarget({ dir: out }) as SyncTarget<unknown>;
  return openApiFileTarget({ path: out }) as SyncTarget<unknown>;
}

/** How the engine is used: one run (no retries, no polling), or continuously. */
export type EngineMode = { kind: 'once' } | { kind: 'watch'; intervalMs: number } | { kind: 'journal' };

/**
 * The retry defaults of the CLI. A one-shot command reports a failure at
 * once; `watch` retries twice with backoff, waits out a restarting local
 * server for 30 s, and pauses a binding for 10 s after 5 failures in a row
 * (a dev server that is down for a while is probed every 10 s, not every
 * minute). Flags and the config file change them (docs/cli.md).
 */
export const CLI_RETRY_DEFAULTS = {
  once: { retries: 0, restartGraceMs: 0 },
  watch: { retries: 2, restartGraceMs: 30_000 },
  breakerThreshold: 5,
  cooldownMs: 10_000,
  baseDelayMs: 500,
  maxDelayMs: 5000,
} as const;

/** What replaces the file store and the in-process scheduler: a scale-out worker's (`api-live-sync worker`). */
export interface EngineBackend {
  store: SyncStore;
  scheduler: SchedulerFactory<SyncResult>;
}

/** Build the engine of a setup and register its bindings; `backend` replaces the file store and the in-process scheduler. */
export async function createEngine(setup: CliSetup, mode: EngineMode, backend?: EngineBackend): Promise<SyncEngine> {
  const outs = new Map(setup.bindings.map((b) => [b.id, b.out] as const));
  const store = new OutAwareStore(backend?.store ?? new FileStore({ dir: setup.store }), outs);
  const defaults = mode.kind === 'watch' ? CLI_RETRY_DEFAULTS.watch : CLI_RETRY_DEFAULTS.once;
  const engine = new SyncEngine({
    store,
    ...(backend === undefined ? {} : { scheduler: backend.scheduler }),
    defaultIntervalMs: 0,
    retry: {
      maxRetries: setup.retries ?? defaults.retries,
      baseDelayMs: CLI_RETRY_DEFAULTS.baseDelayMs,
      maxDelayMs: CLI_RETRY_DEFAULTS.maxDelayMs,
      restartGraceMs: setup.restartGraceMs ?? defaults.restartGraceMs,
    },
    circuitBreaker: {
      failureThreshold: setup.breakerThreshold ?? CLI_RETRY_DEFAULTS.breakerThreshold,
      cooldownMs: CLI_RETRY_DEFAULTS.cooldownMs,
    },
    stopGracePeriodMs: 5000,
  });
  // Register in dependency order (addSource needs its dependencies first).
  const pending = [...setup.bindings];
  const added = new Set<string>();
  while (pending.length > 0) {
    const index = pending.findIndex((b) => b.dependsOn.every((d) => added.has(d)));
    const binding = pending.splice(index < 0 ? 0 : index, 1)[0]!;
    await engine.addSource({
      id: binding.id,
      source: mode.kind === 'journal' ? noSource() : sourceOf(binding, setup),
      target: targetOf(binding.out, binding.format),
      intervalMs: mode.kind === 'watch' ? (binding.intervalMs ?? mode.intervalMs) : 0,
      ...(binding.policy === undefined ? {} : { policy: binding.policy }),
      resolver: binding.resolver === 'remote' ? preferRemote() : preferLocal(),
      ...(binding.dependsOn.length > 0 ? { dependsOn: binding.dependsOn } : {}),
    });
    added.add(binding.id);
  }
  return engine;
}

/** Remove every binding (closing sources, watchers and targets) and close the store. */
export async function disposeEngine(engine: SyncEngine): Promise<void> {
  await engine.stopSync();
  const ids = engine.getSyncStatus().bindings.map((b) => b.id);
  // Dependents first.
  for (const id of ids.reverse()) await engine.removeSource(id).catch(() => undefined);
  await engine.store.close?.();
}
