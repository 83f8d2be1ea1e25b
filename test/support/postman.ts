/// <reference path="../../node_modules/postman-collection/types/index.d.ts" />
/**
 * Postman's own tools, for the Postman target's tests:
 * - `runNewman`: the real runner (newman, installed by
 *   scripts/install-clients.sh into `.tools/clients`), with its JSON report;
 * - `sdkCheck`: load a collection with the official SDK (`postman-collection`)
 *   and check it read every request, URL, header, body, auth and script as
 *   written (the SDK has no schema validator: what it silently drops or
 *   misreads is the failure);
 * - `specServer`: a loopback server that answers every route of an OpenAPI
 *   document, and refuses (400) a request whose path or required query
 *   parameters are missing or of the wrong type, or whose route is unknown
 *   (404).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Collection, type Event, type Header, type Item, type QueryParam, type Url } from 'postman-collection';
import { startServer, type TestServer } from './hopp.js';

/** The tool folder of newman and bru. */
export const CLIENTS_DIR = resolve(import.meta.dirname, '../../.tools/clients');
/** newman's entry script. */
export const NEWMAN_JS = resolve(CLIENTS_DIR, 'node_modules/newman/bin/newman.js');

/** Throws, saying how to install it, when newman is missing: a test that needs it fails instead of skipping. */
export function assertNewmanInstalled(): void {
  if (!existsSync(NEWMAN_JS)) {
    throw new Error(`newman is not installed in ${CLIENTS_DIR}. Run scripts/install-clients.sh (it needs the npm registry once).`);
  }
}

/** The parts of newman's JSON report the tests read. */
export interface NewmanReport {
  run: {
    stats: Record<'requests' | 'assertions' | 'testScripts' | 'prerequestScripts', { total: number; failed: number }>;
    failures: Array<{ error?: { name?: string; message?: string; test?: string }; source?: { name?: string } }>;
    executions: Array<{
      item: { id?: string; name?: string };
      request: { method: string; url: { path?: string[]; query?: Array<{ key: string; value: string; disabled?: boolean }> } };
      response?: { code: number };
      assertions?: Array<{ assertion: string; error?: { message: string } }>;
      requestError?: { message: string };
    }>;
    error?: unknown;
  };
}

/** What one newman run gave: its exit code and its JSON report. */
export interface NewmanRun {
  code: number | null;
  report: NewmanReport;
  stderr: string;
}

/**
 * `newman run <collection> --reporters json --reporter-json-export <tmp>`
 * with `--env-var key=value` for each of `envVars` (an environment value
 * overrides the collection variable of the same name).
 */
export async function runNewman(
  collectionPath: string,
  options: { envVars?: Record<string, string>; timeoutMs?: number } = {},
): Promise<NewmanRun> {
  assertNewmanInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'als-newman-'));
  const out = join(dir, 'report.json');
  const args = [
    NEWMAN_JS,
    'run',
    resolve(collectionPath),
    '--reporters',
    'json',
    '--reporter-json-export',
    out,
    '--timeout-request',
    '10000',
  ];
  for (const [key, value] of Object.entries(options.envVars ?? {})) args.push('--env-var', `${key}=${value}`);
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      child.on('close', (exit) => {
        clearTimeout(timer);
        done({ code: exit, stderr });
      });
    });
    const text = await readFile(out, 'utf8').catch(() => undefined);
    if (text === undefined) throw new Error(`newman wrote no report (exit ${code}). stderr:\n${stderr}`);
    return { code, report: JSON.parse(text) as NewmanReport, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The failures of a run as short lines (empty when it passed), for `expect(...).toEqual([])`. */
export function newmanFailures(run: NewmanRun): string[] {
  const lines = run.report.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error?.name ?? ''} ${f.error?.message ?? ''}`.trim());
  for (const execution of run.report.run.executions) {
    if (execution.requestError) lines.push(`${execution.item.name ?? '?'}: request error ${execution.requestError.message}`);
    else if (execution.response === undefined) lines.push(`${execution.item.name ?? '?'}: no response`);
  }
  if (run.report.run.error) lines.push(`run error: ${JSON.stringify(run.report.run.error)}`);
  if (run.code !== 0 && lines.length === 0) lines.push(`newman exited ${run.code}: ${run.stderr}`);
  return lines;
}

// ------------------------------------------------------------------ the SDK

type Json = Record<string, unknown>;

/** What a request of a collection holds, as the tests compare it: from the JSON, or from the SDK's reading of it. */
interface RequestView {
  name: string;
  method: string;
  url: string;
  headers: string[];
  query: string[];
  body: string;
  auth: string;
  events: string[];
  responses: number;
}

/**
 * Load `collection` with the official SDK (`new Collection(json)`) and return
 * the differences between what the SDK read and what the JSON holds, per
 * request: method, URL, header and query keys (with their disabled flags),
 * body mode, auth type, scripts, saved responses, and the request count.
 * Empty when the SDK accepts the collection as written.
 */
export function sdkCheck(collection: unknown): string[] {
  const sdk = new Collection(collection as ConstructorParameters<typeof Collection>[0]);
  if (!Collection.isCollection(sdk)) return ['the SDK did not make a Collection of it'];
  const read: RequestView[] = [];
  (sdk as unknown as { forEachItem(fn: (item: Item) => void): void }).forEachItem((item) => {
    const request = item.request;
    const auth = (request.auth as { type?: string } | undefined)?.type ?? '';
    read.push({
      name: item.name,
      method: request.method,
      url: urlText(request.url),
      headers: request.headers.all().map((h: Header) => `${h.key}${h.disabled ? ' (disabled)' : ''}`),
      query: request.url.query
        .all()
        .map((q: QueryParam) => `${(q as unknown as { key: string | null }).key ?? ''}${q.disabled ? ' (disabled)' : ''}`),
      body: (request.body as { mode?: string } | undefined)?.mode ?? '',
      auth,
      events: item.events.all().map((e: Event) => `${e.listen}:${(e.script?.exec ?? []).join('\n')}`),
      responses: item.responses.count(),
    });
  });
  const written: RequestView[] = [];
  const visit = (items: Json[]): void => {
    for (const entry of items) {
      if (Array.isArray(entry.item)) visit(entry.item as Json[]);
      else written.push(viewOf(entry));
    }
  };
  visit((collection as { item: Json[] }).item);
  const problems: string[] = [];
  if (read.length !== written.length) problems.push(`the SDK read ${read.length} requests, the file holds ${written.length}`);
  written.forEach((expected, index) => {
    const actual = read[index];
    for (const field of Object.keys(expected) as Array<keyof RequestView>) {
      if (JSON.stringify(actual?.[field]) !== JSON.stringify(expected[field]))
        problems.push(`${expected.name}: ${field} ${JSON.stringify(expected[field])} read as ${JSON.stringify(actual?.[field])}`);
    }
  });
  return problems;
}

/** A URL as the SDK holds it (protocol, host, port, path, query), path variables left as `:name`. */
function urlText(url: Url): string {
  const protocol = url.protocol ? `${url.protocol}://` : '';
  const port = url.port ? `:${url.port}` : '';
  const path = url.path && url.path.length > 0 ? `/${url.path.join('/')}` : '';
  const query = url.getQueryString();
  return `${protocol}${url.getHost()}${port}${path}${query ? `?${query}` : ''}${url.hash ? `#${url.hash}` : ''}`;
}

function viewOf(item: Json): RequestView {
  const request = (typeof item.request === 'string' ? { url: item.request } : item.request) as Json;
  const url = request.url as Json | string | undefined;
  const raw = typeof url === 'string' ? url : String(url?.raw ?? '');
  const query = typeof url === 'object' && Array.isArray(url.query) ? (url.query as Json[]) : [];
  const headers = Array.isArray(request.header) ? (request.header as Json[]) : [];
  const events = Array.isArray(item.event) ? (item.event as Json[]) : [];
  const exec = (event: Json): string[] => {
    const lines = (event.script as Json | undefined)?.exec;
    return Array.isArray(lines) ? (lines as string[]) : typeof lines === 'string' ? lines.split('\n') : [];
  };
  return {
    name: String(item.name ?? ''),
    method: String(request.method ?? 'GET').toUpperCase(),
    url: raw,
    headers: headers.map((h) => `${String(h.key)}${h.disabled ? ' (disabled)' : ''}`),
    query: query.map((q) => `${String(q.key ?? '')}${q.disabled ? ' (disabled)' : ''}`),
    body: String((request.body as Json | null | undefined)?.mode ?? ''),
    auth: String((request.auth as Json | null | undefined)?.type ?? ''),
    events: events.map((e) => `${String(e.listen)}:${exec(e).join('\n')}`),
    responses: Array.isArray(item.response) ? item.response.length : 0,
  };
}

// ------------------------------------------------------------------ a server for a spec

/** A loopback server for an OpenAPI document; `requests` lists what it answered, `refused` what it refused and why. */
export interface SpecServer extends TestServer {
  /** `METHOD /path` of each request it refused, with the reason. */
  refused: string[];
  /** Replace the document it serves (an API that changed). */
  serve(document: Json): void;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Start a server on 127.0.0.1 that answers each operation of `document`
 * (OpenAPI 3) with its first 2xx status and a small JSON body, and serves the
 * document itself at `GET /openapi.json`. Path parameters must be present
 * and of their schema's type (integer, number, boolean), and required query
 * parameters present; otherwise it answers 400. An unknown route is a 404.
 */
export async function specServer(document: Json): Promise<SpecServer> {
  let routes = routesOf(document);
  let current = document;
  const refused: string[] = [];
  const server = await startServer((request, _body, response) => {
    const target = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && target.pathname === '/openapi.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(current));
      return;
    }
    const route = routes.find((r) => r.method === request.method && r.pattern.test(target.pathname));
    const refuse = (status: number, reason: string) => {
      refused.push(`${request.method} ${target.pathname}: ${reason}`);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
    };
    if (route === undefined) return refuse(404, 'no such route');
    const values = route.pattern.exec(target.pathname)?.slice(1) ?? [];
    for (const [index, parameter] of route.pathParameters.entries()) {
      const value = decodeURIComponent(values[index] ?? '');
      if (!fits(value, parameter.type)) return refuse(400, `path parameter ${parameter.name} = ${JSON.stringify(value)}`);
    }
    for (const name of route.requiredQuery) if (!target.searchParams.has(name)) return refuse(400, `query parameter ${name} missing`);
    if (route.status === 204) response.writeHead(204).end();
    else response.writeHead(route.status, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  return {
    ...server,
    refused,
    serve(next) {
      current = next;
      routes = routesOf(next);
    },
  };
}

interface Route {
  method: string;
  pattern: RegExp;
  pathParameters: Array<{ name: string; type: string }>;
  requiredQuery: string[];
  status: number;
}

function routesOf(document: Json): Route[] {
  const routes: Route[] = [];
  const resolveRef = (value: unknown): Json => {
    let node = value as Json;
    for (let depth = 0; depth < 10 && typeof node?.$ref === 'string'; depth++) {
      node = (node.$ref as string)
        .slice(2)
        .split('/')
        .reduce<unknown>((at, key) => (at as Json | undefined)?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], document) as Json;
    }
    return node ?? {};
  };
  for (const [path, rawItem] of Object.entries((document.paths ?? {}) as Json)) {
    const item = resolveRef(rawItem);
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation === undefined) continue;
      const parameters = [...((item.parameters as unknown[]) ?? []), ...((operation.parameters as unknown[]) ?? [])].map(resolveRef);
      const typeOf = (name: string) => {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        return String(resolveRef(parameter?.schema).type ?? 'string');
      };
      const names: string[] = [];
      const source = path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const match = /^\{([^}]+)\}$/.exec(part);
          if (!match) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(match[1] as string);
          return '([^/]+)';
        })
        .join('');
      const codes = Object.keys((operation.responses ?? {}) as Json)
        .filter((code) => /^2\d\d$/.test(code))
        .map(Number);
      routes.push({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${source}/?$`),
        pathParameters: names.map((name) => ({ name, type: typeOf(name) })),
        requiredQuery: parameters.filter((p) => p.in === 'query' && p.required === true).map((p) => String(p.name)),
        status: codes[0] ?? 200,
      });
    }
  }
  // A literal segment wins over a template at the same place (`/pets/mine` before `/pets/{id}`).
  return routes.sort((a, b) => a.pathParameters.length - b.pathParameters.length);
}

function fits(value: string, type: string): boolean {
  if (value === '' || /^[:{<]/.test(value)) return false;
  if (type === 'integer') return /^-?\d+$/.test(value);
  if (type === 'number') return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value);
  if (type === 'boolean') return value === 'true' || value === 'false';
  return true;
}
