/**
 * Run Bruno's real CLI (`bru run`), installed by scripts/install-clients.sh
 * into `.tools/clients`, on a collection folder, and read its JSON report.
 * Also a loopback server that answers every route of an OpenAPI document.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The tool folder of the API clients' runners. */
export const CLIENTS_DIR = resolve(import.meta.dirname, '../../.tools/clients');
/** Bruno's CLI entry script. */
export const BRU_JS = resolve(CLIENTS_DIR, 'node_modules/@usebruno/cli/bin/bru.js');

/** Throws, saying how to install it, when the CLI is missing: a missing tool fails the run instead of skipping it. */
export function assertBruInstalled(): void {
  if (!existsSync(BRU_JS)) {
    throw new Error(`Bruno's CLI is not installed in ${CLIENTS_DIR}. Run scripts/install-clients.sh (it needs the npm registry once).`);
  }
}

/** One request of a `bru run` JSON report. */
export interface BruResult {
  path: string;
  status: 'pass' | 'fail' | 'error' | 'skipped' | string;
  error: string | null;
  request: { method: string; url: string; headers: Record<string, unknown>; data?: unknown };
  response: { status: number } | null;
  assertionResults: Array<{ status: string; lhsExpr: string; rhsExpr: string; error?: string }>;
  testResults: Array<{ status: string; description: string }>;
}

/** What one `bru run` gave: its exit code and its JSON report. */
export interface BruRun {
  code: number | null;
  results: BruResult[];
  summary: Record<string, number>;
  stderr: string;
}

/**
 * The requests of a run that did not pass, as `path: why`: an error, a
 * failed assertion or test, or a response status of 400 or more. Empty when
 * everything passed.
 */
export function bruFailures(run: BruRun): string[] {
  const out: string[] = [];
  for (const result of run.results) {
    const why: string[] = [];
    if (result.status !== 'pass') why.push(`status ${result.status}${result.error ? ` (${result.error})` : ''}`);
    if (result.response === null || result.response.status >= 400) why.push(`response ${result.response?.status ?? 'none'}`);
    for (const a of result.assertionResults ?? [])
      if (a.status !== 'pass') why.push(`assert ${a.lhsExpr} ${a.rhsExpr}${a.error ? ` (${a.error})` : ''}`);
    for (const t of result.testResults ?? []) if (t.status !== 'pass') why.push(`test ${t.description}`);
    if (why.length > 0) out.push(`${result.path}: ${why.join(', ')}`);
  }
  return out;
}

/** `bru run -r --env-var NAME=VALUE … --format json --output <tmp>`, inside `dir`. */
export async function runBru(
  dir: string,
  vars: Record<string, string>,
  options: { env?: string; timeoutMs?: number } = {},
): Promise<BruRun> {
  assertBruInstalled();
  if (!existsSync(join(dir, 'bruno.json')))
    throw new Error(`runBru: expected a collection folder with bruno.json, got ${JSON.stringify(dir)}.`);
  const out = await mkdtemp(join(tmpdir(), 'als-bru-report-'));
  const report = join(out, 'report.json');
  const args = [BRU_JS, 'run', '-r', '--format', 'json', '--output', report];
  if (options.env !== undefined) args.push('--env', options.env);
  for (const [name, value] of Object.entries(vars)) args.push('--env-var', `${name}=${value}`);
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, args, {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, stderr });
      });
    });
    if (!existsSync(report)) throw new Error(`bru run wrote no report (exit code ${code}): ${stderr}`);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as Array<{ results: BruResult[]; summary: Record<string, number> }>;
    const first = parsed[0];
    if (first === undefined) throw new Error('bru run wrote an empty report');
    return { code, results: first.results, summary: first.summary, stderr };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** A route of an OpenAPI document the server answers. */
interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  status: number;
  body: unknown;
}

/** A running loopback server; `close()` stops it. */
export interface SpecServer {
  /** `http://127.0.0.1:PORT` plus the document's server path (e.g. `/api`). */
  url: string;
  /** Every request received that matched a route, as `METHOD /template`. */
  hits: string[];
  /** Every request that matched no route, as `METHOD /path`. */
  misses: string[];
  /** Replace the document whose routes are answered. */
  serve(document: unknown): void;
  close(): Promise<void>;
}

/**
 * Start a server on 127.0.0.1 (a free port) that answers every operation of
 * `document` with its first 2xx status (and its JSON example, if any), and
 * 404 to everything else. `basePath` is the path part of its URL.
 */
export async function startSpecServer(document: unknown, basePath = ''): Promise<SpecServer> {
  const hits: string[] = [];
  const misses: string[] = [];
  let routes = routesOf(document);
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : null;
      const method = (request.method ?? '').toLowerCase();
      const route = path === null ? undefined : routes.find((r) => r.method === method && r.pattern.test(path));
      if (route === undefined) {
        misses.push(`${method.toUpperCase()} ${url.pathname}`);
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such route"}');
        return;
      }
      hits.push(`${method.toUpperCase()} ${route.template}`);
      if (route.status === 204 || route.status === 304) response.writeHead(route.status).end();
      else response.writeHead(route.status, { 'content-type': 'application/json' }).end(JSON.stringify(route.body ?? { ok: true }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    hits,
    misses,
    serve: (next) => {
      routes = routesOf(next);
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function routesOf(document: unknown): Route[] {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const routes: Route[] = [];
  for (const [template, raw] of Object.entries(paths)) {
    // A path item may be a `$ref` to another (`#/paths/~1other`).
    const item = (typeof raw?.$ref === 'string' ? pointer(document, raw.$ref) : raw) as Record<string, unknown> | undefined;
    const pattern = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map(escapeRegExp)
        .join('[^/]+')}/?$`,
    );
    for (const method of METHODS) {
      const operation = item?.[method] as { responses?: Record<string, { content?: Record<string, { example?: unknown }> }> } | undefined;
      if (operation === undefined) continue;
      const statuses = Object.keys(operation.responses ?? {}).filter((s) => /^2\d\d$/.test(s));
      const status = statuses.length > 0 ? Number(statuses[0]) : 200;
      const body = operation.responses?.[String(status)]?.content?.['application/json']?.example;
      routes.push({ method, pattern, template, status, body });
    }
  }
  return routes;
}

function pointer(document: unknown, ref: string): unknown {
  let node: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/'))
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
