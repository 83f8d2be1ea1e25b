/**
 * Spec discovery: given the base URL of a running API, find where it serves
 * its OpenAPI document by probing the default paths of common frameworks,
 * and say which framework it probably is and why. See docs/discovery.md.
 *
 * @module
 */

import { parse as parseYaml } from 'yaml';
import { ConfigError, JobError, SourceError, isSyncError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { CONTENT_SIGNATURES, FRAMEWORK_PATHS, type FrameworkPath, HEADER_SIGNATURES } from './frameworks.js';
import { redactUrl } from './http-errors.js';
import { type ExchangeSettings, discard, exchange, readBody } from './http-request.js';
import { type HttpAuth, credentialsFor } from './http.js';

/** Options of {@link discoverSpec}. */
export interface DiscoverOptions {
  /** Cancels every probe; the promise rejects with the signal's reason or a `JOB_CANCELLED` `JobError`. */
  signal?: AbortSignal;
  /** Probes in flight at once. Default 4. */
  concurrency?: number;
  /** Time allowed for each probe's connect, headers and body (each). Default 5000 ms. */
  timeoutMs?: number;
  /** Extra request headers (treated as secrets, as in `httpSource`). */
  headers?: Record<string, string>;
  /** Credentials, as in `httpSource`. */
  auth?: HttpAuth;
  /**
   * Largest document accepted per probe, in decoded bytes (a compressed body
   * is counted as it is decoded). Default 16 MiB: every probe may answer with
   * a compression bomb, and probes are many. Bodies are read one at a time.
   */
  maxBytes?: number;
  /** Hosts that may be contacted, checked on every redirect, as in `httpSource`. */
  allowedHosts?: string[];
  /** The table of paths to probe. Default {@link FRAMEWORK_PATHS}; pass your own to add or narrow. */
  paths?: readonly FrameworkPath[];
}

/** What {@link discoverSpec} found. */
export interface DiscoveredSpec {
  /** The document's URL, ready for `httpSource` (user info removed: pass the same `auth`). */
  url: string;
  /** The framework that most probably serves it, e.g. `"FastAPI"` or `"Spring Boot (springdoc)"`. */
  framework: string;
  /** How sure the framework attribution is, 0..1. The URL itself is always verified to serve an OpenAPI or Swagger document. */
  confidence: number;
  /** Why: the probe that succeeded, the path, headers and document marks that point at the framework. */
  evidence: string[];
}

/** The defaults of {@link DiscoverOptions}. */
export const DISCOVER_DEFAULTS = {
  concurrency: 4,
  timeoutMs: 5_000,
  maxBytes: 16 * 1024 * 1024,
} as const;

interface Candidate {
  path: string;
  priority: number;
  frameworks: string[];
}

interface Found {
  candidate: Candidate;
  url: URL;
  document: Record<string, unknown>;
  line: string;
}

/** Codes that mean no probe can succeed: stop everything and report this error. */
const FATAL = new Set(['SOURCE_CONNECTION_REFUSED', 'SOURCE_DNS', 'SOURCE_TLS', 'JOB_CANCELLED', 'ENGINE_STOPPED']);

const SCORE = { sharedPath: 0.3, uniquePath: 0.45, header: 0.45, content: 0.5 } as const;

const DISCOVER_KEYS = optionKeys<DiscoverOptions>()([
  'signal',
  'concurrency',
  'timeoutMs',
  'headers',
  'auth',
  'maxBytes',
  'allowedHosts',
  'paths',
]);

/**
 * Find the OpenAPI document of the API at `baseUrl` by probing the default
 * paths of common frameworks, most likely first, `concurrency` at a time. A
 * path counts only when it returns a JSON or YAML document with an
 * `openapi` or `swagger` version, so docs UIs and catch-all HTML pages are
 * skipped. Throws `SOURCE_CONNECTION_REFUSED` (and the other connection
 * codes) when the host is down, `DISCOVERY_FAILED` listing every path tried
 * when nothing was found.
 *
 * @example
 * ```ts
 * const found = await discoverSpec('http://localhost:8000');
 * // { url: 'http://localhost:8000/openapi.json', framework: 'FastAPI', confidence: 1, evidence: [...] }
 * ```
 */
export async function discoverSpec(baseUrl: string | URL, options: DiscoverOptions = {}): Promise<DiscoveredSpec> {
  checkOptions('discoverSpec options', options, DISCOVER_KEYS);
  const base = parseBase(baseUrl);
  const credentialHeaders = credentialsFor(base, options.headers, options.auth);
  const concurrency = integer(options.concurrency, 'concurrency', DISCOVER_DEFAULTS.concurrency);
  const timeoutMs = integer(options.timeoutMs, 'timeoutMs', DISCOVER_DEFAULTS.timeoutMs);
  const maxBytes = integer(options.maxBytes, 'maxBytes', DISCOVER_DEFAULTS.maxBytes);
  const candidates = candidatesOf(options.paths ?? FRAMEWORK_PATHS);

  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, options.signal]);
  const settings: ExchangeSettings = {
    method: 'GET',
    headers: {
      'user-agent': 'api-live-sync',
      accept: 'application/json, application/yaml;q=0.9, */*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    },
    credentialHeaders,
    connectTimeoutMs: timeoutMs,
    headersTimeoutMs: timeoutMs,
    maxRedirects: 5,
    allowedHosts: options.allowedHosts,
    signal,
  };

  const tried: { path: string; outcome: string }[] = [];
  const headerHits = new Map<string, string>();
  const found: Found[] = [];
  let fatal: unknown;
  let next = 0;
  // Connections and headers run `concurrency` at once, bodies one at a time:
  // at most one decoded body (up to maxBytes) is held, however many probes
  // answer at once. A response waiting for its turn is not read, so TCP holds
  // the rest of it back.
  let bodyTurn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = bodyTurn.then(work);
    bodyTurn = run.catch(() => undefined);
    return run;
  };

  const probe = async (candidate: Candidate): Promise<void> => {
    const url = new URL(candidate.path.replace(/^\//, ''), base);
    let outcome: string;
    try {
      const open = await exchange(url, settings);
      noteHeaders(open.headers, headerHits);
      const type = String(open.headers['content-type'] ?? '');
      if (open.status < 200 || open.status > 299) {
        discard(open);
        outcome = `HTTP ${open.status}`;
      } else if (/text\/html/i.test(type)) {
        discard(open);
        outcome = 'an HTML page';
      } else {
        const check = await oneAtATime(async () => looksLikeOpenApi(await readBody(open, { maxBytes, bodyTimeoutMs: timeoutMs, signal })));
        if (typeof check === 'string') outcome = check;
        else {
          outcome = `${check.version} document`;
          found.push({
            candidate,
            url: open.url,
            document: check.document,
            line: `GET ${candidate.path} → ${open.status}${type === '' ? '' : ` ${type.split(';')[0]}`}: ${check.version} document`,
          });
        }
      }
    } catch (error) {
      if (isSyncError(error) && FATAL.has(error.code)) {
        fatal ??= error;
        stop.abort();
        return;
      }
      if (signal.aborted) return;
      outcome = isSyncError(error) ? error.code : 'failed';
    }
    tried.push({ path: candidate.path, outcome });
  };

  const worker = async (): Promise<void> => {
    while (next < candidates.length && found.length === 0 && fatal === undefined && !signal.aborted) {
      const candidate = candidates[next];
      next += 1;
      if (candidate !== undefined) await probe(candidate);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));

  if (fatal !== undefined) throw fatal;
  if (options.signal?.aborted) {
    const reason: unknown = options.signal.reason;
    if (isSyncError(reason)) throw reason;
    throw new JobError('JOB_CANCELLED', `Discovery under ${redactUrl(base)} was aborted.`, {
      cause: reason,
      retryable: false,
      hint: 'The discovery was cancelled by its AbortSignal.',
      details: { baseUrl: redactUrl(base), aborted: true },
    });
  }
  if (found.length === 0) {
    const listed = tried
      .slice(0, 8)
      .map((t) => `${t.path} (${t.outcome})`)
      .join(', ');
    const more = tried.length > 8 ? `, and ${tried.length - 8} more` : '';
    throw new SourceError(
      'DISCOVERY_FAILED',
      `No OpenAPI document found under ${redactUrl(base)}: tried ${tried.length} paths: ${listed}${more}.`,
      {
        retryable: false,
        hint:
          tried.length > 0 && tried.every((t) => t.outcome === 'HTTP 401' || t.outcome === 'HTTP 403')
            ? 'Every path wanted credentials: pass `auth` or `headers` to discoverSpec.'
            : tried.some((t) => t.outcome === 'SOURCE_TOO_LARGE')
              ? `Some paths answered more than maxBytes (${maxBytes} bytes decoded): raise \`maxBytes\` if the document really is that large, or pass its URL to httpSource directly.`
              : "Enable the framework's OpenAPI endpoint, or pass the document URL to httpSource directly (see node_modules/api-live-sync/docs/discovery.md for the paths probed).",
        details: { baseUrl: redactUrl(base), tried },
      },
    );
  }
  return attribute(found, headerHits);
}

function attribute(found: Found[], headerHits: Map<string, string>): DiscoveredSpec {
  let best: { result: DiscoveredSpec; score: number; priority: number } | undefined;
  for (const hit of found) {
    const scores = new Map<string, { score: number; evidence: string[] }>();
    const add = (framework: string, score: number, evidence: string): void => {
      const entry = scores.get(framework) ?? { score: 0, evidence: [] };
      entry.score += score;
      entry.evidence.push(evidence);
      scores.set(framework, entry);
    };
    const pathScore = hit.candidate.frameworks.length === 1 ? SCORE.uniquePath : SCORE.sharedPath;
    for (const framework of hit.candidate.frameworks) {
      add(
        framework,
        pathScore,
        `${hit.candidate.path} is where ${hit.candidate.frameworks.join(', ')} serve${hit.candidate.frameworks.length === 1 ? 's' : ''} the document by default`,
      );
    }
    for (const signature of CONTENT_SIGNATURES) {
      if (!safeTest(signature.test, hit.document)) continue;
      const family = familyMatches(signature.framework, [...scores.keys()]);
      const targets = family.length > 0 ? family : [signature.framework];
      for (const framework of targets) add(framework, SCORE.content, `document: ${signature.evidence}`);
    }
    for (const [families, evidence] of headerHits) {
      const names = families.split('|');
      const matched = names.flatMap((name) => familyMatches(name, [...scores.keys()]));
      const targets = matched.length > 0 ? [...new Set(matched)] : names.slice(0, 1);
      for (const framework of targets) add(framework, SCORE.header, evidence);
    }
    const order = [...scores.entries()].sort((a, b) => b[1].score - a[1].score);
    const [framework, entry] = order[0] ?? ['unknown', { score: 0, evidence: [] }];
    const result: DiscoveredSpec = {
      url: hit.url.toString(),
      framework,
      confidence: Math.round(Math.min(1, entry.score) * 100) / 100,
      evidence: [hit.line, ...entry.evidence],
    };
    if (best === undefined || entry.score > best.score || (entry.score === best.score && hit.candidate.priority < best.priority)) {
      best = { result, score: entry.score, priority: hit.candidate.priority };
    }
  }
  if (best === undefined) throw new Error('unreachable: attribute() called without a hit');
  return best.result;
}

/** Names in `names` that are `family` or one of its variants ("Express" matches "Express (swagger-jsdoc)"). */
function familyMatches(family: string, names: string[]): string[] {
  const lower = family.toLowerCase();
  return names.filter((name) => {
    const n = name.toLowerCase();
    return n === lower || n.startsWith(`${lower} `) || n.startsWith(`${lower}-`) || lower.startsWith(`${n} `);
  });
}

function safeTest(test: (document: Record<string, unknown>) => boolean, document: Record<string, unknown>): boolean {
  try {
    return test(document);
  } catch {
    return false;
  }
}

function noteHeaders(headers: Record<string, string | string[] | undefined>, hits: Map<string, string>): void {
  for (const signature of HEADER_SIGNATURES) {
    const raw = headers[signature.header];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value === undefined || !signature.pattern.test(value)) continue;
    const key = signature.frameworks.join('|');
    if (!hits.has(key)) hits.set(key, `header ${signature.header}: ${value.slice(0, 80)} → ${signature.frameworks.join(' or ')}`);
  }
}

/**
 * Quick check that bytes are an OpenAPI or Swagger document: JSON or YAML
 * whose top level has an `openapi` 3.x or `swagger` 2.0 version. Returns the
 * parsed document and its version label, or why it is not one.
 */
export function looksLikeOpenApi(body: Uint8Array | string): { document: Record<string, unknown>; version: string } | string {
  const text = (typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
    .replace(/^\uFEFF/, '')
    .trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) return 'an HTML or XML page';
  let value: unknown;
  if (text.startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch {
      return 'invalid JSON';
    }
  } else if (/^["']?(openapi|swagger)["']?\s*:/m.test(text)) {
    try {
      value = parseYaml(text, { maxAliasCount: 100 });
    } catch {
      return 'invalid YAML';
    }
  } else {
    return 'neither JSON nor an OpenAPI YAML document';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON or YAML object';
  const document = value as Record<string, unknown>;
  if (typeof document.openapi === 'string' && /^3\./.test(document.openapi)) return { document, version: `OpenAPI ${document.openapi}` };
  if (document.swagger === '2.0' || document.swagger === 2) return { document, version: 'Swagger 2.0' };
  return 'an object without an openapi or swagger version';
}

function candidatesOf(paths: readonly FrameworkPath[]): Candidate[] {
  const byPath = new Map<string, Candidate>();
  for (const entry of paths) {
    const existing = byPath.get(entry.path);
    if (existing === undefined) byPath.set(entry.path, { path: entry.path, priority: entry.priority, frameworks: [entry.framework] });
    else {
      existing.priority = Math.min(existing.priority, entry.priority);
      if (!existing.frameworks.includes(entry.framework)) existing.frameworks.push(entry.framework);
    }
  }
  return [...byPath.values()].sort((a, b) => a.priority - b.priority);
}

function parseBase(baseUrl: string | URL): URL {
  let base: URL;
  try {
    base = new URL(String(baseUrl));
  } catch (error) {
    throw new ConfigError('Expected the base URL to be an absolute http(s) URL, got a value that does not parse as a URL.', {
      cause: error,
      hint: "Write the API's root with its scheme: 'http://localhost:8000'.",
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ConfigError(`Expected the base URL to use http: or https:, got ${base.protocol}.`, {
      hint: "Write the API's root: 'http://localhost:8000'.",
    });
  }
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}

function integer(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`Expected \`${name}\` to be an integer from 1 and up, got \`${String(value)}\` (${typeof value}).`, {
      hint: `Leave \`${name}\` out to use the default of ${fallback}.`,
    });
  }
  return value;
}
