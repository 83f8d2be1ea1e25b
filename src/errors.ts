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
  'DEPENDENCY_MISSING',
  'DEPENDENCY_CYCLE',
  'JOB_NOT_FOUND',
  'JOB_NOT_PENDING',
  'JOB_CANCELLED',
  'ENGINE_STOPPED',
  'CIRCUIT_OPEN',
  'ROLLBACK_REFUSED',
  'LISTENER_FAILED',
  // sources
  'SOURCE_FAILED',
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
  'STORE_READ_FAILED',
  'STORE_WRITE_FAILED',
  'STORE_CORRUPT',
  // scale-out (api-live-sync/redis)
  'STALE_LEASE',
] as const;

/** A stable error code; see {@link syncErrorCodes}. */
export type SyncErrorCode = (typeof syncErrorCodes)[number];

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

/** The serialised form of a {@link SyncError}, as carried by events. */
export interface SerializedSyncError {
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
  constructor(message: string, options: SyncErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A binding-level misuse: unknown id, duplicate id, missing or cyclic dependency. */
export class BindingError extends SyncError {}

/** A job-level condition: unknown job, cancelled job, engine stopped, circuit open. */
export class JobError extends SyncError {}

/** A source could not produce a document (network, file system, HTTP status). Retryable by default. */
export class SourceError extends SyncError {
  constructor(code: SyncErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(code, message, { retryable: true, ...options });
  }
}

/** The fetched bytes are not an OpenAPI document the engine can use. Not retryable. */
export class SpecError extends SyncError {}

/** Merge or conflict resolution failed, or a resolver returned an invalid decision. */
export class ConflictError extends SyncError {}

/** A target could not be read or written, or holds an invalid local copy. */
export class TargetError extends SyncError {}

/** A store could not be read or written, or holds corrupt data. */
export class StoreError extends SyncError {}

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
  return new SyncError(fallback.code, `${fallback.message}: ${describeThrown(value)}`, {
    cause: value,
    retryable: fallback.retryable ?? false,
    ...(fallback.hint === undefined ? {} : { hint: fallback.hint }),
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
