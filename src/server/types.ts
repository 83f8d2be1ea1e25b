/**
 * The shapes of the server integration: what the HTTP handler needs from an
 * engine, its options, and the webhook notifier's options and reports.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConflictDecision } from '../conflict/index.js';
import type { ConflictAnswer, HeldSync, JournalEntry, PendingDecision, SyncResult, SyncStatus } from '../engine/index.js';
import type { SerializedSyncError, SyncErrorCode } from '../errors.js';
import type { SyncEngineEventName, SyncEngineEvents, SyncEngineListener } from '../engine/index.js';
import type { Clock } from '../scheduler/index.js';

/** Anything with the engine's typed `on`/`off`: a `SyncEngine`, or a wrapper around one. */
export interface SyncEventSource {
  /** Listen to an engine event. */
  on<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): unknown;
  /** Stop listening. */
  off<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): unknown;
}

/**
 * What {@link createSyncHandler} uses of an engine. A `SyncEngine` fits it;
 * so does a wrapper that adds or restricts methods. `approve`, `dismiss` and
 * `rollback` are optional: an engine without them answers their endpoints
 * with `501 NOT_SUPPORTED`.
 */
export interface SyncHandlerEngine extends SyncEventSource {
  /** Served by `GET /status`. */
  getSyncStatus(): SyncStatus;
  /** Served by `GET /metrics`. */
  toPrometheusText(): string;
  /** Called by `POST /sources/:id/sync`. */
  syncNow(sourceId: string): Promise<SyncResult>;
  /** Called by `POST /jobs/:jobId/decisions`. */
  resolveConflicts(jobId: string, decisions: readonly ConflictDecision[]): Promise<ConflictAnswer | void>;
  /** Called by `POST /jobs/:jobId/approve`: apply a sync held by a safety rail. */
  approve?(jobId: string): Promise<unknown>;
  /** Called by `POST /jobs/:jobId/dismiss`: drop a sync held by a safety rail. */
  dismiss?(jobId: string): Promise<unknown>;
  /**
   * Called by `POST /sources/:id/rollback`: restore the local copy and base
   * as they were before a journal entry. `options` is passed only when the
   * body asks for `force`.
   */
  rollback?(sourceId: string, toJournalId?: string, options?: { force?: boolean }): Promise<unknown>;
  /** Served by `GET /held`: syncs held by a safety rail. */
  getHeldSyncs?(): readonly HeldSync[];
  /** Served by `GET /conflicts`: jobs waiting for conflict decisions from a person. */
  getPendingDecisions?(): readonly PendingDecision[];
  /** Served by `GET /sources/:id/journal` and used by `GET /sources/:id/changelog`: a binding's journal, oldest first. */
  getJournal?(sourceId: string): Promise<readonly JournalEntry[]>;
}

/** The object form of {@link SyncHandlerOptions.dashboard}. */
export interface SyncHandlerDashboardOptions {
  /**
   * Show the action buttons (approve, dismiss, decide conflicts, roll back)
   * even though the handler has no `auth`: anyone who can open the page can
   * then act. Default false: without `auth` the page is read-only.
   */
  actionsWithoutAuth?: boolean;
}

/** The `next` callback of Express-style middleware. */
export type NextFunction = (error?: unknown) => void;

/** Options of {@link createSyncHandler}. Every field has a documented default. */
export interface SyncHandlerOptions {
  /**
   * Path prefix the endpoints live under, e.g. `/sync` serves `/sync/status`.
   * Default `''`. Leave it empty under Express `app.use('/sync', handler)`,
   * which strips the mount path itself.
   */
  basePath?: string;
  /**
   * Decides whether a request may proceed. When set, every endpoint that
   * changes state (every `POST`) answers `401` unless it returns (or resolves
   * to) `true`; a callback that throws counts as a refusal. Reads need it as
   * {@link SyncHandlerOptions.protectReads} says. {@link bearerAuth} builds
   * the usual one. Default: none (every endpoint is open to the clients the
   * `Host` and origin checks let through).
   */
  auth?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Which reads need {@link SyncHandlerOptions.auth} (without `auth`, none
   * do):
   *
   * - `'sensitive'` (default): the reads that show local values,
   *   `GET /events`, `/held`, `/conflicts`, `/sources/:id/journal` and
   *   `/sources/:id/changelog`; `/status` and `/metrics` stay open.
   * - `true`: every read.
   * - `false`: no read.
   */
  protectReads?: boolean | 'sensitive';
  /**
   * Host names the handler answers to, besides the loopback names
   * (`localhost`, `127.0.0.1`, `[::1]`), which are always allowed, on any
   * port. An entry is a name (`sync.example.com`, any port), a `name:port`
   * (that port only), or `'*'`: any host, for a server behind a proxy that
   * checks the host itself. Every other `Host` gets `403 HOST_NOT_ALLOWED`
   * on every route, which stops DNS rebinding (a page whose own name
   * resolves to your server). Default `[]`.
   */
  allowedHosts?: readonly string[];
  /**
   * Origins of pages allowed to change state (`POST`), besides pages of the
   * server's own origin (`http(s)://` + the request's allowed `Host`).
   * Entries are serialised origins: `https://dashboard.example.com`,
   * `http://localhost:5173`. A `POST` whose `Origin` is another one, or that
   * the browser marks `Sec-Fetch-Site: cross-site` or `same-site`, gets
   * `403 CROSS_SITE_REFUSED`; clients that send neither header (curl,
   * scripts, servers) pass. The handler grants no CORS preflight itself: a
   * page of a listed origin needs CORS answered in front of the handler.
   * Default `[]`.
   */
  allowedOrigins?: readonly string[];
  /** Interval of the `: heartbeat` comment on `/events` streams, in milliseconds; `0` disables. Default 15000. */
  heartbeatMs?: number;
  /**
   * Largest accepted request body on any route, in bytes; a larger one gets
   * `413` as soon as its declared length or its streamed bytes pass the
   * limit, and the connection is closed. Default 65536 (64 KB).
   */
  maxBodyBytes?: number;
  /**
   * An `/events` client whose unsent data exceeds this many bytes (a client
   * that stopped reading) is disconnected, so a slow client cannot grow the
   * server's memory. Default 1048576 (1 MiB).
   */
  maxBufferedBytes?: number;
  /**
   * Serve the review dashboard: `GET <basePath>/` is a page that shows every
   * binding live, what changed, held syncs, conflicts and the journal, and
   * acts through the same routes with the same checks (see
   * docs/dashboard.md). Its script and style sheet are static files of the
   * package, read once when the handler is created. With `auth`, the page
   * asks for the token once and keeps it in the tab's session storage;
   * without `auth` it is read-only unless `{ actionsWithoutAuth: true }`.
   * The page and its assets are the only reads that never need `auth` (a
   * browser cannot send a header when it opens a page); they hold no data.
   * Default false.
   */
  dashboard?: boolean | SyncHandlerDashboardOptions;
  /**
   * Told about failures the client only sees as a generic `500` (an
   * unexpected exception, an auth callback that threw). Default: ignored.
   */
  onError?: (error: unknown, req: IncomingMessage) => void;
}

/**
 * The request handler {@link createSyncHandler} returns: node:http's
 * `(req, res)` signature plus Express's optional `next`. It returns a promise
 * that settles once the request has been answered (for `/events`, once the
 * stream has started); the promise never rejects.
 */
export interface SyncHandler {
  /** Handle one request; unknown routes go to `next()` when given, else get `404`. */
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void>;
  /** End every open `/events` stream and detach from the engine. Call it before `server.close()`. */
  close(): void;
  /** How many `/events` streams are open. */
  readonly clients: number;
}

/** Error codes of the HTTP layer itself, beside the engine's {@link SyncErrorCode}s. */
export type ServerErrorCode =
  /** The auth callback refused the request (401). */
  | 'UNAUTHORIZED'
  /** The `Host` header is not a loopback name or in `allowedHosts` (403). */
  | 'HOST_NOT_ALLOWED'
  /** A `POST` a page of another origin made the browser send: its `Origin` is not the server's or in `allowedOrigins`, or `Sec-Fetch-Site` says cross-site or same-site (403). */
  | 'CROSS_SITE_REFUSED'
  /** No endpoint at this path (404). */
  | 'ROUTE_NOT_FOUND'
  /** The endpoint exists but not for this method (405, with `Allow`). */
  | 'METHOD_NOT_ALLOWED'
  /** Malformed JSON, a body of the wrong shape, a bad query or path (400). */
  | 'REQUEST_INVALID'
  /** A body over `maxBodyBytes` (413). */
  | 'REQUEST_TOO_LARGE'
  /** A `POST` without `content-type: application/json` (415). */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The engine has no method for this endpoint (501). */
  | 'NOT_SUPPORTED'
  /** An unexpected failure; details go to `onError`, never to the client (500). */
  | 'INTERNAL_ERROR';

/** The JSON body of every error response: `{ error: { code, message, hint? , ... } }`. */
export interface ErrorResponseBody {
  /** The error: a serialised `SyncError` for engine failures, or an HTTP-layer error. */
  error: Omit<SerializedSyncError, 'code' | 'name' | 'retryable' | 'details'> & {
    code: SyncErrorCode | ServerErrorCode;
    name?: string;
    retryable?: boolean;
    details?: Record<string, unknown>;
  };
}

/** The JSON body one webhook delivery POSTs; the signature covers its exact bytes. */
export interface WebhookPayload<E extends SyncEngineEventName = SyncEngineEventName> {
  /** Unique per event and URL-independent; the same across retries (also in `x-api-live-sync-delivery`). */
  deliveryId: string;
  /** The event name (also in `x-api-live-sync-event`). */
  event: E;
  /** When the delivery was created, epoch milliseconds (the notifier's clock). */
  createdAt: number;
  /** The binding, when the event concerns one. */
  sourceId?: string;
  /** The job, when the event concerns one. */
  jobId?: string;
  /** The event payload, exactly as engine listeners get it. */
  data: SyncEngineEvents[E];
}

/** One delivery that failed for good, as {@link WebhookNotifierOptions.onError} reports it. */
export interface WebhookFailure {
  /** The receiver. */
  url: string;
  /** The event name. */
  event: SyncEngineEventName;
  /** The delivery id (`x-api-live-sync-delivery`). */
  deliveryId: string;
  /** Attempts made, the first included. */
  attempts: number;
  /** The last HTTP status, when the receiver answered. */
  status?: number;
  /** Why the last attempt failed: a status line, a network error, a timeout. */
  message: string;
}

/** Counters of a {@link WebhookNotifier}; one delivery is one event to one URL. */
export interface WebhookStats {
  /** Deliveries a receiver accepted with a 2xx status. */
  delivered: number;
  /** Deliveries given up after their retries (each also reported to `onError`). */
  failed: number;
  /** Retries made, over all deliveries. */
  retries: number;
  /** Deliveries still in flight (attempting or waiting to retry). */
  inFlight: number;
}

/** Options of {@link webhookNotifier}. */
export interface WebhookNotifierOptions {
  /** Receivers; each event is POSTed to each of them. Required, at least one, http or https. */
  urls: readonly (string | URL)[];
  /**
   * Shared secret. When set, every delivery carries
   * `x-api-live-sync-signature: sha256=<hex HMAC-SHA256 of the raw body>`.
   * Default: unsigned.
   */
  secret?: string;
  /** Engine events to deliver. Default `['sync:applied', 'sync:held']`. */
  events?: readonly SyncEngineEventName[];
  /** Retries after the first attempt, for network errors, timeouts, 408, 429 and 5xx. Default 3. */
  retries?: number;
  /** Delay before retry `n` is `min(maxBackoffMs, backoffMs × 2^(n−1))`, or a longer `Retry-After` (still capped). Default 1000. */
  backoffMs?: number;
  /** Cap of the backoff delay, in milliseconds. Default 30000. */
  maxBackoffMs?: number;
  /** Time allowed for one attempt (connect, send, status line), in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Extra request headers, e.g. an `authorization` the receiver expects. */
  headers?: Readonly<Record<string, string>>;
  /** Told about each delivery that failed for good. Never throws into the engine: a throwing callback is ignored. */
  onError?: (failure: WebhookFailure) => void;
  /** Timer backend for timeouts, backoff and `createdAt`. Default the system clock. */
  clock?: Clock;
  /** How to wait between attempts. Default: a timer on `clock`. Tests pass one that records and resolves at once. */
  sleep?: (ms: number) => Promise<void>;
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Delivery id generator. Default `crypto.randomUUID`. */
  createId?: () => string;
}

/** What {@link webhookNotifier} returns. */
export interface WebhookNotifier {
  /** Counters so far. */
  readonly stats: WebhookStats;
  /** Resolves when no delivery is in flight. */
  onIdle(): Promise<void>;
  /** Stop listening to the engine, then wait for in-flight deliveries (retries included). Idempotent. */
  close(): Promise<void>;
}
