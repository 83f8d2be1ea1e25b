import { spawn } from 'node:child_process';
import type http from 'node:http';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { discoverSpec, looksLikeOpenApi } from '../../src/sources/discovery.js';
import { FRAMEWORK_PATHS } from '../../src/sources/frameworks.js';
import { closedPort, rejection, serve } from './http-server.js';

type Doc = Record<string, unknown>;

const plain = (extra: Doc = {}): Doc => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1.0.0' },
  paths: { '/pets': { get: { responses: { '200': { description: 'ok' } } } } },
  ...extra,
});
const swagger2 = (extra: Doc = {}): Doc => ({ swagger: '2.0', info: { title: 'Pets', version: '1.0.0' }, paths: {}, ...extra });
const ops = (...ids: string[]): Doc => ({
  paths: Object.fromEntries(ids.map((id, i) => [`/p${i}`, { get: { operationId: id, responses: {} } }])),
});

interface Case {
  name: string;
  path: string;
  body: Doc;
  yaml?: boolean;
  framework: string;
  minConfidence: number;
}

const CASES: Case[] = [
  {
    name: 'FastAPI',
    path: '/openapi.json',
    body: plain({ openapi: '3.1.0', components: { schemas: { HTTPValidationError: {}, ValidationError: {} } } }),
    framework: 'FastAPI',
    minConfidence: 0.8,
  },
  {
    name: 'springdoc',
    path: '/v3/api-docs',
    body: plain({ servers: [{ url: 'http://localhost:8080', description: 'Generated server url' }] }),
    framework: 'Spring Boot (springdoc)',
    minConfidence: 0.9,
  },
  {
    name: 'springdoc YAML',
    path: '/v3/api-docs.yaml',
    body: plain(),
    yaml: true,
    framework: 'Spring Boot (springdoc)',
    minConfidence: 0.4,
  },
  { name: 'springfox', path: '/v2/api-docs', body: swagger2(), framework: 'Spring Boot (springfox)', minConfidence: 0.4 },
  {
    name: 'NestJS',
    path: '/api-json',
    body: plain(ops('AppController_getHello', 'CatsController_findAll')),
    framework: 'NestJS',
    minConfidence: 0.9,
  },
  { name: 'NestJS docs-json', path: '/docs-json', body: plain(), framework: 'NestJS', minConfidence: 0.4 },
  { name: 'NestJS YAML', path: '/api-yaml', body: plain(), yaml: true, framework: 'NestJS', minConfidence: 0.4 },
  {
    name: 'Swashbuckle',
    path: '/swagger/v1/swagger.json',
    body: plain({ components: { schemas: { ProblemDetails: {} } } }),
    framework: 'ASP.NET Core (Swashbuckle)',
    minConfidence: 0.8,
  },
  {
    name: 'NSwag',
    path: '/swagger/v1/swagger.json',
    body: plain({ 'x-generator': 'NSwag v14.0.0.0 (NJsonSchema v11.0.0.0 (Newtonsoft.Json v13.0.0.0))' }),
    framework: 'ASP.NET Core (NSwag)',
    minConfidence: 0.8,
  },
  {
    name: 'ASP.NET Core OpenApi',
    path: '/openapi/v1.json',
    body: plain(),
    framework: 'ASP.NET Core (Microsoft.AspNetCore.OpenApi)',
    minConfidence: 0.4,
  },
  { name: 'express-openapi', path: '/api-docs', body: plain(), framework: 'Express (express-openapi)', minConfidence: 0.4 },
  { name: 'swagger-jsdoc', path: '/api-docs.json', body: plain(), framework: 'Express (swagger-jsdoc)', minConfidence: 0.4 },
  {
    name: 'Fastify',
    path: '/documentation/json',
    body: plain({ info: { title: '@fastify/swagger', version: '9.5.0' } }),
    framework: 'Fastify (@fastify/swagger)',
    minConfidence: 0.9,
  },
  {
    name: 'Fastify YAML',
    path: '/documentation/yaml',
    body: plain(),
    yaml: true,
    framework: 'Fastify (@fastify/swagger)',
    minConfidence: 0.4,
  },
  { name: 'Hono', path: '/doc', body: plain(), framework: 'Hono', minConfidence: 0.4 },
  {
    name: 'drf-spectacular',
    path: '/api/schema/',
    body: plain(ops('pets_list', 'pets_retrieve', 'pets_partial_update')),
    yaml: true,
    framework: 'Django (drf-spectacular)',
    minConfidence: 0.9,
  },
  {
    name: 'drf-spectacular /schema/',
    path: '/schema/',
    body: plain(),
    yaml: true,
    framework: 'Django (drf-spectacular)',
    minConfidence: 0.4,
  },
  {
    name: 'drf-yasg',
    path: '/swagger/?format=openapi',
    body: swagger2(ops('pets_list', 'pets_read')),
    framework: 'Django (drf-yasg)',
    minConfidence: 0.9,
  },
  { name: 'Flask-smorest under /api', path: '/api/openapi.json', body: plain(), framework: 'Flask-smorest', minConfidence: 0.4 },
  {
    name: 'flasgger',
    path: '/apispec_1.json',
    body: swagger2({ info: { title: 'A swagger API', version: '0.0.1' } }),
    framework: 'Flask (flasgger)',
    minConfidence: 0.9,
  },
  { name: 'rswag', path: '/api-docs/v1/swagger.yaml', body: plain(), yaml: true, framework: 'Rails (rswag)', minConfidence: 0.4 },
  { name: 'L5-Swagger', path: '/docs/api-docs.json', body: plain(), framework: 'Laravel (L5-Swagger)', minConfidence: 0.4 },
  { name: 'swaggo', path: '/swagger/doc.json', body: swagger2(), framework: 'Go (swaggo/swag)', minConfidence: 0.4 },
  { name: 'Quarkus', path: '/q/openapi', body: plain(), yaml: true, framework: 'Quarkus', minConfidence: 0.4 },
  { name: 'Quarkus legacy', path: '/openapi', body: plain(), yaml: true, framework: 'Quarkus', minConfidence: 0.4 },
  { name: 'Litestar', path: '/schema/openapi.json', body: plain(), framework: 'Litestar', minConfidence: 0.4 },
];

function docServer(path: string, body: Doc, options: { yaml?: boolean; headers?: Record<string, string> } = {}) {
  return serve((req, res) => {
    const headers = options.headers ?? {};
    if (req.url === path) {
      const text = options.yaml === true ? stringify(body) : JSON.stringify(body);
      res.writeHead(200, { ...headers, 'content-type': options.yaml === true ? 'application/yaml' : 'application/json' }).end(text);
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    }
  });
}

describe('discoverSpec: one server per framework, at its real path', () => {
  it.each(CASES)('finds $name at $path', async ({ path, body, yaml, framework, minConfidence }) => {
    const { origin } = await docServer(path, body, yaml === undefined ? {} : { yaml });
    const found = await discoverSpec(origin, { timeoutMs: 2_000 });
    expect(found.url).toBe(`${origin}${path}`);
    expect(found.framework).toBe(framework);
    expect(found.confidence).toBeGreaterThanOrEqual(minConfidence);
    expect(found.confidence).toBeLessThanOrEqual(1);
    expect(found.evidence[0]).toMatch(new RegExp(`^GET ${path.replace(/[?/]/g, '\\$&')} → 200`));
  });

  it('covers every path of the table', () => {
    const tested = new Set(CASES.map((c) => c.path));
    const untested = [...new Set(FRAMEWORK_PATHS.map((p) => p.path))].filter((p) => !tested.has(p));
    // Shared paths tested elsewhere in this file: /openapi.json plain, /swagger.json, /swagger.yaml, /api-docs/v1/openapi.yaml, /api-docs/openapi.json, /openapi.yaml.
    expect(untested.sort()).toEqual(
      ['/api-docs/openapi.json', '/api-docs/v1/openapi.yaml', '/openapi.yaml', '/swagger.json', '/swagger.yaml'].sort(),
    );
  });

  it.each([
    ['/swagger.json', 'Express (swagger-jsdoc)'],
    ['/swagger.yaml', 'Django (drf-yasg)'],
    ['/api-docs/v1/openapi.yaml', 'Rails (rswag)'],
    ['/api-docs/openapi.json', 'Rust (utoipa)'],
    ['/openapi.yaml', 'Go (Huma)'],
  ])('finds a plain document at %s and names %s with low confidence', async (path, framework) => {
    const { origin } = await docServer(path, plain(), { yaml: path.endsWith('.yaml') });
    const found = await discoverSpec(origin, { timeoutMs: 2_000 });
    expect(found.url).toBe(`${origin}${path}`);
    expect(found.framework).toBe(framework);
    expect(found.confidence).toBeLessThan(0.5);
  });
});

describe('discoverSpec: evidence from headers and content', () => {
  it('names the first framework of a shared path with low confidence when nothing else tells', async () => {
    const { origin } = await docServer('/openapi.json', plain());
    const found = await discoverSpec(origin);
    expect(found.framework).toBe('FastAPI');
    expect(found.confidence).toBe(0.3);
  });

  it('raises confidence from `server: uvicorn`', async () => {
    const { origin } = await docServer('/openapi.json', plain(), { headers: { server: 'uvicorn' } });
    const found = await discoverSpec(origin);
    expect(found.framework).toBe('FastAPI');
    expect(found.confidence).toBe(0.75);
    expect(found.evidence).toContain('header server: uvicorn → FastAPI or Django or Litestar');
  });

  it('lets `x-powered-by: Express` override the path guess', async () => {
    const { origin } = await docServer('/openapi.json', plain(), { headers: { 'x-powered-by': 'Express' } });
    const found = await discoverSpec(origin);
    expect(found.framework).toBe('Express');
    expect(found.evidence.some((line) => line.startsWith('header x-powered-by: Express'))).toBe(true);
  });

  it('reads headers from 404 responses too, and keeps NestJS for /api-json behind Express', async () => {
    const { origin } = await docServer('/api-json', plain(), { headers: { 'x-powered-by': 'Express' } });
    const found = await discoverSpec(origin);
    expect(found.framework).toBe('NestJS');
    expect(found.confidence).toBe(0.9);
  });

  it('recognises FastAPI by its document, wherever it is served', async () => {
    const { origin } = await docServer(
      '/swagger.json',
      plain({ components: { schemas: { HTTPValidationError: {}, ValidationError: {} } } }),
    );
    const found = await discoverSpec(origin);
    expect(found.framework).toBe('FastAPI');
    expect(found.evidence.some((line) => line.includes('HTTPValidationError'))).toBe(true);
  });

  it('probes under the base path', async () => {
    const { origin } = await docServer('/service/v3/api-docs', plain());
    const found = await discoverSpec(`${origin}/service`);
    expect(found.url).toBe(`${origin}/service/v3/api-docs`);
  });
});

describe('discoverSpec: failures', () => {
  it('throws DISCOVERY_FAILED listing every path tried when nothing is there', async () => {
    const { origin, requests } = await serve((_req, res) => res.writeHead(404).end());
    const error = await rejection(() => discoverSpec(origin, { timeoutMs: 2_000 }));
    const unique = new Set(FRAMEWORK_PATHS.map((p) => p.path));
    expect(error.code).toBe('DISCOVERY_FAILED');
    expect(error.retryable).toBe(false);
    const tried = (error.details as { tried: { path: string; outcome: string }[] }).tried;
    expect(new Set(tried.map((t) => t.path))).toEqual(unique);
    expect(tried.every((t) => t.outcome === 'HTTP 404')).toBe(true);
    expect(requests.length).toBe(unique.size);
  });

  it('does not count HTML pages (a docs UI at /docs, a catch-all SPA)', async () => {
    const { origin } = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Docs</title>'),
    );
    const error = await rejection(() => discoverSpec(origin));
    expect(error.code).toBe('DISCOVERY_FAILED');
    expect((error.details as { tried: { outcome: string }[] }).tried.every((t) => t.outcome === 'an HTML page')).toBe(true);
  });

  it('skips HTML served with a JSON content type and finds the real document', async () => {
    const { origin } = await serve((req, res) => {
      if (req.url === '/api-docs/v1/swagger.yaml') res.writeHead(200, { 'content-type': 'text/yaml' }).end(stringify(plain()));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('<html><body>Swagger UI</body></html>');
    });
    const found = await discoverSpec(origin);
    expect(found.url).toBe(`${origin}/api-docs/v1/swagger.yaml`);
  });

  it('says to pass credentials when every path answers 401, and sends them when given', async () => {
    const { origin, requests } = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer good' && req.url === '/openapi.json') res.end(JSON.stringify(plain()));
      else res.writeHead(401).end();
    });
    const error = await rejection(() => discoverSpec(origin));
    expect(error.code).toBe('DISCOVERY_FAILED');
    expect(error.hint).toMatch(/auth/);
    expect(JSON.stringify(error)).not.toContain('good');
    const found = await discoverSpec(origin, { auth: { type: 'bearer', token: 'good' } });
    expect(found.url).toBe(`${origin}/openapi.json`);
    expect(requests.at(-1)?.headers.authorization).toBe('Bearer good');
  });

  it('does not count JSON that is not an OpenAPI document', async () => {
    const { origin } = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    const error = await rejection(() => discoverSpec(origin));
    expect(error.code).toBe('DISCOVERY_FAILED');
  });

  it('reports a refused connection, with a framework hint, when the host is down', async () => {
    const port = await closedPort();
    const error = await rejection(() => discoverSpec(`http://127.0.0.1:${port}`));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(typeof error.hint).toBe('string');
  });

  it('honours its AbortSignal', async () => {
    const { origin } = await serve(() => {
      /* never answers */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(() => discoverSpec(origin, { signal: controller.signal }));
    expect(error.code).toBe('JOB_CANCELLED');
  });

  it('validates options', async () => {
    await expect(discoverSpec('localhost:8000')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(discoverSpec('http://127.0.0.1:1', { concurrency: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('discoverSpec: probing', () => {
  it('keeps at most `concurrency` probes in flight and stops launching once one succeeds', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const { origin } = await serve((req: http.IncomingMessage, res: http.ServerResponse) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      seen.push(req.url ?? '');
      setTimeout(() => {
        inFlight -= 1;
        if (req.url === '/api-json') res.writeHead(200).end(JSON.stringify(plain()));
        else res.writeHead(404).end();
      }, 20);
    });
    const found = await discoverSpec(origin, { concurrency: 2 });
    expect(found.framework).toBe('NestJS');
    expect(peak).toBeLessThanOrEqual(2);
    // /api-json is third in priority order: with two at a time, at most four probes start.
    expect(seen.slice(0, 3)).toEqual(['/openapi.json', '/v3/api-docs', '/api-json']);
    expect(seen.length).toBeLessThanOrEqual(4);
  });

  it('quick-checks bodies', () => {
    expect(looksLikeOpenApi('openapi: 3.1.0\ninfo: {title: t, version: "1"}\n')).toMatchObject({ version: 'OpenAPI 3.1.0' });
    expect(looksLikeOpenApi('{"swagger":"2.0"}')).toMatchObject({ version: 'Swagger 2.0' });
    expect(looksLikeOpenApi('\uFEFF{"openapi":"3.0.0"}')).toMatchObject({ version: 'OpenAPI 3.0.0' });
    expect(looksLikeOpenApi('{"openapi":"4"}')).toBe('an object without an openapi or swagger version');
    expect(looksLikeOpenApi('hello: world')).toBe('neither JSON nor an OpenAPI YAML document');
    expect(looksLikeOpenApi('{bad')).toBe('invalid JSON');
    expect(looksLikeOpenApi('')).toBe('an empty body');
  });
});

/** 200 MiB of zeros, gzipped (about 200 KB), built from a stream so the test never holds the zeros. */
async function gzipBomb(): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  let sent = 0;
  const source = new Readable({
    read() {
      this.push(sent++ < 200 ? zeros : null);
    },
  });
  const parts: Buffer[] = [];
  for await (const part of source.pipe(createGzip({ level: 9 }))) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('discoverSpec: memory', () => {
  it('keeps its memory bounded when every path answers a gzip bomb, and ends with DISCOVERY_FAILED', async () => {
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { origin, requests } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
      res.end(bomb);
    });
    // A child process, so the peak resident set size is discovery's alone.
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'discover-child.ts'), origin], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((done) => child.once('close', done));
    const report = JSON.parse(out) as { code: string; outcomes: string[]; startRss: number; sampledPeakRss: number; vmHwm: number };
    expect(report.code).toBe('DISCOVERY_FAILED');
    expect(report.outcomes).toEqual(['SOURCE_TOO_LARGE']);
    expect(requests.length).toBe(new Set(FRAMEWORK_PATHS.map((p) => p.path)).size);
    // Every probe's decoded body stops at the 16 MiB cap, and one body is read at a time:
    // above the start, one cap being read, plus what V8 lets pile up before it collects
    // dropped buffers (it forces a collection once external memory grew 64 MiB), plus the
    // young generation: under 96 MiB (measured: 35 to 60). Before, four probes decoded
    // 50 MiB each at once: about 240 MB above the start, 305 to 330 MB in all.
    const MiB = 1024 * 1024;
    expect(report.vmHwm - report.startRss).toBeLessThan(96 * MiB);
  }, 60_000);
});
