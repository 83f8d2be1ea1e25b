/**
 * How the HTTP source names what went wrong: Node's network errors and HTTP
 * statuses become `SourceError`s with stable codes and hints, and URLs are
 * redacted before they reach any message.
 *
 * @module
 */

import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { JobError, SourceError, isSyncError } from '../errors.js';
import { FRAMEWORK_PORTS } from './frameworks.js';

const SECRET_QUERY = /(token|key|secret|passw|pwd|auth|signature|^sig$|session|credential)/i;

/**
 * The URL as it may appear in messages, events and `location`: no user
 * info, no fragment, and the values of query parameters whose names look
 * like credentials (`token`, `api_key`, `signature`, ...) replaced by `***`.
 */
export function redactUrl(url: URL | string): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  for (const name of [...new Set(copy.searchParams.keys())]) {
    if (SECRET_QUERY.test(name)) copy.searchParams.set(name, '***');
  }
  return copy.toString();
}

/**
 * Milliseconds to wait from an HTTP `Retry-After` value: delay-seconds or an
 * HTTP date. Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** What an error message may say about the request that failed. */
export interface RequestFacts {
  /** The redacted URL. */
  readonly location: string;
  /** The URL (for its port and host). */
  readonly url: URL;
  /** `GET` or `HEAD`. */
  readonly method: string;
}

const TLS_CODE =
  /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE|GET_CRL|DECRYPT)|HOSTNAME_MISMATCH$)/;

/** The port a URL connects to, defaults included. */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** A hint for a refused connection, naming the frameworks that use the port by default. */
export function refusedHint(url: URL): string {
  const port = portOf(url);
  const frameworks = FRAMEWORK_PORTS[port];
  if (frameworks !== undefined) {
    return `Nothing is listening on ${url.host}. Port ${port} is the default of ${frameworks}: start the dev server, or fix the port in the URL.`;
  }
  return `Nothing is listening on ${url.host}: start the API server, or fix the host and port in the URL.`;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('0.0.0.0', 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * True when `host` (a URL's hostname, brackets allowed, or an IP address) is
 * this machine: `localhost` and `*.localhost`, 127.0.0.0/8, `::1`, an
 * IPv4-mapped 127.x address, or the unspecified `0.0.0.0` / `::` (which
 * connect to this machine). Internal: shared with the tests.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  if (family === 0) return false;
  return LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether a failed connection went to this machine: by the URL's host, or by
 * the address Node connected to (a name that resolved to 127.0.0.1).
 */
function toLoopback(error: unknown, url: URL): boolean {
  const address = (error as { address?: unknown } | null)?.address;
  return isLoopbackHost(url.hostname) || (typeof address === 'string' && isLoopbackHost(address));
}

/**
 * Turn anything a Node request threw into a `SourceError`. A refused or
 * reset connection to this machine is marked `restarting` (a dev server
 * between stop and start), which the scheduler waits out. A `SyncError`
 * passes through unchanged (timeouts, size limits and aborts are raised as
 * such by the request code itself).
 */
export function networkError(error: unknown, facts: RequestFacts): SourceError | Error {
  if (isSyncError(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message : String(error);
  const details = { url: facts.location, method: facts.method, nodeCode: code || undefined };
  const at = `${facts.method} ${facts.location}`;
  if (code === 'ECONNREFUSED') {
    return new SourceError('SOURCE_CONNECTION_REFUSED', `${at}: connection refused by ${facts.url.host}.`, {
      cause: error,
      restarting: toLoopback(error, facts.url),
      hint: refusedHint(facts.url),
      details: { ...details, port: portOf(facts.url) },
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || message === 'aborted' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new SourceError('SOURCE_CONNECTION_RESET', `${at}: the server closed the connection before the response was complete.`, {
      cause: error,
      restarting: toLoopback(error, facts.url),
      hint: 'The server crashed or restarted mid-response (a dev server reloading does this); the next attempt usually succeeds.',
      details,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new SourceError('SOURCE_DNS', `${at}: the host name ${facts.url.hostname} could not be resolved (${code}).`, {
      cause: error,
      hint: 'Check the host name for typos; in containers, check that the service name resolves from here.',
      details,
    });
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return timeoutError(facts, 'connect', undefined, error);
  }
  if (TLS_CODE.test(code)) {
    return new SourceError('SOURCE_TLS', `${at}: TLS failed (${code}): ${message}`, {
      cause: error,
      retryable: false,
      hint: 'For a dev server with a self-signed certificate pass its CA as `ca`; use `rejectUnauthorized: false` only on trusted networks.',
      details,
    });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return new SourceError('SOURCE_CONNECTION_REFUSED', `${at}: ${facts.url.host} is unreachable (${code}).`, {
      cause: error,
      hint: 'Check the network route to the host, VPNs and firewalls.',
      details,
    });
  }
  return new SourceError('SOURCE_FAILED', `${at} failed: ${message}`, {
    cause: error,
    hint: 'An unexpected network failure; the next attempt may succeed. Run with --verbose to see the cause.',
    details,
  });
}

/** Which timeout fired. */
export type TimeoutPhase = 'connect' | 'headers' | 'body';

/** A `SOURCE_TIMEOUT` error for one phase of a request. */
export function timeoutError(facts: RequestFacts, phase: TimeoutPhase, ms: number | undefined, cause?: unknown): SourceError {
  const after = ms === undefined ? '' : ` after ${ms} ms`;
  const what = {
    connect: 'connecting',
    headers: 'waiting for the response headers',
    body: 'reading the response body',
  }[phase];
  const option = { connect: 'connectTimeoutMs', headers: 'headersTimeoutMs', body: 'bodyTimeoutMs' }[phase];
  return new SourceError('SOURCE_TIMEOUT', `${facts.method} ${facts.location}: timed out${after} while ${what}.`, {
    ...(cause === undefined ? {} : { cause }),
    hint: `The server is slow or stuck; raise \`${option}\` if it is just slow (a cold start, a large document).`,
    details: { url: facts.location, method: facts.method, phase, ...(ms === undefined ? {} : { timeoutMs: ms }) },
  });
}

/** A `SOURCE_TOO_LARGE` error. */
export function tooLargeError(facts: RequestFacts, maxBytes: number, declared?: number): SourceError {
  const what = declared === undefined ? `more than ${maxBytes} bytes` : `${declared} bytes (Content-Length)`;
  return new SourceError(
    'SOURCE_TOO_LARGE',
    `${facts.method} ${facts.location}: the response is ${what}, over the limit of ${maxBytes} bytes.`,
    {
      retryable: false,
      hint: 'Raise `maxBytes` if the document really is that large; otherwise the URL may point at the wrong resource.',
      details: { url: facts.location, method: facts.method, maxBytes, ...(declared === undefined ? {} : { contentLength: declared }) },
    },
  );
}

const STATUS_HINTS: Record<number, string> = {
  400: 'The server rejected the request; check the URL and its query.',
  401: 'The server wants credentials: pass `auth` (bearer, basic or a header) with a valid secret.',
  403: 'The credentials were refused or lack permission; check `auth` and the account.',
  404: 'Nothing at this path: check the URL, or let `discoverSpec(baseUrl)` find the document.',
  405: 'The server does not allow this method here; check the URL.',
  406: 'The server cannot produce JSON or YAML here; check the URL.',
  408: 'The server timed out waiting for the request; the next attempt may succeed.',
  410: 'The document was removed from this URL; update the URL.',
  429: 'The server is rate-limiting; the engine waits as long as Retry-After asks before retrying.',
  503: 'The server is unavailable (starting or overloaded); the engine retries after Retry-After when given.',
};

/** A `SOURCE_HTTP_STATUS` error for a response that is neither success, 304 nor a redirect. */
export function statusError(facts: RequestFacts, status: number, headers: IncomingHttpHeaders): SourceError {
  const retryAfterHeader = headers['retry-after'];
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfterHeader) : undefined;
  const retryable = status === 408 || status === 429 || status >= 500;
  const hint =
    STATUS_HINTS[status] ??
    (status >= 500
      ? 'The server failed while producing the document; look at its logs. The engine retries with backoff.'
      : 'The server refused the request; check the URL, headers and auth.');
  return new SourceError('SOURCE_HTTP_STATUS', `${facts.method} ${facts.location}: expected 200, got HTTP ${status}.`, {
    retryable,
    hint,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    details: { url: facts.location, method: facts.method, status },
  });
}

/**
 * The error an aborted fetch rejects with: the signal's reason when it is
 * already a `SyncError` (the engine aborts with one), otherwise a
 * non-retryable `JobError` with code `JOB_CANCELLED` and `name`-independent
 * `details.aborted: true`.
 */
export function abortError(signal: AbortSignal, facts: RequestFacts): Error {
  const reason: unknown = signal.reason;
  if (isSyncError(reason)) return reason;
  return new JobError('JOB_CANCELLED', `${facts.method} ${facts.location}: aborted.`, {
    cause: reason,
    retryable: false,
    hint: 'The fetch was cancelled by its AbortSignal (engine stopped or job removed).',
    details: { url: facts.location, method: facts.method, aborted: true },
  });
}
