/**
 * What keeps a web page the user visits from using the handler through the
 * user's browser: the `Host` allow-list (DNS rebinding), the same-origin rule
 * for requests that change state (cross-site form posts, `no-cors` fetches),
 * and the JSON content type every `POST` must declare (it forces a CORS
 * preflight, which the handler never grants).
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../errors.js';
import { HttpError } from './http.js';

/** Host names every handler accepts, on any port: the loopback names. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** A host name, and the one port it is allowed on (undefined: any port). */
interface HostRule {
  name: string;
  port: string | undefined;
}

/** The validated `allowedHosts` and `allowedOrigins` of a handler. */
export interface RequestPolicy {
  /** `allowedHosts` holds `'*'`: the `Host` header is not checked. */
  anyHost: boolean;
  hosts: readonly HostRule[];
  /** Serialised origins (`https://app.example.com`), lower case, default port omitted. */
  origins: ReadonlySet<string>;
}

// A bracketed IPv6 address, or a name of letters, digits, `.`, `-` and `_` that neither starts nor ends with `.` or `-`; then an optional port.
const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::(\d{1,5}))?$/;

function parseHost(value: string): HostRule | undefined {
  const match = HOST_PATTERN.exec(value.toLowerCase());
  if (!match) return undefined;
  const port = match[2];
  if (port !== undefined && Number(port) > 65_535) return undefined;
  return { name: match[1]!, port: port === undefined ? undefined : String(Number(port)) };
}

/** The serialised origin of `value` when it is an http(s) origin and nothing more, else undefined. */
function parseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
  return url.origin;
}

function describe(value: unknown): string {
  return `\`${JSON.stringify(value) ?? String(value)}\` (${value === null ? 'null' : typeof value})`;
}

function stringList(name: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new ConfigError(`Expected \`${name}\` to be an array of strings, got ${describe(value)}.`);
  }
  return value as readonly string[];
}

/** Validate `allowedHosts` and `allowedOrigins`; throws `CONFIG_INVALID`. */
export function resolveRequestPolicy(options: { allowedHosts?: unknown; allowedOrigins?: unknown }): RequestPolicy {
  const hosts: HostRule[] = LOOPBACK_HOSTS.map((name) => ({ name, port: undefined }));
  let anyHost = false;
  for (const entry of stringList('allowedHosts', options.allowedHosts)) {
    if (entry === '*') {
      anyHost = true;
      continue;
    }
    const rule = parseHost(entry);
    if (!rule) {
      throw new ConfigError(`Expected every entry of \`allowedHosts\` to be a host name, \`name:port\` or '*', got ${describe(entry)}.`, {
        hint: "For example allowedHosts: ['sync.example.com', 'dev-box:8080']; no scheme, no path.",
      });
    }
    hosts.push(rule);
  }
  const origins = new Set<string>();
  for (const entry of stringList('allowedOrigins', options.allowedOrigins)) {
    const origin = parseOrigin(entry);
    if (origin === undefined) {
      throw new ConfigError(
        `Expected every entry of \`allowedOrigins\` to be an http(s) origin (scheme, host, optional port), got ${describe(entry)}.`,
        {
          hint: "For example allowedOrigins: ['http://localhost:5173', 'https://dashboard.example.com']; no path, no wildcard.",
        },
      );
    }
    origins.add(origin);
  }
  return { anyHost, hosts, origins };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = (req.headers as Record<string, string | string[] | undefined>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The request's `Host` (or HTTP/2 `:authority`). */
function hostOf(req: IncomingMessage): string | undefined {
  return header(req, 'host') ?? header(req, ':authority');
}

/** Refuse (403 `HOST_NOT_ALLOWED`) a `Host` header that is not a loopback name or in `allowedHosts`. */
export function checkHost(req: IncomingMessage, policy: RequestPolicy): void {
  if (policy.anyHost) return;
  const raw = hostOf(req);
  const host = raw === undefined ? undefined : parseHost(raw);
  if (host && policy.hosts.some((rule) => rule.name === host.name && (rule.port === undefined || rule.port === host.port))) return;
  throw new HttpError(403, 'HOST_NOT_ALLOWED', `The Host ${JSON.stringify(raw ?? '')} is not a host this server answers to.`, {
    hint: "Loopback names (localhost, 127.0.0.1, [::1]) are allowed; add the name clients use to `allowedHosts` (e.g. allowedHosts: ['sync.example.com']), or allowedHosts: ['*'] behind a proxy that checks the host itself.",
  });
}

/** True when `origin` is the origin the request's own `Host` names (http or https). */
function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = hostOf(req);
  const parsed = parseOrigin(origin);
  if (host === undefined || parsed === undefined) return false;
  const scheme = parsed.slice(0, parsed.indexOf(':') + 1);
  try {
    return new URL(`${scheme}//${host}`).origin === parsed;
  } catch {
    return false;
  }
}

/**
 * Refuse (403 `CROSS_SITE_REFUSED`) a request a page of another origin made
 * the browser send: `Sec-Fetch-Site: cross-site` or `same-site`, or an
 * `Origin` other than the server's own, unless that origin is in
 * `allowedOrigins`. A client that sends neither header (curl, a script, a
 * server) passes.
 */
export function checkSameOrigin(req: IncomingMessage, policy: RequestPolicy): void {
  const origin = header(req, 'origin');
  const site = header(req, 'sec-fetch-site')?.toLowerCase();
  if (origin !== undefined) {
    const parsed = parseOrigin(origin);
    if (parsed !== undefined && policy.origins.has(parsed)) return;
  }
  const crossSite = site === 'cross-site' || site === 'same-site';
  if (!crossSite && (origin === undefined || isSameOrigin(origin, req))) return;
  throw new HttpError(
    403,
    'CROSS_SITE_REFUSED',
    `Refused a request from another site (Origin ${JSON.stringify(origin ?? '')}, Sec-Fetch-Site ${JSON.stringify(site ?? '')}).`,
    {
      hint: "Only pages of this server's own origin may change state. To let a page you trust do it, add its origin to `allowedOrigins` (e.g. allowedOrigins: ['http://localhost:5173']) and answer its CORS preflight in front of the handler.",
    },
  );
}

/**
 * Refuse (415 `UNSUPPORTED_MEDIA_TYPE`) a `POST` without a JSON content
 * type: `application/json` or `application/*+json`. A browser can send a
 * form or `text/plain` to any site without asking; a JSON type makes it ask
 * first (a CORS preflight), and the handler never says yes.
 */
export function requireJsonContentType(req: IncomingMessage): void {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return;
  throw new HttpError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    type === ''
      ? 'Expected `content-type: application/json`, got no content type.'
      : `Expected \`content-type: application/json\`, got ${JSON.stringify(type)}.`,
    {
      hint: 'Send `content-type: application/json` on every POST, with a JSON object or no body (an empty body or `{}` is fine for sync, approve and dismiss).',
    },
  );
}
