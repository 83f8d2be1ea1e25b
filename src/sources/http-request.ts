/**
 * One HTTP exchange on `node:http` / `node:https`, with exact connect,
 * headers and body timeouts, redirects checked hop by hop against a host
 * allow-list, and a body read that stops the transfer as soon as it passes
 * the size limit. Shared by the HTTP source and spec discovery.
 *
 * @module
 */

import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { SourceError } from '../errors.js';
import { type RequestFacts, abortError, networkError, redactUrl, timeoutError, tooLargeError } from './http-errors.js';

/** Settings of one exchange (a request and the redirects it leads to). */
export interface ExchangeSettings {
  readonly method: 'GET' | 'HEAD';
  /** Headers sent on every hop (user agent, accept, conditionals). */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers that carry credentials: sent only while the origin stays the one first asked. */
  readonly credentialHeaders: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly maxRedirects: number;
  /** Hosts that may be contacted; undefined allows any. */
  readonly allowedHosts: readonly string[] | undefined;
  readonly signal: AbortSignal;
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  readonly rejectUnauthorized?: boolean;
}

/** A response whose headers have arrived and whose body has not been read. */
export interface OpenResponse {
  /** The URL that answered, after redirects. */
  readonly url: URL;
  /** Facts for messages about this response. */
  readonly facts: RequestFacts;
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly response: http.IncomingMessage;
  readonly request: http.ClientRequest;
  /** Redirects followed on the way, as redacted URLs. */
  readonly redirects: readonly string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * True when `url`'s host is allowed by `allowedHosts`. Entries are host
 * names (`api.example.com`), host and port (`localhost:3000`) or a wildcard
 * for subdomains (`*.example.com`), compared case-insensitively.
 */
export function hostAllowed(url: URL, allowedHosts: readonly string[] | undefined): boolean {
  if (allowedHosts === undefined) return true;
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule.startsWith('*.')) return hostname.endsWith(rule.slice(1));
    return rule === hostname || rule === host;
  });
}

function hostError(url: URL, facts: RequestFacts, allowedHosts: readonly string[], via: string | undefined): SourceError {
  const how = via === undefined ? '' : ` (redirected from ${via})`;
  return new SourceError(
    'SOURCE_HOST_NOT_ALLOWED',
    `${facts.method} ${facts.location}${how}: host ${url.host} is not in allowedHosts [${allowedHosts.join(', ')}].`,
    {
      retryable: false,
      hint: `Add "${url.hostname}" to \`allowedHosts\` if you trust it; otherwise the server is sending you somewhere unexpected.`,
      details: { url: facts.location, method: facts.method, host: url.host, ...(via === undefined ? {} : { redirectedFrom: via }) },
    },
  );
}

/**
 * Send the request, follow redirects, and resolve with the first response
 * that is not a redirect. The body of that response is left unread: call
 * {@link readBody} or {@link discard}.
 */
export async function exchange(start: URL, settings: ExchangeSettings): Promise<OpenResponse> {
  let url = start;
  const redirects: string[] = [];
  const seen = new Set<string>([url.href]);
  let method = settings.method;
  let from: URL | undefined;
  for (;;) {
    const facts: RequestFacts = { url, location: redactUrl(url), method };
    if (!hostAllowed(url, settings.allowedHosts)) {
      throw hostError(url, facts, settings.allowedHosts ?? [], from === undefined ? undefined : redactUrl(from));
    }
    const sameOrigin = url.origin === start.origin;
    const headers = sameOrigin ? { ...settings.headers, ...settings.credentialHeaders } : { ...settings.headers };
    const open = await openRequest(url, method, headers, facts, settings);
    open.redirects = redirects;
    const location = open.headers.location;
    if (!REDIRECT_STATUSES.has(open.status) || location === undefined) return open;
    discard(open);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (error) {
      throw new SourceError('SOURCE_HTTP_STATUS', `${method} ${facts.location}: redirect ${open.status} to an invalid Location.`, {
        cause: error,
        retryable: false,
        hint: 'The server sent a broken Location header; fix the server or use the final URL directly.',
        details: { url: facts.location, method, status: open.status },
      });
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new SourceError(
        'SOURCE_HOST_NOT_ALLOWED',
        `${method} ${facts.location}: redirect to a ${next.protocol} URL, expected http or https.`,
        {
          retryable: false,
          hint: 'Point the source at the final http(s) URL of the document.',
          details: { url: facts.location, method, status: open.status },
        },
      );
    }
    redirects.push(redactUrl(next));
    if (seen.has(next.href) || redirects.length > settings.maxRedirects) {
      const loop = seen.has(next.href);
      throw new SourceError(
        'SOURCE_REDIRECT_LIMIT',
        loop
          ? `${settings.method} ${redactUrl(start)}: redirect loop back to ${redactUrl(next)} after ${redirects.length} redirects.`
          : `${settings.method} ${redactUrl(start)}: more than ${settings.maxRedirects} redirects (maxRedirects).`,
        {
          retryable: false,
          hint: loop
            ? 'The server redirects in a circle (often a login or trailing-slash rule); fix the server or use the final URL.'
            : 'Use the final URL directly, or raise `maxRedirects`.',
          details: { url: redactUrl(start), method: settings.method, redirects: [...redirects], loop },
        },
      );
    }
    seen.add(next.href);
    if (open.status === 303 && method !== 'HEAD') method = 'GET';
    from = url;
    url = next;
  }
}

type MutableOpen = { -readonly [K in keyof OpenResponse]: OpenResponse[K] };

function openRequest(
  url: URL,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  facts: RequestFacts,
  settings: ExchangeSettings,
): Promise<MutableOpen> {
  return new Promise<MutableOpen>((resolve, reject) => {
    const { signal } = settings;
    if (signal.aborted) {
      reject(abortError(signal, facts));
      return;
    }
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method,
      headers,
      agent: false,
      ...(secure && settings.ca !== undefined ? { ca: settings.ca as string | Buffer | Array<string | Buffer> } : {}),
      ...(secure && settings.rejectUnauthorized !== undefined ? { rejectUnauthorized: settings.rejectUnauthorized } : {}),
    };
    const request = (secure ? https : http).request(url, options);
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const cleanup = (): void => {
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      request.destroy();
      reject(networkError(error, facts));
    };
    const onAbort = (): void => fail(abortError(signal, facts));
    signal.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => fail(timeoutError(facts, 'headers', settings.headersTimeoutMs)), settings.headersTimeoutMs));
    const connectTimer = setTimeout(() => fail(timeoutError(facts, 'connect', settings.connectTimeoutMs)), settings.connectTimeoutMs);
    timers.push(connectTimer);
    request.once('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.on('error', fail);
    request.once('response', (response) => {
      if (settled) {
        response.destroy();
        return;
      }
      settled = true;
      cleanup();
      // Until readBody takes over, a late error on either stream must not go unhandled.
      request.on('error', noop);
      response.on('error', noop);
      resolve({
        url,
        facts,
        status: response.statusCode ?? 0,
        headers: response.headers,
        response,
        request,
        redirects: [],
      });
    });
    request.end();
  });
}

function noop(): void {}

/** Stop a response without reading its body. */
export function discard(open: OpenResponse): void {
  open.response.destroy();
  open.request.destroy();
}

/** Limits of {@link readBody}. */
export interface BodyLimits {
  readonly maxBytes: number;
  readonly bodyTimeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * Read the whole body, decoding gzip, deflate and brotli. The limit applies
 * to the decoded bytes and is enforced while streaming: the request is
 * destroyed as soon as it is passed, so the rest is never transferred. A
 * `Content-Length` over the limit is refused before reading anything.
 */
export function readBody(open: OpenResponse, limits: BodyLimits): Promise<Buffer> {
  const { facts, response, request } = open;
  return new Promise<Buffer>((resolve, reject) => {
    const declared = Number(open.headers['content-length']);
    const encoding = String(open.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const identity = encoding === 'identity' || encoding === '';
    if (identity && Number.isFinite(declared) && declared > limits.maxBytes) {
      discard(open);
      reject(tooLargeError(facts, limits.maxBytes, declared));
      return;
    }
    if (limits.signal.aborted) {
      discard(open);
      reject(abortError(limits.signal, facts));
      return;
    }
    let stream: Readable = response;
    let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip();
    else if (encoding === 'deflate') decoder = zlib.createInflate();
    else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
    if (decoder !== undefined) {
      stream = response.pipe(decoder);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: unknown, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        chunks.length = 0;
        discard(open);
        decoder?.destroy();
        reject(networkError(error, facts));
      } else {
        resolve(body ?? Buffer.alloc(0));
      }
    };
    const onAbort = (): void => finish(abortError(limits.signal, facts));
    limits.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(timeoutError(facts, 'body', limits.bodyTimeoutMs)), limits.bodyTimeoutMs);
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limits.maxBytes) {
        finish(tooLargeError(facts, limits.maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      if (!response.complete) finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      else finish(undefined, Buffer.concat(chunks, size));
    });
    response.on('error', finish);
    request.on('error', finish);
    decoder?.on('error', (error) =>
      finish(
        new SourceError('SOURCE_FAILED', `${facts.method} ${facts.location}: the ${encoding} body could not be decoded: ${error.message}`, {
          cause: error,
          hint: 'The server sent a corrupt compressed body; check its compression middleware.',
          details: { url: facts.location, method: facts.method, contentEncoding: encoding },
        }),
      ),
    );
    response.once('close', () => {
      if (!response.complete) finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    });
  });
}
