/**
 * The CLI's config file: several bindings in `live-sync.config.json` (or a
 * `.mjs` / `.js` / `.ts` module whose default export is the config or a
 * function returning it), found in the working directory or named by
 * `--config`. Relative paths in it are resolved against the file's folder.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, assertBindingId, isSyncError, type SyncPolicy } from '../index.js';
import { openRegularFile } from '../document/index.js';
import {
  RESOLVER_CHOICES,
  asResolverChoice,
  formatFromOut,
  hostProblem,
  isUrlSource,
  parseByteSize,
  parsePolicy,
  type OutFormat,
  type ResolverChoice,
} from './args.js';

/** The names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = ['live-sync.config.json', 'live-sync.config.mjs', 'live-sync.config.js', 'live-sync.config.ts'] as const;

/** One binding as written in the config file. */
export interface CliBindingConfig {
  /**
   * Unique id; default the file name of `out`. Names the binding in the store
   * and in output: 1 to 128 characters, no `/`, `\` or control characters,
   * not `.` or `..` (`BINDING_ID_INVALID`; see `isValidBindingId`).
   */
  id?: string;
  /** A URL (`http:`/`https:`) or a file path. */
  source: string;
  /** The local copy. */
  out: string;
  /** Default: from the extension of `out` (see `formatFromOut`). */
  format?: OutFormat;
  /** `watch` poll interval of this binding, milliseconds. */
  intervalMs?: number;
  /** Safety and removal policy: an object, or the `--policy` string form. */
  policy?: SyncPolicy | string;
  /** Who wins a merge conflict: `local` (default) or `remote`. `--resolver` overrides it. */
  resolver?: ResolverChoice;
  /** Extra request headers for URL sources. */
  headers?: Record<string, string>;
  /**
   * Hosts a URL source may contact, its redirects included (`httpSource`'s
   * `allowedHosts`): `"api.example.com"`, `"localhost:3000"`, `"*.example.com"`.
   * Default: any. `--allow-host` replaces it.
   */
  allowedHosts?: string[];
  /** Ids of bindings that must sync first. */
  dependsOn?: string[];
  /**
   * Byte limit of this binding's source: bytes, or a size such as `"100MB"`
   * (see `parseByteSize`). Default: the file's `maxBytes`, else 50 MB.
   * `--max-bytes` overrides it.
   */
  maxBytes?: number | string;
}

/** The config file. */
export interface CliConfig {
  /** The store directory; default `.api-live-sync` next to the config file. */
  store?: string;
  /** Default `watch` poll interval, milliseconds. */
  intervalMs?: number;
  /** Default byte limit of every binding's source: bytes, or a size such as `"100MB"`. Default 50 MB. */
  maxBytes?: number | string;
  /** Retries of a failed run by `sync` (default 0) and `watch` (default 2). `--retries` overrides it. */
  retries?: number;
  /** `watch`: consecutive failures that pause a binding for 10 s (default 5; 0 never pauses). `--breaker-threshold` overrides it. */
  breakerThreshold?: number;
  /**
   * How long a local server that refuses or resets connections (restarting)
   * is waited out before its failures count, milliseconds: `sync` default 0,
   * `watch` default 30000. `--restart-grace` overrides it.
   */
  restartGraceMs?: number;
  bindings: CliBindingConfig[];
}

/** How `sync` and `watch` retry, as given by flags or the config file; absent: the command's defaults. */
export interface RetrySettings {
  retries?: number;
  breakerThreshold?: number;
  restartGraceMs?: number;
}

/** A binding ready to use: paths absolute, format and id decided. */
export interface ResolvedBinding {
  id: string;
  /** The URL, or the absolute file path. */
  source: string;
  sourceKind: 'url' | 'file';
  /** Absolute path of the local copy. */
  out: string;
  format: OutFormat;
  intervalMs?: number;
  policy?: SyncPolicy;
  /** Who wins a merge conflict; absent: local. */
  resolver?: ResolverChoice;
  headers: Record<string, string>;
  /** Hosts a URL source may contact, redirects included; absent: any. */
  allowedHosts?: string[];
  dependsOn: string[];
  /** Byte limit of the source; absent: the sources' default (50 MB). */
  maxBytes?: number;
}

/** A loaded config file. */
export interface LoadedConfig extends RetrySettings {
  /** Absolute path of the file. */
  path: string;
  /** Absolute store directory. */
  store: string;
  intervalMs?: number;
  bindings: ResolvedBinding[];
}

/** The config file to use: `explicit` (relative to `cwd`), else the first of {@link CONFIG_FILE_NAMES} in `cwd`, else undefined. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`The config file ${path} does not exist.`, { hint: 'Check the path given to --config.' });
    return path;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Read, evaluate (modules) and validate a config file. Every problem is a `ConfigError` (or `BINDING_ID_INVALID`) naming the file. */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const ext = extname(path).toLowerCase();
  const isModule = ext === '.mjs' || ext === '.js' || ext === '.cjs' || ext === '.ts' || ext === '.mts';
  if (ext !== '.json' && !isModule) {
    throw new ConfigError(`Unsupported config file ${path}: expected .json, .mjs, .js or .ts.`, {
      hint: `Name it ${CONFIG_FILE_NAMES[0]}.`,
    });
  }
  // A FIFO or a device named like a config file would block the read (or, for a module, the whole process): refuse it unopened.
  let text: string;
  try {
    const opened = await openRegularFile(path);
    if (opened.kind === 'other') {
      throw new ConfigError(`The config file ${path} is ${opened.found}, not a regular file.`, {
        hint: 'Point --config at the config file itself.',
        details: { path },
      });
    }
    try {
      text = isModule ? '' : await opened.handle.readFile('utf8');
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
  } catch (error) {
    if (isSyncError(error)) throw error;
    throw new ConfigError(`Could not read the config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  if (!isModule) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`The config file ${path} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
        hint: 'Fix the JSON syntax.',
      });
    }
  } else {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const hint =
        code === 'ERR_UNKNOWN_FILE_EXTENSION'
          ? 'This Node.js cannot load TypeScript by itself: rename the file to .mjs, or run on a Node.js with type stripping (22.18 and up).'
          : 'Fix the error in the config module.';
      throw new ConfigError(`Could not load the config module ${path}: ${(error as Error).message}`, { cause: error, hint });
    }
    raw = module.default;
    if (typeof raw === 'function') raw = await (raw as () => unknown)();
  }
  return validateConfig(raw, path);
}

const TOP_KEYS = new Set(['$schema', 'store', 'intervalMs', 'maxBytes', 'retries', 'breakerThreshold', 'restartGraceMs', 'bindings']);
const BINDING_KEYS = new Set([
  'id',
  'source',
  'out',
  'format',
  'intervalMs',
  'policy',
  'resolver',
  'headers',
  'allowedHosts',
  'dependsOn',
  'maxBytes',
]);

/** Validate a config value read from `path`, resolving its relative paths against the file's folder. Throws `CONFIG_INVALID`, or `BINDING_ID_INVALID` for an id that is not a binding id. */
export function validateConfig(raw: unknown, path: string): LoadedConfig {
  const dir = dirname(path);
  const fail = (message: string, hint = 'See node_modules/api-live-sync/docs/cli.md, "Config file".'): never => {
    throw new ConfigError(`${basename(path)}: ${message}`, { hint, details: { path } });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail(`expected an object with \`bindings\`, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}.`);
  const config = raw as Record<string, unknown>;
  for (const key of Object.keys(config))
    if (!TOP_KEYS.has(key)) fail(`unknown key \`${key}\`.`, `Known keys: ${[...TOP_KEYS].join(', ')}.`);
  if (config.store !== undefined && (typeof config.store !== 'string' || config.store === ''))
    fail('expected `store` to be a directory path.');
  const interval = config.intervalMs;
  if (interval !== undefined && !(Number.isInteger(interval) && (interval as number) >= 1))
    fail(`expected \`intervalMs\` to be a whole number from 1 and up, got ${JSON.stringify(interval)}.`);
  const size = (value: unknown, where: string): number | undefined => {
    if (value === undefined) return undefined;
    const bytes = typeof value === 'string' || typeof value === 'number' ? parseByteSize(value) : undefined;
    if (bytes === undefined)
      fail(
        `expected \`${where}\` to be a whole number of bytes or a size such as "100MB", got ${JSON.stringify(value)}.`,
        'KB, MB and GB are 1024-based.',
      );
    return bytes;
  };
  const defaultMaxBytes = size(config.maxBytes, 'maxBytes');
  for (const key of ['retries', 'breakerThreshold', 'restartGraceMs'] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0))
      fail(`expected \`${key}\` to be a whole number from 0 and up, got ${JSON.stringify(value)}.`);
  }
  if (!Array.isArray(config.bindings) || config.bindings.length === 0) fail('expected `bindings` to be a non-empty array.');
  const ids = new Set<string>();
  const bindings = (config.bindings as unknown[]).map((value, index): ResolvedBinding => {
    const where = `bindings[${index}]`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`expected ${where} to be an object.`);
    const b = value as Record<string, unknown>;
    for (const key of Object.keys(b))
      if (!BINDING_KEYS.has(key)) fail(`${where}: unknown key \`${key}\`.`, `Known keys: ${[...BINDING_KEYS].join(', ')}.`);
    if (typeof b.source !== 'string' || b.source === '') fail(`${where}: expected \`source\` to be a URL or a file path.`);
    if (typeof b.out !== 'string' || b.out === '') fail(`${where}: expected \`out\` to be a file path.`);
    const source = b.source as string;
    const out = resolve(dir, b.out as string);
    if (b.format !== undefined && b.format !== 'openapi' && b.format !== 'hoppscotch' && b.format !== 'postman' && b.format !== 'bruno')
      fail(`${where}: expected \`format\` to be openapi, hoppscotch, postman or bruno, got ${JSON.stringify(b.format)}.`);
    const id = b.id === undefined ? basename(out) : b.id;
    assertBindingId(id, `${b.id === undefined ? `the id of ${where} (the file name of \`out\`)` : `\`${where}.id\``} in ${basename(path)}`);
    if (ids.has(id)) fail(`${where}: the id \`${id}\` is used twice.`, 'Give every binding its own id.');
    ids.add(id);
    if (b.intervalMs !== undefined && !(Number.isInteger(b.intervalMs) && (b.intervalMs as number) >= 1))
      fail(`${where}: expected \`intervalMs\` to be a whole number from 1 and up.`);
    let policy: SyncPolicy | undefined;
    if (typeof b.policy === 'string') policy = parsePolicy(b.policy);
    else if (b.policy !== undefined) {
      if (b.policy === null || typeof b.policy !== 'object' || Array.isArray(b.policy))
        return fail(`${where}: expected \`policy\` to be an object or a string.`);
      const entries = Object.entries(b.policy).map(([k, v]) => `${k}=${String(v)}`);
      policy = parsePolicy(entries.join(','));
    }
    const resolver = b.resolver === undefined ? undefined : asResolverChoice(b.resolver);
    if (b.resolver !== undefined && resolver === undefined) {
      fail(
        `${where}: expected \`resolver\` to be ${RESOLVER_CHOICES.join(' or ')}, got ${JSON.stringify(b.resolver)}.`,
        '`local` keeps your edit on a conflict (the default); `remote` takes the value from the source.',
      );
    }
    if (
      b.headers !== undefined &&
      (b.headers === null || typeof b.headers !== 'object' || Object.values(b.headers).some((v) => typeof v !== 'string'))
    ) {
      fail(`${where}: expected \`headers\` to be an object of strings.`);
    }
    if (b.allowedHosts !== undefined) {
      if (!Array.isArray(b.allowedHosts) || b.allowedHosts.length === 0)
        fail(`${where}: expected \`allowedHosts\` to be a non-empty array of hosts.`);
      for (const [i, host] of (b.allowedHosts as unknown[]).entries()) {
        const problem = hostProblem(host);
        if (problem !== undefined)
          fail(
            `${where}: expected \`allowedHosts[${i}]\` to be ${problem}.`,
            'Examples: "api.example.com", "localhost:3000", "*.example.com".',
          );
      }
    }
    if (b.dependsOn !== undefined && (!Array.isArray(b.dependsOn) || b.dependsOn.some((d) => typeof d !== 'string')))
      fail(`${where}: expected \`dependsOn\` to be an array of binding ids.`);
    const maxBytes = size(b.maxBytes, `${where}.maxBytes`) ?? defaultMaxBytes;
    let format: OutFormat;
    let url: boolean;
    try {
      format = formatFromOut(out, b.format as OutFormat | undefined);
      url = isUrlSource(source);
    } catch (error) {
      return fail(`${where}: ${(error as Error).message}`, (error as ConfigError).hint);
    }
    return {
      id,
      source: url ? source : resolve(dir, source),
      sourceKind: url ? 'url' : 'file',
      out,
      format,
      ...(b.intervalMs === undefined ? {} : { intervalMs: b.intervalMs as number }),
      ...(policy === undefined ? {} : { policy }),
      ...(resolver === undefined ? {} : { resolver }),
      headers: { ...((b.headers as Record<string, string> | undefined) ?? {}) },
      ...(b.allowedHosts === undefined ? {} : { allowedHosts: [...(b.allowedHosts as string[])] }),
      dependsOn: [...((b.dependsOn as string[] | undefined) ?? [])],
      ...(maxBytes === undefined ? {} : { maxBytes }),
    };
  });
  for (const b of bindings) {
    for (const dep of b.dependsOn) if (!ids.has(dep)) fail(`binding \`${b.id}\` depends on \`${dep}\`, which is not in the file.`);
  }
  return {
    path,
    store: resolve(dir, typeof config.store === 'string' ? config.store : '.api-live-sync'),
    ...(interval === undefined ? {} : { intervalMs: interval as number }),
    ...(config.retries === undefined ? {} : { retries: config.retries as number }),
    ...(config.breakerThreshold === undefined ? {} : { breakerThreshold: config.breakerThreshold as number }),
    ...(config.restartGraceMs === undefined ? {} : { restartGraceMs: config.restartGraceMs as number }),
    bindings,
  };
}
