/**
 * The HTTP source: fetches the OpenAPI document a live API serves, with
 * conditional requests, an optional HEAD probe, exact timeouts, a streaming
 * size limit, redirects checked against a host allow-list, and errors that
 * never carry a secret. See docs/http-source.md.
 *
 * @module
 */

import { ConfigError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { redactUrl, statusError } from './http-errors.js';
import { type ExchangeSettings, discard, exchange, readBody } from './http-request.js';
import type { FetchValidators, NotModifiedResult, RawResult, SourceFetchContext, SpecSource } from './types.js';

/** Credentials sent with every request to the source's origin (never after a redirect to another origin). */
export type HttpAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'header'; name: string; value: string };

/** Options of {@link httpSource}. Every limit has a default; all are validated when the source is created. */
export interface HttpSourceOptions {
  /** The document's URL, `http:` or `https:`. User info in it (`user:pass@`) is used as basic auth and never shown. */
  url: string | URL;
  /** Extra request headers. Their values count as secrets: never logged, dropped on cross-origin redirects. */
  headers?: Record<string, string>;
  /** Credentials. */
  auth?: HttpAuth;
  /** Time allowed to open the TCP connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Time allowed from sending the request to receiving the status line and headers (connect included). Default 10000 ms. */
  headersTimeoutMs?: number;
  /** Time allowed to read the whole body once the headers are in. Default 30000 ms. */
  bodyTimeoutMs?: number;
  /** Largest body accepted, in decoded bytes. Default 50 MiB. */
  maxBytes?: number;
  /** Redirects followed before giving up with `SOURCE_REDIRECT_LIMIT`. Default 5; 0 refuses every redirect. */
  maxRedirects?: number;
  /**
   * Hosts that may be contacted, checked on the first request and on every
   * redirect: `"api.example.com"`, `"localhost:3000"` (host and port), or
   * `"*.example.com"` (any subdomain). Default: any host.
   */
  allowedHosts?: string[];
  /**
   * `'head'`: when validators are known, send `HEAD` first and skip the `GET`
   * when its `ETag` / `Last-Modified` match. `'none'` (default): send one
   * conditional `GET`; servers that honour `If-None-Match` answer 304 in the
   * same single round trip.
   */
  probe?: 'head' | 'none';
  /** The `User-Agent` header. Default `api-live-sync`. */
  userAgent?: string;
  /** Extra trusted CA certificates (PEM) for `https:`, e.g. a dev server's self-signed CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Set false to accept any TLS certificate. Default true. Only for trusted networks. */
  rejectUnauthorized?: boolean;
}

/** The defaults of {@link HttpSourceOptions}. */
export const HTTP_SOURCE_DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxBytes: 50 * 1024 * 1024,
  maxRedirects: 5,
  probe: 'none',
  userAgent: 'api-live-sync',
} as const;

/** The source returned by {@link httpSource}. */
export interface HttpSource extends SpecSource {
  readonly kind: 'http';
  /** The URL without user info and with credential-like query values masked. */
  readonly location: string;
  /** True once the server refused a HEAD probe; later fetches go straight to GET. */
  readonly headRefused: boolean;
}

const ACCEPT =
  'application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9, application/vnd.oai.openapi;q=0.9, */*;q=0.5';

/**
 * A source that fetches the document over HTTP(S) and returns its raw bytes.
 *
 * @example
 * ```ts
 * const source = httpSource({ url: 'http://localhost:8000/openapi.json', auth: { type: 'bearer', token } });
 * ```
 */
export function httpSource(options: HttpSourceOptions): HttpSource {
  const config = validate(options);
  let headRefused = false;

  const settings = (method: 'GET' | 'HEAD', signal: AbortSignal, conditional: Record<string, string>): ExchangeSettings => ({
    method,
    headers: { 'user-agent': config.userAgent, accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br', ...conditional },
    credentialHeaders: config.credentialHeaders,
    connectTimeoutMs: config.connectTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    maxRedirects: config.maxRedirects,
    allowedHosts: config.allowedHosts,
    signal,
    ...(config.ca === undefined ? {} : { ca: config.ca }),
    ...(config.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: config.rejectUnauthorized }),
  });

  const probeHead = async (context: SourceFetchContext): Promise<NotModifiedResult | undefined> => {
    const known = context.validators;
    const open = await exchange(config.url, settings('HEAD', context.signal, conditionalHeaders(known)));
    discard(open);
    if (open.status === 304) return { kind: 'not-modified', validators: merged(known, open.headers) };
    if (open.status < 200 || open.status > 299) {
      // 5xx other than 501 may be passing trouble; anything else means this server does not do HEAD.
      if (open.status < 500 || open.status === 501) headRefused = true;
      return undefined;
    }
    const fresh = responseValidators(open.headers);
    if (matches(known, fresh)) return { kind: 'not-modified', validators: { ...known, ...fresh } };
    return undefined;
  };

  return {
    kind: 'http',
    location: config.location,
    get headRefused() {
      return headRefused;
    },
    async fetch(context: SourceFetchContext): Promise<NotModifiedResult | RawResult> {
      const known = context.validators;
      const hasValidators = known.etag !== undefined || known.lastModified !== undefined;
      if (config.probe === 'head' && hasValidators && !headRefused) {
        const unchanged = await probeHead(context);
        if (unchanged !== undefined) return unchanged;
      }
      const open = await exchange(config.url, settings('GET', context.signal, conditionalHeaders(known)));
      if (open.status === 304) {
        discard(open);
        return { kind: 'not-modified', validators: merged(known, open.headers) };
      }
      if (open.status < 200 || open.status > 299) {
        discard(open);
        throw statusError(open.facts, open.status, open.headers);
      }
      const fresh = responseValidators(open.headers);
      if (known.etag !== undefined && fresh.etag !== undefined && isStrong(fresh.etag) && fresh.etag === known.etag) {
        // The server ignored If-None-Match but its strong ETag says the bytes are the same.
        discard(open);
        return { kind: 'not-modified', validators: { ...known, ...fresh } };
      }
      const body = await readBody(open, { maxBytes: config.maxBytes, bodyTimeoutMs: config.bodyTimeoutMs, signal: context.signal });
      const contentType = open.headers['content-type'];
      return {
        kind: 'raw',
        body,
        ...(contentType === undefined ? {} : { contentType }),
        validators: fresh,
        location: redactUrl(open.url),
        maxBytes: config.maxBytes,
      };
    },
  };
}

interface ResolvedConfig {
  url: URL;
  location: string;
  credentialHeaders: Record<string, string>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  allowedHosts: string[] | undefined;
  probe: 'head' | 'none';
  userAgent: string;
  ca: string | Buffer | Array<string | Buffer> | undefined;
  rejectUnauthorized: boolean | undefined;
}

const HTTP_SOURCE_KEYS = optionKeys<HttpSourceOptions>()([
  'url',
  'headers',
  'auth',
  'connectTimeoutMs',
  'headersTimeoutMs',
  'bodyTimeoutMs',
  'maxBytes',
  'maxRedirects',
  'allowedHosts',
  'probe',
  'userAgent',
  'ca',
  'rejectUnauthorized',
]);

function validate(options: HttpSourceOptions): ResolvedConfig {
  checkOptions('httpSource options', options, HTTP_SOURCE_KEYS);
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch (error) {
    throw new ConfigError('Expected `url` to be an absolute http(s) URL, got a value that does not parse as a URL.', {
      cause: error,
      hint: "Write the full URL, scheme included: 'http://localhost:8000/openapi.json'.",
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`Expected \`url\` to use http: or https:, got ${url.protocol}.`, {
      hint: 'Use fileSource for local files; httpSource reads http(s) URLs.',
    });
  }
  const credentialHeaders = credentialsFor(url, options.headers, options.auth);
  const probe = options.probe ?? HTTP_SOURCE_DEFAULTS.probe;
  if (probe !== 'head' && probe !== 'none') {
    throw new ConfigError(`Expected \`probe\` to be 'head' or 'none', got ${JSON.stringify(probe)}.`, {
      hint: "Use probe: 'head' or leave it out.",
    });
  }
  if (
    options.allowedHosts !== undefined &&
    (!Array.isArray(options.allowedHosts) || options.allowedHosts.some((h) => typeof h !== 'string' || h.trim() === ''))
  ) {
    throw new ConfigError('Expected `allowedHosts` to be an array of non-empty host names.', {
      hint: "Write hosts like 'api.example.com', 'localhost:3000' or '*.example.com'.",
    });
  }
  return {
    url,
    location: redactUrl(url),
    credentialHeaders,
    connectTimeoutMs: positive(options, 'connectTimeoutMs', HTTP_SOURCE_DEFAULTS.connectTimeoutMs),
    headersTimeoutMs: positive(options, 'headersTimeoutMs', HTTP_SOURCE_DEFAULTS.headersTimeoutMs),
    bodyTimeoutMs: positive(options, 'bodyTimeoutMs', HTTP_SOURCE_DEFAULTS.bodyTimeoutMs),
    maxBytes: positive(options, 'maxBytes', HTTP_SOURCE_DEFAULTS.maxBytes),
    maxRedirects: count(options.maxRedirects, HTTP_SOURCE_DEFAULTS.maxRedirects),
    allowedHosts: options.allowedHosts,
    probe,
    userAgent: options.userAgent ?? HTTP_SOURCE_DEFAULTS.userAgent,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized,
  };
}

/**
 * The headers that carry credentials for `url`: the user's extra headers
 * (lower-cased), then `auth`, or the URL's user info as basic auth when no
 * `auth` is given. Strips the user info from `url` in place. Internal: shared
 * with discovery.
 */
export function credentialsFor(url: URL, headers: Record<string, string> | undefined, auth: HttpAuth | undefined): Record<string, string> {
  const credentialHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') {
      throw new ConfigError(`Expected header "${name}" to be a string, got ${typeof value}.`, { hint: 'Header values must be strings.' });
    }
    credentialHeaders[name.toLowerCase()] = value;
  }
  if (url.username !== '' || url.password !== '') {
    if (auth === undefined) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      credentialHeaders.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    url.username = '';
    url.password = '';
  }
  if (auth !== undefined) {
    if (auth.type === 'bearer' && typeof auth.token === 'string') credentialHeaders.authorization = `Bearer ${auth.token}`;
    else if (auth.type === 'basic' && typeof auth.username === 'string' && typeof auth.password === 'string') {
      credentialHeaders.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    } else if (auth.type === 'header' && typeof auth.name === 'string' && auth.name !== '' && typeof auth.value === 'string') {
      credentialHeaders[auth.name.toLowerCase()] = auth.value;
    } else {
      throw new ConfigError(
        `Expected \`auth\` to be {type:'bearer',token}, {type:'basic',username,password} or {type:'header',name,value}, got type ${JSON.stringify((auth as { type?: unknown }).type)} with missing or non-string fields.`,
        {
          hint: 'Fix the auth option; its values are never printed.',
        },
      );
    }
  }
  return credentialHeaders;
}

function positive(
  options: HttpSourceOptions,
  key: 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'maxBytes',
  fallback: number,
): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`Expected \`${key}\` to be a number above 0, got \`${String(value)}\` (${typeof value}).`, {
      hint: `Leave \`${key}\` out to use the default of ${fallback}.`,
    });
  }
  return value;
}

function count(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`Expected \`maxRedirects\` to be an integer from 0 and up, got \`${String(value)}\` (${typeof value}).`, {
      hint: `Leave it out to use the default of ${fallback}.`,
    });
  }
  return value;
}

function conditionalHeaders(validators: Readonly<FetchValidators>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (validators.etag !== undefined) headers['if-none-match'] = validators.etag;
  if (validators.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

function responseValidators(headers: Record<string, string | string[] | undefined>): FetchValidators {
  const validators: FetchValidators = {};
  const etag = headers.etag;
  const lastModified = headers['last-modified'];
  if (typeof etag === 'string' && etag !== '') validators.etag = etag;
  if (typeof lastModified === 'string' && lastModified !== '') validators.lastModified = lastModified;
  return validators;
}

function merged(known: Readonly<FetchValidators>, headers: Record<string, string | string[] | undefined>): FetchValidators {
  return { ...known, ...responseValidators(headers) };
}

function isStrong(etag: string): boolean {
  return !etag.startsWith('W/');
}

function opaque(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/** HEAD probe comparison: ETag by weak comparison when both have one, else Last-Modified as the same instant. */
function matches(known: Readonly<FetchValidators>, fresh: FetchValidators): boolean {
  if (known.etag !== undefined && fresh.etag !== undefined) return opaque(known.etag) === opaque(fresh.etag);
  if (known.lastModified !== undefined && fresh.lastModified !== undefined) {
    const a = Date.parse(known.lastModified);
    const b = Date.parse(fresh.lastModified);
    return known.lastModified === fresh.lastModified || (!Number.isNaN(a) && a === b);
  }
  return false;
}
