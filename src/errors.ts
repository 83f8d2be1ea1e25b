/**
 * Every error the library throws or emits is a {@link SyncError}: a stable
 * machine-readable `code`, a message that says what happened, and a `hint`
 * that says what to do about it. Test by `code`, never by message.
 *
 * @module
 */

const BRAND = Symbol.for('api-live-sync.SyncError');

/**
 * Every stable error code, at run time. Codes never change meaning between
 * releases; new codes may be added. docs/troubleshooting.md explains each.
 */
export const syncErrorCodes = [
  // configuration and engine use
  'CONFIG_INVALID',
  'BINDING_EXISTS',
  'BINDING_NOT_FOUND',
  'BINDING_ID_INVALID',
  'BINDING_CONFIG_CONFLICT',
  'DEPENDENCY_MISSING',
  'DEPENDENCY_CYCLE',
  'JOB_NOT_FOUND',
  'JOB_NOT_PENDING',
  'JOB_CANCELLED',
  'JOB_TRANSITION_INVALID',
  'JOB_FAILED',
  'ENGINE_STOPPED',
  'CIRCUIT_OPEN',
  'ROLLBACK_REFUSED',
  'LISTENER_FAILED',
  // sources
  'SOURCE_FAILED',
  'SOURCE_ADAPTER_FAILED',
  'SOURCE_CONNECTION_REFUSED',
  'SOURCE_CONNECTION_RESET',
  'SOURCE_DNS',
  'SOURCE_TIMEOUT',
  'SOURCE_TLS',
  'SOURCE_HTTP_STATUS',
  'SOURCE_TOO_LARGE',
  'SOURCE_REDIRECT_LIMIT',
  'SOURCE_HOST_NOT_ALLOWED',
  'SOURCE_PATH_ESCAPE',
  'SOURCE_FILE_MISSING',
  'SOURCE_NOT_A_FILE',
  'SOURCE_CLASH',
  'DISCOVERY_FAILED',
  // the loaded document
  'SPEC_EMPTY',
  'SPEC_HTML',
  'SPEC_PARSE',
  'SPEC_NOT_OPENAPI',
  'SPEC_UNSUPPORTED_VERSION',
  'SPEC_NO_PATHS',
  'SPEC_INVALID',
  'SPEC_TOO_DEEP',
  'SPEC_ALIAS_LIMIT',
  'SPEC_REMOTE_REF',
  'SPEC_UPGRADE_FAILED',
  // merge and conflicts
  'MERGE_FAILED',
  'POINTER_INVALID',
  'CONFLICT_DECISION_INVALID',
  'RESOLVER_FAILED',
  // targets and stores
  'TARGET_READ_FAILED',
  'TARGET_WRITE_FAILED',
  'TARGET_INVALID',
  'TARGET_CHANGED_DURING_WRITE',
  'TARGET_ADAPTER_FAILED',
  'STORE_READ_FAILED',
  'STORE_WRITE_FAILED',
  'STORE_CORRUPT',
  'STORE_ADAPTER_FAILED',
  // scale-out (api-live-sync/redis)
  'STALE_LEASE',
] as const;

/** A stable error code; see {@link syncErrorCodes}. */
export type SyncErrorCode = (typeof syncErrorCodes)[number];

/**
 * Which error class carries which codes: each family owns its codes, so a
 * `SpecError` never carries a source code. A family's constructor accepts
 * only its own (checked by the compiler, and at run time for plain
 * JavaScript: another code throws `CONFIG_INVALID`). `STALE_LEASE` is the one
 * code two families share: the store or the target that refused the write
 * reports it.
 */
export const errorFamilies = {
  ConfigError: ['CONFIG_INVALID'],
  BindingError: [
    'BINDING_EXISTS',
    'BINDING_NOT_FOUND',
    'BINDING_ID_INVALID',
    'BINDING_CONFIG_CONFLICT',
    'DEPENDENCY_MISSING',
    'DEPENDENCY_CYCLE',
  ],
  JobError: [
    'JOB_NOT_FOUND',
    'JOB_NOT_PENDING',
    'JOB_CANCELLED',
    'JOB_TRANSITION_INVALID',
    'JOB_FAILED',
    'ENGINE_STOPPED',
    'CIRCUIT_OPEN',
    'ROLLBACK_REFUSED',
  ],
  ListenerError: ['LISTENER_FAILED'],
  SourceError: [
    'SOURCE_FAILED',
    'SOURCE_ADAPTER_FAILED',
    'SOURCE_CONNECTION_REFUSED',
    'SOURCE_CONNECTION_RESET',
    'SOURCE_DNS',
    'SOURCE_TIMEOUT',
    'SOURCE_TLS',
    'SOURCE_HTTP_STATUS',
    'SOURCE_TOO_LARGE',
    'SOURCE_REDIRECT_LIMIT',
    'SOURCE_HOST_NOT_ALLOWED',
    'SOURCE_PATH_ESCAPE',
    'SOURCE_FILE_MISSING',
    'SOURCE_NOT_A_FILE',
    'SOURCE_CLASH',
    'DISCOVERY_FAILED',
  ],
  SpecError: [
    'SPEC_EMPTY',
    'SPEC_HTML',
    'SPEC_PARSE',
    'SPEC_NOT_OPENAPI',
    'SPEC_UNSUPPORTED_VERSION',
    'SPEC_NO_PATHS',
    'SPEC_INVALID',
    'SPEC_TOO_DEEP',
    'SPEC_ALIAS_LIMIT',
    'SPEC_REMOTE_REF',
    'SPEC_UPGRADE_FAILED',
  ],
  ConflictError: ['MERGE_FAILED', 'POINTER_INVALID', 'CONFLICT_DECISION_INVALID', 'RESOLVER_FAILED'],
  TargetError: [
    'TARGET_READ_FAILED',
    'TARGET_WRITE_FAILED',
    'TARGET_INVALID',
    'TARGET_CHANGED_DURING_WRITE',
    'TARGET_ADAPTER_FAILED',
    'STALE_LEASE',
  ],
  StoreError: ['STORE_READ_FAILED', 'STORE_WRITE_FAILED', 'STORE_CORRUPT', 'STORE_ADAPTER_FAILED', 'STALE_LEASE'],
} as const satisfies Record<string, readonly SyncErrorCode[]>;

/** The name of an error family; see {@link errorFamilies}. */
export type ErrorFamily = keyof typeof errorFamilies;

/** The codes a family owns: `FamilyCode<'SpecError'>` is `'SPEC_EMPTY' | 'SPEC_HTML' | …`. */
export type FamilyCode<F extends ErrorFamily> = (typeof errorFamilies)[F][number];

/** The code, when `family` owns it; else a `ConfigError` saying which codes it owns (a plain-JavaScript caller passed another family's). */
function owned<F extends ErrorFamily>(family: F, code: FamilyCode<F>): FamilyCode<F> {
  const codes: readonly string[] = errorFamilies[family];
  if (!codes.includes(code)) {
    // eslint-disable-next-line @typescript-eslint/no-use-before-define -- ConfigError is defined below; this runs only after the module loaded
    throw new ConfigError(`Expected a ${family} code (${codes.join(', ')}), got ${JSON.stringify(code) ?? String(code)}.`, {
      hint: `Use the error class that owns the code (see errorFamilies), or one of the ${family} codes.`,
      details: { family, code },
    });
  }
  return code;
}

/** Options every {@link SyncError} constructor accepts. */
export interface SyncErrorOptions {
  /** What the user should do about it. Shown by the CLI under the message. */
  hint?: string;
  /** The underlying error, kept for `--verbose` and debugging. */
  cause?: unknown;
  /**
   * Whether the scheduler may retry the job that failed with this error.
   * Defaults per class: source failures are retryable, bad input is not.
   */
  retryable?: boolean;
  /** When the failing peer asked us to wait (HTTP `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /**
   * The failure looks like a server restarting (the HTTP source sets it for
   * a refused or reset connection to a loopback address: a local dev server
   * between stop and start). The scheduler then retries quickly and, for the
   * binding's restart grace period (`restartGraceMs`), does not count it
   * toward the circuit breaker. Default false.
   */
  restarting?: boolean;
  /** Structured, serialisable facts about the failure (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error the library produces.
 *
 * @example
 * ```ts
 * try { await engine.syncNow('petstore'); }
 * catch (err) { if (isSyncError(err) && err.code === 'SOURCE_CONNECTION_REFUSED') ... }
 * ```
 */
export class SyncError extends Error {
  /** Type-only: tells a live error from its serialised form (see {@link SerializedSyncError}). */
  declare readonly [FORM]: 'instance';
  /** The stable code; see {@link SyncErrorCode}. */
  readonly code: SyncErrorCode;
  /** What to do about it. */
  readonly hint: string | undefined;
  /** Whether a retry may help. */
  readonly retryable: boolean;
  /** How long the peer asked us to wait before the next attempt, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Whether the failure looks like a server restarting; see {@link SyncErrorOptions.restarting}. */
  readonly restarting: boolean;
  /** Serialisable details (ids, paths, statuses). */
  readonly details: Record<string, unknown>;

  constructor(code: SyncErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.restarting = options.restarting === true;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain object for events, logs and JSON output. Never includes the stack. */
  toJSON(): SerializedSyncError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.restarting ? { restarting: true } : {}),
      details: this.details,
    };
  }
}

/**
 * A type-only mark, no value at run time: a live {@link SyncError} has
 * `[FORM]: 'instance'`, its serialised form at most `'serialized'`, so
 * `event.error instanceof SyncError` narrows to `never` and the compiler
 * flags any use of it (an event's error is never an instance).
 */
declare const FORM: unique symbol;

/**
 * The serialised form of a {@link SyncError}, as carried by events, statuses
 * and the HTTP API: plain data, not an instance, so `instanceof SyncError` is
 * false for it (and the compiler says so): check its `code` instead.
 */
export interface SerializedSyncError {
  /** Type-only (see {@link SyncError}); never present at run time. */
  readonly [FORM]?: 'serialized';
  name: string;
  code: SyncErrorCode;
  message: string;
  hint?: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** Present (true) when the failure looks like a server restarting. */
  restarting?: true;
  details: Record<string, unknown>;
}

/**
 * True when `value` is a {@link SyncError}, even one created by another copy
 * of this package (the ESM and CommonJS builds loaded side by side).
 */
export function isSyncError(value: unknown): value is SyncError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Invalid options or configuration: nothing was changed. */
export class ConfigError extends SyncError {
  /** Always `CONFIG_INVALID`. */
  declare readonly code: 'CONFIG_INVALID';
  constructor(message: string, options: SyncErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A binding-level misuse: unknown id, duplicate id, missing or cyclic dependency. */
export class BindingError extends SyncError {
  /** One of the binding codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'BindingError'>;
  constructor(code: FamilyCode<'BindingError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('BindingError', code), message, options);
  }
}

/** A job-level condition: unknown job, cancelled job, engine stopped, circuit open. */
export class JobError extends SyncError {
  /** One of the job codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'JobError'>;
  constructor(code: FamilyCode<'JobError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('JobError', code), message, options);
  }
}

/** A source could not produce a document (network, file system, HTTP status). Retryable by default. */
export class SourceError extends SyncError {
  /** One of the source codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'SourceError'>;
  constructor(code: FamilyCode<'SourceError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('SourceError', code), message, { retryable: true, ...options });
  }
}

/** The fetched bytes are not an OpenAPI document the engine can use. Not retryable. */
export class SpecError extends SyncError {
  /** One of the document codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'SpecError'>;
  constructor(code: FamilyCode<'SpecError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('SpecError', code), message, options);
  }
}

/** Merge or conflict resolution failed, or a resolver returned an invalid decision. */
export class ConflictError extends SyncError {
  /** One of the merge and conflict codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'ConflictError'>;
  constructor(code: FamilyCode<'ConflictError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('ConflictError', code), message, options);
  }
}

/** A target could not be read or written, or holds an invalid local copy. */
export class TargetError extends SyncError {
  /** One of the target codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'TargetError'>;
  constructor(code: FamilyCode<'TargetError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('TargetError', code), message, options);
  }
}

/** A store could not be read or written, or holds corrupt data. */
export class StoreError extends SyncError {
  /** One of the store codes; see {@link errorFamilies}. */
  declare readonly code: FamilyCode<'StoreError'>;
  constructor(code: FamilyCode<'StoreError'>, message: string, options: SyncErrorOptions = {}) {
    super(owned('StoreError', code), message, options);
  }
}

/** A user-supplied event listener threw; reported through the `error` event. */
export class ListenerError extends SyncError {
  constructor(event: string, cause: unknown) {
    super('LISTENER_FAILED', `A listener for "${event}" threw: ${describeThrown(cause)}`, {
      cause,
      hint: 'Fix the listener; the engine ignored its failure and carried on.',
      details: { event },
    });
  }
}

/**
 * Wrap anything thrown by an adapter into a {@link SyncError}, keeping
 * `cause`. A value that already is one passes through unchanged.
 */
export function toSyncError(
  value: unknown,
  fallback: { code: SyncErrorCode; message: string; hint?: string; retryable?: boolean },
): SyncError {
  if (isSyncError(value)) return value;
  return syncErrorOf(fallback.code, `${fallback.message}: ${describeThrown(value)}`, {
    cause: value,
    retryable: fallback.retryable ?? false,
    ...(fallback.hint === undefined ? {} : { hint: fallback.hint }),
  });
}

/** An error of the family that owns `code` (a `SpecError` for `SPEC_PARSE`, …); `LISTENER_FAILED` has no such constructor and gets the base class. */
export function syncErrorOf(code: SyncErrorCode, message: string, options: SyncErrorOptions = {}): SyncError {
  const has = (family: ErrorFamily): boolean => (errorFamilies[family] as readonly string[]).includes(code);
  if (code === 'CONFIG_INVALID') return new ConfigError(message, options);
  if (has('BindingError')) return new BindingError(code as FamilyCode<'BindingError'>, message, options);
  if (has('JobError')) return new JobError(code as FamilyCode<'JobError'>, message, options);
  if (has('SourceError')) return new SourceError(code as FamilyCode<'SourceError'>, message, { retryable: false, ...options });
  if (has('SpecError')) return new SpecError(code as FamilyCode<'SpecError'>, message, options);
  if (has('ConflictError')) return new ConflictError(code as FamilyCode<'ConflictError'>, message, options);
  if (has('TargetError')) return new TargetError(code as FamilyCode<'TargetError'>, message, options);
  if (has('StoreError')) return new StoreError(code as FamilyCode<'StoreError'>, message, options);
  return new SyncError(code, message, options);
}

/** The adapters a user can write, and the code an unknown throw from each is reported under. */
const ADAPTER_CODES = {
  source: 'SOURCE_ADAPTER_FAILED',
  target: 'TARGET_ADAPTER_FAILED',
  store: 'STORE_ADAPTER_FAILED',
} as const;

/**
 * What an adapter's throw is reported as: a `SyncError` passes through as
 * it is; anything else (a `TypeError`, a library's own error) becomes
 * `SOURCE_ADAPTER_FAILED`, `TARGET_ADAPTER_FAILED` or `STORE_ADAPTER_FAILED`
 * with `details.adapter` naming the adapter (its `kind`, or its class) and
 * the original as `cause`. Only a source's is retryable (by default), as
 * source failures are.
 */
export function adapterFailure(
  role: keyof typeof ADAPTER_CODES,
  adapter: string,
  thrown: unknown,
  doing: string,
  extra: { hint?: string; retryable?: boolean; details?: Record<string, unknown> } = {},
): SyncError {
  if (isSyncError(thrown)) return thrown;
  return syncErrorOf(ADAPTER_CODES[role], `The ${role} "${adapter}" threw while ${doing}: ${describeThrown(thrown)}`, {
    cause: thrown,
    retryable: extra.retryable ?? role === 'source',
    hint: extra.hint ?? `Fix the ${role} "${adapter}", or make it throw a SyncError that says what went wrong; see the cause.`,
    details: { ...extra.details, adapter },
  });
}

/** A short description of any thrown value. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
