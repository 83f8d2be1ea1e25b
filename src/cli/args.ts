/**
 * The command line of `api-live-sync`: commands, their flags, and the parser
 * that turns `process.argv` into a {@link ParsedCommand}. Strict: an unknown
 * command, flag or value is a `ConfigError` (`CONFIG_INVALID`), which the
 * CLI reports with exit code 2 and the command's usage.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, type ChangeLevel, type SyncPolicy } from '../index.js';

/** The commands of the CLI. */
export const CLI_COMMANDS = [
  'sync',
  'watch',
  'plan',
  'check',
  'diff',
  'rollback',
  'journal',
  'discover',
  'worker',
  'status',
  'help',
] as const;

/** One command name. */
export type CliCommand = (typeof CLI_COMMANDS)[number];

/** The local copy's format: an OpenAPI file (JSON or YAML), a Hoppscotch or Postman collection (JSON) or a Bruno collection folder. */
export type OutFormat = 'openapi' | 'hoppscotch' | 'postman' | 'bruno';

/** Which side wins a merge conflict: `local` (`preferLocal()`, the default) or `remote` (`preferRemote()`). */
export type ResolverChoice = 'local' | 'remote';

/** The values `--resolver` and a config binding's `resolver` accept. */
export const RESOLVER_CHOICES: readonly ResolverChoice[] = Object.freeze(['local', 'remote']);

/** Check a resolver choice; `undefined` when it is not one of {@link RESOLVER_CHOICES}. */
export function asResolverChoice(value: unknown): ResolverChoice | undefined {
  return value === 'local' || value === 'remote' ? value : undefined;
}

/** Flags every command accepts. */
export interface GlobalFlags {
  /** Print one JSON document on stdout (watch: one JSON object per line). */
  json: boolean;
  /** Print stack traces and more events. */
  verbose: boolean;
  /** An explicit config file (`--config`). */
  config?: string;
}

/** What `sync`, `watch`, `plan` and `check` were asked to do. */
export interface BindingCommand extends GlobalFlags {
  command: 'sync' | 'watch' | 'plan' | 'check';
  /** A URL or a file path; absent: the bindings of the config file. */
  source?: string;
  out?: string;
  format?: OutFormat;
  policy?: SyncPolicy;
  /** Who wins a conflict (`--resolver`); overrides the config file's. */
  resolver?: ResolverChoice;
  /** The store directory (`--store`). */
  store?: string;
  /** Extra request headers for URL sources (`--header "Name: value"`). */
  headers: Record<string, string>;
  /** Hosts URL sources may contact, redirects included (`--allow-host`, repeatable); empty: the config's, else any. */
  allowedHosts: string[];
  /** Config binding ids to run (`--binding`); empty: all. */
  bindings: string[];
  /** Poll interval of `watch`, milliseconds. */
  intervalMs?: number;
  /** `sync`, `watch`: retries of a failed run (`--retries`). */
  retries?: number;
  /** `watch`: consecutive failures that pause a binding (`--breaker-threshold`); 0 never pauses. */
  breakerThreshold?: number;
  /** `sync`, `watch`: how long a restarting local server is waited out, milliseconds (`--restart-grace`); 0 does not wait. */
  restartGraceMs?: number;
  /** `sync`: apply a run a safety rail held. */
  approve: boolean;
  /** Byte limit of the sources (`--max-bytes`); overrides the config file's. */
  maxBytes?: number;
  /** `plan`: print Markdown (`--markdown`) instead of plain text. */
  markdown?: boolean;
}

/** What `diff` was asked to do. */
export interface DiffCommand extends GlobalFlags {
  command: 'diff';
  old: string;
  new: string;
  failOn?: ChangeLevel;
  headers: Record<string, string>;
  /** Hosts the URLs may contact, redirects included (`--allow-host`); empty: any. */
  allowedHosts: string[];
  /** Byte limit of each document (`--max-bytes`). */
  maxBytes?: number;
}

/** What `rollback` and `journal` were asked to do. */
export interface JournalCommand extends GlobalFlags {
  command: 'rollback' | 'journal';
  out?: string;
  binding?: string;
  format?: OutFormat;
  store?: string;
  /** `rollback`: the journal entry to roll back to before (default the newest). */
  to?: string;
  /** `rollback`: roll back even though the local copy changed since the last sync. */
  force: boolean;
}

/** What `discover` was asked to do. */
export interface DiscoverCommand extends GlobalFlags {
  command: 'discover';
  baseUrl: string;
  headers: Record<string, string>;
  /** Hosts the probes may contact, redirects included (`--allow-host`); empty: any. */
  allowedHosts: string[];
  timeoutMs?: number;
  /** Byte limit of each response body (`--max-bytes`). */
  maxBytes?: number;
}

/** What `worker` and `status` were asked to do: they share bindings through Redis (see docs/scale-out.md). */
export interface ClusterCommand extends GlobalFlags {
  command: 'worker' | 'status';
  /** The Redis server, a `redis://` or `rediss://` URL (`--redis`). */
  redis: string;
  /** The deployment's key prefix (`--prefix`). */
  prefix?: string;
  /** `worker`: its id in leases, jobs and events (`--worker-id`). */
  workerId?: string;
  /** `worker`: lease and job lock TTL, milliseconds (`--lease-ttl`). */
  leaseTtlMs?: number;
  /** `worker`: poll interval of bindings that set none, milliseconds (`--interval`). */
  intervalMs?: number;
  /** `worker`: config binding ids to run (`--binding`); empty: all. */
  bindings: string[];
}

/** `help [command]`, `--help`, `--version`. */
export interface HelpCommand extends GlobalFlags {
  command: 'help' | 'version';
  topic?: CliCommand;
}

/** A parsed command line. */
export type ParsedCommand = BindingCommand | DiffCommand | JournalCommand | DiscoverCommand | ClusterCommand | HelpCommand;

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL: Options = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
};

const BINDING: Options = {
  ...GLOBAL,
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  policy: { type: 'string', short: 'p' },
  resolver: { type: 'string' },
  store: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  'allow-host': { type: 'string', multiple: true },
  binding: { type: 'string', short: 'b', multiple: true },
  'max-bytes': { type: 'string' },
};

/** How failed runs are retried (`sync` and `watch`). */
const RETRYING: Options = {
  retries: { type: 'string' },
  'restart-grace': { type: 'string' },
};

const FLAGS: Record<Exclude<CliCommand, 'help'>, Options> = {
  sync: { ...BINDING, ...RETRYING, approve: { type: 'boolean' } },
  watch: { ...BINDING, ...RETRYING, interval: { type: 'string', short: 'i' }, 'breaker-threshold': { type: 'string' } },
  plan: { ...BINDING, markdown: { type: 'boolean' } },
  check: BINDING,
  diff: {
    ...GLOBAL,
    'fail-on': { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    'allow-host': { type: 'string', multiple: true },
    'max-bytes': { type: 'string' },
  },
  rollback: {
    ...GLOBAL,
    out: { type: 'string', short: 'o' },
    binding: { type: 'string', short: 'b' },
    format: { type: 'string', short: 'f' },
    store: { type: 'string' },
    to: { type: 'string' },
    force: { type: 'boolean' },
  },
  journal: {
    ...GLOBAL,
    out: { type: 'string', short: 'o' },
    binding: { type: 'string', short: 'b' },
    format: { type: 'string', short: 'f' },
    store: { type: 'string' },
  },
  worker: {
    ...GLOBAL,
    redis: { type: 'string' },
    prefix: { type: 'string' },
    'worker-id': { type: 'string' },
    'lease-ttl': { type: 'string' },
    interval: { type: 'string', short: 'i' },
    binding: { type: 'string', short: 'b', multiple: true },
  },
  status: { ...GLOBAL, redis: { type: 'string' }, prefix: { type: 'string' } },
  discover: {
    ...GLOBAL,
    header: { type: 'string', short: 'H', multiple: true },
    'allow-host': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    'max-bytes': { type: 'string' },
  },
};

/** Default poll interval of `watch`, in milliseconds. */
export const DEFAULT_WATCH_INTERVAL_MS = 2000;

/** A `ConfigError` that knows which command's usage to show. */
export class UsageError extends ConfigError {
  /** The command whose usage applies, when known. */
  readonly command: CliCommand | undefined;

  constructor(message: string, command: CliCommand | undefined, hint?: string) {
    super(message, {
      hint: hint ?? (command ? `Run \`api-live-sync help ${command}\` for its usage.` : 'Run `api-live-sync --help` for the commands.'),
    });
    this.command = command;
  }
}

function isCommand(value: string): value is CliCommand {
  return (CLI_COMMANDS as readonly string[]).includes(value);
}

/**
 * Parse a command line (without `node` and the script): the first argument
 * is the command, the rest its positionals and flags. Throws a
 * {@link UsageError} (`CONFIG_INVALID`) for anything unknown or malformed.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const first = argv[0];
  if (first === undefined) throw new UsageError('No command given.', undefined);
  if (first === '--help' || first === '-h') return { command: 'help', json: argv.includes('--json'), verbose: false };
  if (first === '--version' || first === '-V') return { command: 'version', json: argv.includes('--json'), verbose: false };
  if (!isCommand(first)) {
    throw new UsageError(
      first.startsWith('-') ? `Expected a command before the flag \`${first}\`.` : `Unknown command \`${first}\`.`,
      undefined,
      `Commands: ${CLI_COMMANDS.join(', ')}. Run \`api-live-sync --help\`.`,
    );
  }
  const rest = argv.slice(1);
  if (first === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic !== undefined && !isCommand(topic))
      throw new UsageError(`Unknown command \`${topic}\`.`, undefined, `Commands: ${CLI_COMMANDS.join(', ')}.`);
    return { command: 'help', json: rest.includes('--json'), verbose: false, ...(topic === undefined ? {} : { topic }) };
  }
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: FLAGS[first], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(((error as Error).message ?? String(error)).replace(/\s+To specify a positional argument.*$/s, ''), first);
  }
  const { values, positionals } = parsed;
  const global: GlobalFlags = {
    json: values.json === true,
    verbose: values.verbose === true,
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
  };
  if (values.help === true) return { command: 'help', topic: first, ...global };

  const str = (name: string): string | undefined => {
    const value = values[name];
    if (typeof value !== 'string') return undefined;
    if (value === '') throw new UsageError(`Expected \`--${name}\` to have a value.`, first);
    return value;
  };
  const positional = (max: number, names: string) => {
    if (positionals.length > max) throw new UsageError(`Unexpected argument \`${positionals[max]}\`; \`${first}\` takes ${names}.`, first);
  };
  const headers = () => parseHeaders((values.header as string[] | undefined) ?? [], first);
  const maxBytes = (): { maxBytes?: number } => {
    const text = str('max-bytes');
    if (text === undefined) return {};
    const bytes = parseByteSize(text);
    if (bytes === undefined)
      throw new UsageError(
        `Expected \`--max-bytes\` to be a size in bytes, got \`${text}\`.`,
        first,
        'Examples: --max-bytes 100MB, --max-bytes 1.5GB, --max-bytes 80000000 (KB, MB and GB are 1024-based).',
      );
    return { maxBytes: bytes };
  };
  const allowedHosts = () =>
    ((values['allow-host'] as string[] | undefined) ?? []).map((host) => {
      const problem = hostProblem(host);
      if (problem !== undefined)
        throw new UsageError(
          `Expected \`--allow-host\` to be ${problem}.`,
          first,
          'Examples: --allow-host api.example.com, --allow-host localhost:3000, --allow-host "*.example.com".',
        );
      return host;
    });

  switch (first) {
    case 'sync':
    case 'watch':
    case 'plan':
    case 'check': {
      positional(1, 'at most one <source>');
      const source = positionals[0];
      const out = str('out');
      const bindings = (values.binding as string[] | undefined) ?? [];
      if (source !== undefined) {
        if (out === undefined) throw new UsageError(`\`${first} <source>\` needs \`--out <file>\`: where the local copy lives.`, first);
        if (bindings.length > 0)
          throw new UsageError('`--binding` selects bindings of the config file; it cannot be used with a <source>.', first);
      } else if (out !== undefined) {
        throw new UsageError(
          `\`--out\` needs a <source>: \`api-live-sync ${first} <url|file> --out ${out}\`.`,
          first,
          'Without a <source>, the bindings of the config file are used.',
        );
      }
      const format = str('format');
      const policy = str('policy');
      const resolver = str('resolver');
      const store = str('store');
      const interval = str('interval');
      const retries = str('retries');
      const breakerThreshold = str('breaker-threshold');
      const restartGrace = str('restart-grace');
      return {
        command: first,
        ...global,
        ...(source === undefined ? {} : { source }),
        ...(out === undefined ? {} : { out }),
        ...(format === undefined ? {} : { format: parseFormat(format, first) }),
        ...(policy === undefined ? {} : { policy: parsePolicy(policy, first) }),
        ...(resolver === undefined ? {} : { resolver: parseResolver(resolver, first) }),
        ...(store === undefined ? {} : { store }),
        headers: headers(),
        allowedHosts: allowedHosts(),
        bindings,
        ...(interval === undefined ? {} : { intervalMs: parseMilliseconds(interval, 'interval', first) }),
        ...(retries === undefined ? {} : { retries: parseWhole(retries, 'retries', first, 'a whole number from 0 and up') }),
        ...(breakerThreshold === undefined
          ? {}
          : { breakerThreshold: parseWhole(breakerThreshold, 'breaker-threshold', first, 'a whole number from 0 (never pause) and up') }),
        ...(restartGrace === undefined
          ? {}
          : {
              restartGraceMs: parseWhole(
                restartGrace,
                'restart-grace',
                first,
                'a whole number of milliseconds from 0 (do not wait) and up',
              ),
            }),
        approve: values.approve === true,
        ...maxBytes(),
        ...(values.markdown === true ? { markdown: true } : {}),
      };
    }
    case 'diff': {
      positional(2, '<old> and <new>');
      const [old, next] = positionals;
      if (old === undefined || next === undefined)
        throw new UsageError('`diff` needs two documents: `api-live-sync diff <old> <new>` (files or URLs).', first);
      const failOn = str('fail-on');
      if (failOn !== undefined && !['breaking', 'warning', 'info'].includes(failOn)) {
        throw new UsageError(`Expected \`--fail-on\` to be breaking, warning or info, got \`${failOn}\`.`, first);
      }
      return {
        command: 'diff',
        ...global,
        old,
        new: next,
        ...(failOn === undefined ? {} : { failOn: failOn as ChangeLevel }),
        headers: headers(),
        allowedHosts: allowedHosts(),
        ...maxBytes(),
      };
    }
    case 'rollback':
    case 'journal': {
      positional(0, 'no positional arguments (use `--out <file>` or `--binding <id>`)');
      const out = str('out');
      const binding = str('binding');
      if (out === undefined && binding === undefined)
        throw new UsageError(`\`${first}\` needs \`--out <file>\` (or \`--binding <id>\` of the config file).`, first);
      if (out !== undefined && binding !== undefined) throw new UsageError('Pass `--out` or `--binding`, not both.', first);
      const format = str('format');
      const store = str('store');
      const to = str('to');
      return {
        command: first,
        ...global,
        ...(out === undefined ? {} : { out }),
        ...(binding === undefined ? {} : { binding }),
        ...(format === undefined ? {} : { format: parseFormat(format, first) }),
        ...(store === undefined ? {} : { store }),
        ...(to === undefined ? {} : { to }),
        force: values.force === true,
      };
    }
    case 'worker':
    case 'status': {
      positional(0, 'no positional arguments');
      const redis = str('redis');
      if (redis === undefined)
        throw new UsageError(
          `\`${first}\` needs \`--redis <url>\`: the Redis server the workers share.`,
          first,
          'For example --redis redis://127.0.0.1:6379.',
        );
      if (!/^rediss?:\/\/./.test(redis))
        throw new UsageError(
          `Expected \`--redis\` to be a redis:// or rediss:// URL, got \`${redis.replace(/\/\/[^@/]*@/, '//…@').slice(0, 80)}\`.`,
          first,
          'For example --redis redis://127.0.0.1:6379 or rediss://user:password@redis.example.com:6380/0.',
        );
      const prefix = str('prefix');
      const workerId = str('worker-id');
      const leaseTtl = str('lease-ttl');
      const interval = str('interval');
      return {
        command: first,
        ...global,
        redis,
        ...(prefix === undefined ? {} : { prefix }),
        ...(workerId === undefined ? {} : { workerId }),
        ...(leaseTtl === undefined ? {} : { leaseTtlMs: parseMilliseconds(leaseTtl, 'lease-ttl', first) }),
        ...(interval === undefined ? {} : { intervalMs: parseMilliseconds(interval, 'interval', first) }),
        bindings: (values.binding as string[] | undefined) ?? [],
      };
    }
    case 'discover': {
      positional(1, 'one <baseUrl>');
      const baseUrl = positionals[0];
      if (baseUrl === undefined)
        throw new UsageError('`discover` needs the base URL of a running API, e.g. `api-live-sync discover http://localhost:8000`.', first);
      const timeout = str('timeout');
      return {
        command: 'discover',
        ...global,
        baseUrl,
        headers: headers(),
        allowedHosts: allowedHosts(),
        ...(timeout === undefined ? {} : { timeoutMs: parseMilliseconds(timeout, 'timeout', first) }),
        ...maxBytes(),
      };
    }
  }
}

function parseFormat(value: string, command: CliCommand): OutFormat {
  if (value === 'openapi' || value === 'hoppscotch' || value === 'postman' || value === 'bruno') return value;
  throw new UsageError(`Expected \`--format\` to be openapi, hoppscotch, postman or bruno, got \`${value}\`.`, command);
}

function parseResolver(value: string, command: CliCommand): ResolverChoice {
  const choice = asResolverChoice(value);
  if (choice !== undefined) return choice;
  throw new UsageError(
    `Expected \`--resolver\` to be ${RESOLVER_CHOICES.join(' or ')}, got \`${value}\`.`,
    command,
    '`local` keeps your edit on a conflict (the default); `remote` takes the value from the source.',
  );
}

function parseMilliseconds(value: string, name: string, command: CliCommand): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`Expected \`--${name}\` to be a whole number of milliseconds from 1 and up, got \`${value}\`.`, command);
  }
  return n;
}

/** Bytes in a kilobyte, megabyte and gigabyte of {@link parseByteSize}: 1024-based, as the default limit's "50 MB". */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * A byte size as `--max-bytes` and the config's `maxBytes` accept it: a
 * whole number of bytes (`80000000`), or a number with a unit, `KB`, `MB`
 * or `GB` (1024-based; `KiB`, `MiB`, `GiB`, `k`, `m`, `g` mean the same;
 * any case; `1.5GB`). A positive integer number of bytes, or `undefined`
 * when the text is not a size.
 */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 1 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match === null ? undefined : BYTE_UNITS[(match[2] as string).toLowerCase()];
  if (match === null || unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

function parseWhole(value: string, name: string, command: CliCommand, expected: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`Expected \`--${name}\` to be ${expected}, got \`${value}\`.`, command);
  return n;
}

/**
 * What is wrong with an allowed-host entry (`--allow-host`, a config
 * binding's `allowedHosts`), or `undefined` when it is one: a host name or
 * IP address, with an optional `:port`, or `*.` and a domain.
 */
export function hostProblem(value: unknown): string | undefined {
  const expected = 'a host name, host:port or *.domain';
  if (typeof value !== 'string') return `${expected}, got ${value === null ? 'null' : typeof value}`;
  if (!/^(\*\.)?(\[[0-9a-fA-F:.]+\]|[^\s/\\@?#:[\]*]+)(:\d{1,5})?$/.test(value)) return `${expected}, got \`${value.slice(0, 60)}\``;
  return undefined;
}

function parseHeaders(list: readonly string[], command: CliCommand): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of list) {
    const colon = entry.indexOf(':');
    const name = colon < 0 ? '' : entry.slice(0, colon).trim();
    if (colon < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`Expected \`--header\` as \`Name: value\`, got \`${entry.slice(0, 40)}\`.`, command);
    }
    headers[name] = entry.slice(colon + 1).trim();
  }
  return headers;
}

const POLICY_KEYS = ['removal', 'maxRemovalShare', 'holdOnBreaking', 'stableRuns', 'journalLimit', 'journalBytes'] as const;

/**
 * Parse `--policy removal=deprecate,maxRemovalShare=0.5,holdOnBreaking=true`
 * into a {@link SyncPolicy}. Keys are the policy's own names; values are
 * checked here so that a typo is a usage error rather than a silent default.
 */
export function parsePolicy(text: string, command?: CliCommand): SyncPolicy {
  const policy: SyncPolicy = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    const bad = (expected: string): never => {
      throw new UsageError(
        `Expected policy \`${key}\` to be ${expected}, got \`${value}\`.`,
        command,
        'Example: --policy removal=deprecate,maxRemovalShare=0.5,holdOnBreaking=true',
      );
    };
    switch (key) {
      case 'removal':
        if (value !== 'remove' && value !== 'deprecate' && value !== 'keep') bad('remove, deprecate or keep');
        policy.removal = value as NonNullable<SyncPolicy['removal']>;
        break;
      case 'maxRemovalShare': {
        const n = Number(value);
        if (value === '' || !Number.isFinite(n) || n < 0 || n > 1) bad('a number from 0 to 1');
        policy.maxRemovalShare = n;
        break;
      }
      case 'holdOnBreaking':
        if (value !== 'true' && value !== 'false') bad('true or false');
        policy.holdOnBreaking = value === 'true';
        break;
      case 'stableRuns':
      case 'journalLimit': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1) bad('a whole number from 1 and up');
        policy[key] = n;
        break;
      }
      case 'journalBytes': {
        if (!/^\d+$/.test(value)) bad('a whole number from 0 and up');
        policy.journalBytes = Number(value);
        break;
      }
      default:
        throw new UsageError(`Unknown policy key \`${key}\`.`, command, `Policy keys: ${POLICY_KEYS.join(', ')}.`);
    }
  }
  return policy;
}

/**
 * The format of a local copy from its file name: `*.hoppscotch.json` is a
 * Hoppscotch collection; `*.postman_collection.json` (the name Postman
 * exports under) and `*.postman.json` a Postman collection; other `.json`,
 * `.yaml` and `.yml` are OpenAPI. An
 * explicit `--format` wins; any other extension needs one.
 */
export function formatFromOut(out: string, explicit?: OutFormat): OutFormat {
  const name = out.toLowerCase();
  if (explicit === 'hoppscotch' || explicit === 'postman') {
    if (name.endsWith('.yaml') || name.endsWith('.yml')) {
      throw new ConfigError(`A ${explicit === 'postman' ? 'Postman' : 'Hoppscotch'} collection is JSON; \`${out}\` names a YAML file.`, {
        hint: `Use a .json file for --format ${explicit}.`,
      });
    }
    return explicit;
  }
  if (explicit === 'bruno') {
    if (/\.(json|ya?ml)$/.test(name)) {
      throw new ConfigError(`A Bruno collection is a folder; \`${out}\` names a file.`, {
        hint: 'Pass the collection folder (the one holding bruno.json, or a new one) for --format bruno.',
      });
    }
    return explicit;
  }
  if (explicit === 'openapi') return explicit;
  if (name.endsWith('.hoppscotch.json')) return 'hoppscotch';
  if (name.endsWith('.postman_collection.json') || name.endsWith('.postman.json')) return 'postman';
  if (name.endsWith('.json') || name.endsWith('.yaml') || name.endsWith('.yml')) return 'openapi';
  throw new ConfigError(`Cannot tell the format of \`${out}\` from its extension.`, {
    hint: 'Use a .json, .yaml or .yml file, or pass --format openapi|hoppscotch|postman|bruno (bruno: --out is a collection folder).',
  });
}

/** True when `source` is an `http:` or `https:` URL (else it is a file path). Other schemes are refused. */
export function isUrlSource(source: string): boolean {
  if (/^https?:\/\//i.test(source)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new ConfigError(
      `Unsupported source \`${source.replace(/\/\/[^/@]*@/, '//***@')}\`: only http:, https: and file paths are supported.`,
      {
        hint: 'Pass an http(s) URL of the OpenAPI document, or the path of a local file.',
      },
    );
  }
  return false;
}
