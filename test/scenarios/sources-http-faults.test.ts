/**
 * Issue 4, "Must show", at the engine level: the faults a live HTTP API can
 * produce, each through a real `SyncEngine` binding (`httpSource` → target)
 * against a real server on 127.0.0.1. After every fault: the engine still
 * runs, another binding still syncs, the job failed with a typed code, and
 * the target is exactly as it was.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SyncEngine,
  httpSource,
  isSyncError,
  openApiFileTarget,
  type HttpSource,
  type HttpSourceOptions,
  type SyncEngineOptions,
  type SyncErrorCode,
  type SyncTarget,
} from '../../src/index.js';
import { loadSharing } from '../../src/document/load.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';
import { endlessBody, serve, type TestServer } from '../sources/http-server.js';

// Wrap the real loader (the engine's entry point to it) in a spy, so "ended before parsing" is observed, not inferred.
vi.mock('../../src/document/load.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/document/load.js')>();
  return { ...actual, loadSharing: vi.fn(actual.loadSharing) };
});
const loadSpy = vi.mocked(loadSharing);

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const V1 = petstore(2, 'Live');
const V2 = petstore(3, 'Live');

/** Serve `doc` as JSON with the given validators, answering 304 to a matching If-None-Match / If-Modified-Since. */
function document(doc: unknown, validators: { etag?: string; lastModified?: string } = {}, contentType = 'application/json'): Handler {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return (req, res) => {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (validators.etag !== undefined) headers.etag = validators.etag;
    if (validators.lastModified !== undefined) headers['last-modified'] = validators.lastModified;
    const etagHit = validators.etag !== undefined && req.headers['if-none-match'] === validators.etag;
    const dateHit = validators.lastModified !== undefined && req.headers['if-modified-since'] === validators.lastModified;
    if (etagHit || dateHit) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
  };
}

interface Harness<Local> {
  server: TestServer;
  engine: SyncEngine;
  source: HttpSource;
  target: SyncTarget<Local> & { readonly writeCount?: number };
  /** Reads the target's local copy. */
  local(): Promise<Local | undefined>;
  writes(): number;
  recorder: EventRecorder;
  control: MemorySource;
  controlTarget: MemoryTarget;
  /** What the server does next. */
  respond(handler: Handler): void;
}

const engines: SyncEngine[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stopSync()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  loadSpy.mockClear();
});

/**
 * A started engine (no polling) with two bindings: `api` (httpSource → memory
 * target, or a file target) and `control` (a memory source), and a first good
 * sync of `api` already applied.
 */
async function harness(
  options: { source?: Partial<HttpSourceOptions>; engine?: SyncEngineOptions; first?: Handler; fileTarget?: boolean } = {},
): Promise<Harness<Record<string, unknown>>> {
  let handler: Handler = options.first ?? document(V1, { etag: '"v1"' });
  const server = await serve((req, res) => handler(req, res));
  // No polling and no start sync: each test makes its syncs itself.
  const engine = new SyncEngine({ defaultIntervalMs: 0, syncOnStart: false, retry: { maxRetries: 0 }, ...options.engine });
  engines.push(engine);
  const source = httpSource({
    url: `${server.origin}/openapi.json`,
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    ...options.source,
  });
  let writes = 0;
  let target: SyncTarget<Record<string, unknown>>;
  let memory: MemoryTarget<Record<string, unknown>> | undefined;
  if (options.fileTarget) {
    const folder = mkdtempSync(join(tmpdir(), 'als-http-faults-'));
    folders.push(folder);
    const file = openApiFileTarget({ path: join(folder, 'local.json') });
    target = {
      ...file,
      write: async (local, context) => {
        await file.write(local, context);
        writes += 1;
      },
    };
  } else {
    memory = new MemoryTarget<Record<string, unknown>>();
    target = memory;
  }
  const control = new MemorySource(petstore(1, 'Control'));
  const controlTarget = new MemoryTarget();
  const recorder = new EventRecorder(engine);
  await engine.addSource({ id: 'api', source, target });
  // watch: false, so the control binding runs only when the test asks.
  await engine.addSource({ id: 'control', source: control, target: controlTarget, watch: false });
  await engine.startSync();
  const first = await engine.syncNow('api');
  expect(first.outcome).toBe('applied');
  recorder.clear();
  loadSpy.mockClear();
  return {
    server,
    engine,
    source,
    target,
    // Read the local copy directly (not through the adapter), as a user would look at it.
    local: async () => (memory ? memory.value : (JSON.parse(readFileSync(target.location ?? '', 'utf8')) as Record<string, unknown>)),
    writes: () => (memory ? memory.writeCount : writes),
    recorder,
    control,
    controlTarget,
    respond: (next) => {
      handler = next;
    },
  };
}

let controlVersion = 2;

/**
 * Run `api` once expecting a failure with `code`, then check the invariants
 * every fault must keep. Returns the serialised error of `job:failed`.
 */
async function expectFault(
  h: Harness<Record<string, unknown>>,
  code: SyncErrorCode,
  run: () => Promise<unknown> = () => h.engine.syncNow('api'),
) {
  const before = await h.local();
  const writesBefore = h.writes();
  h.recorder.clear();

  const error = await run().then(
    () => {
      throw new Error(`Expected the sync to fail with ${code}, but it resolved.`);
    },
    (e: unknown) => e,
  );
  expect(isSyncError(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  expect((error as { hint?: string }).hint).toBeTruthy();

  const failed = h.recorder.of('job:failed').filter((e) => e.job.sourceId === 'api');
  expect(failed).toHaveLength(1);
  expect(failed[0]?.error.code).toBe(code);
  expect(failed[0]?.job.status).toBe('failed');
  const names = h.recorder.names('api');
  expect(names).not.toContain('sync:applied');
  expect(names).not.toContain('spec:changed');
  const status = h.engine.getSyncStatus();
  expect(status.bindings.find((b) => b.id === 'api')?.lastError?.code).toBe(code);

  // The target is untouched.
  expect(await h.local()).toEqual(before);
  expect(h.writes()).toBe(writesBefore);

  // The engine still runs, and another binding still syncs.
  expect(h.engine.state).toBe('running');
  expect(status.state).toBe('running');
  const next = petstore(controlVersion++, 'Control');
  h.control.set(next);
  await expect(h.engine.syncNow('control')).resolves.toMatchObject({ outcome: 'applied', written: true });
  expect(h.controlTarget.value).toEqual(next);
  return failed[0]!.error;
}

/** After a fault, the same binding recovers once the server is good again. */
async function expectRecovery(h: Harness<Record<string, unknown>>, doc: Record<string, unknown> = V2): Promise<void> {
  h.respond(document(doc, { etag: '"recovered"' }));
  await expect(h.engine.syncNow('api')).resolves.toMatchObject({ outcome: 'applied', written: true });
  expect(await h.local()).toEqual(doc);
}

describe('engine + httpSource: unchanged documents end before parsing', () => {
  it('round-trips an ETag: the 304 ends the run as unchanged/not-modified with no parse and no write', async () => {
    const h = await harness();
    expect(h.server.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(await h.engine.store.getValidators('api')).toMatchObject({ etag: '"v1"' });
    const writes = h.writes();

    const result = await h.engine.syncNow('api');
    expect(result).toMatchObject({ outcome: 'unchanged', unchangedReason: 'not-modified', written: false });
    expect(result.hash).toBeUndefined();
    expect(h.server.requests[1]?.headers['if-none-match']).toBe('"v1"');
    expect(h.recorder.of('spec:fetched')).toMatchObject([{ sourceId: 'api', kind: 'not-modified' }]);
    expect(h.recorder.of('spec:fetched')[0]?.bytes).toBeUndefined();
    expect(h.recorder.of('spec:unchanged')).toMatchObject([{ sourceId: 'api', reason: 'not-modified' }]);
    expect(h.recorder.names('api')).not.toContain('spec:changed');
    expect(loadSpy).not.toHaveBeenCalled();
    expect(h.writes()).toBe(writes);
    expect(await h.local()).toEqual(V1);
  });

  it('the loader spy does see a changed document (the check above can fail)', async () => {
    const h = await harness();
    h.respond(document(V2, { etag: '"v2"' }));
    await expect(h.engine.syncNow('api')).resolves.toMatchObject({ outcome: 'applied' });
    expect(loadSpy).toHaveBeenCalledTimes(1);
  });

  it('round-trips Last-Modified through If-Modified-Since', async () => {
    const stamp = 'Tue, 21 Oct 2025 07:28:00 GMT';
    const h = await harness({ first: document(V1, { lastModified: stamp }) });
    expect(await h.engine.store.getValidators('api')).toMatchObject({ lastModified: stamp });
    const writes = h.writes();

    const result = await h.engine.syncNow('api');
    expect(result).toMatchObject({ outcome: 'unchanged', unchangedReason: 'not-modified' });
    expect(h.server.requests[1]?.headers['if-modified-since']).toBe(stamp);
    expect(h.recorder.of('spec:unchanged')).toMatchObject([{ reason: 'not-modified' }]);
    expect(loadSpy).not.toHaveBeenCalled();
    expect(h.writes()).toBe(writes);
  });

  it("probe 'head': a refused HEAD falls back to GET, and HEAD is not sent again", async () => {
    const methods: string[] = [];
    const refuseHead =
      (next: Handler): Handler =>
      (req, res) => {
        methods.push(req.method ?? '');
        if (req.method === 'HEAD') res.writeHead(405, { allow: 'GET' }).end();
        else next(req, res);
      };
    const h = await harness({ source: { probe: 'head' }, first: refuseHead(document(V1, { etag: '"v1"' })) });
    expect(methods).toEqual(['GET']); // no validators yet: no probe

    h.respond(refuseHead(document(V2, { etag: '"v2"' })));
    await expect(h.engine.syncNow('api')).resolves.toMatchObject({ outcome: 'applied', written: true });
    expect(methods).toEqual(['GET', 'HEAD', 'GET']);
    expect(h.source.headRefused).toBe(true);
    expect(await h.local()).toEqual(V2);

    const third = await h.engine.syncNow('api');
    expect(third).toMatchObject({ outcome: 'unchanged', unchangedReason: 'not-modified' });
    expect(methods).toEqual(['GET', 'HEAD', 'GET', 'GET']);
    expect(h.server.requests[3]?.headers['if-none-match']).toBe('"v2"');
  });
});

describe('engine + httpSource: faults never reach the target', () => {
  it('slow headers: SOURCE_TIMEOUT (headers)', async () => {
    const h = await harness({ source: { headersTimeoutMs: 150 } });
    h.respond(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await expectFault(h, 'SOURCE_TIMEOUT');
    expect(error.details.phase).toBe('headers');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expectRecovery(h);
  });

  it('slow body: SOURCE_TIMEOUT (body) mid-body', async () => {
    const h = await harness({ source: { bodyTimeoutMs: 150 } });
    h.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"openapi":"3.0.3","info":');
    });
    const error = await expectFault(h, 'SOURCE_TIMEOUT');
    expect(error.details.phase).toBe('body');
    await expectRecovery(h);
  });

  it('connection reset mid-body: SOURCE_CONNECTION_RESET', async () => {
    // A reset by a server on 127.0.0.1 looks like a dev server restarting, which the engine waits out by
    // default (test/scheduler/restart.test.ts); with no grace period the fault ends the job at once.
    const h = await harness({ engine: { retry: { maxRetries: 0, restartGraceMs: 0 } } });
    h.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write(`${JSON.stringify(V2).slice(0, 40)}`, () => res.socket?.destroy());
    });
    const error = await expectFault(h, 'SOURCE_CONNECTION_RESET');
    expect(error.retryable).toBe(true);
    expect(error.restarting).toBe(true);
    await expectRecovery(h);
  });

  it('500 without retries left: SOURCE_HTTP_STATUS with the status', async () => {
    const h = await harness();
    h.respond((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'));
    const error = await expectFault(h, 'SOURCE_HTTP_STATUS');
    expect(error.details.status).toBe(500);
    expect(error.retryable).toBe(true);
    await expectRecovery(h);
  });

  it('500 then recovery: retried after the exact backoff (ManualClock), then applied', async () => {
    const clock = new ManualClock();
    const h = await harness({
      engine: { clock, random: () => 0.5, retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, factor: 2 } },
    });
    let calls = 0;
    h.respond((req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(500).end('boom');
      else document(V2, { etag: '"v2"' })(req, res);
    });
    const writes = h.writes();
    const pending = h.engine.syncNow('api');
    const retrying = await h.recorder.waitFor('job:retrying', (e) => e.job.sourceId === 'api');
    // full jitter: floor(0.5 × min(60000, 1000 × 2^0)) = 500
    expect(retrying.delayMs).toBe(500);
    expect(retrying.nextAttempt).toBe(clock.now() + 500);
    expect(retrying.error).toMatchObject({ code: 'SOURCE_HTTP_STATUS', details: { status: 500 } });
    expect(await h.local()).toEqual(V1);
    expect(h.writes()).toBe(writes);
    expect(h.engine.state).toBe('running');

    await clock.advance(499);
    expect(calls).toBe(1);
    await clock.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ outcome: 'applied', written: true });
    expect(calls).toBe(2);
    expect(await h.local()).toEqual(V2);
    expect(h.recorder.of('job:failed')).toEqual([]);
    expect(h.engine.getMetrics().perSource.api?.retries).toBe(1);
  });

  it('429 with Retry-After: nextAttempt is now + Retry-After exactly, in the event and in getSyncStatus', async () => {
    const clock = new ManualClock();
    const h = await harness({
      engine: { clock, random: () => 0.5, retry: { maxRetries: 1, baseDelayMs: 1_000, maxDelayMs: 60_000, factor: 2 } },
    });
    h.respond((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
    const requestsBefore = h.server.requests.length;
    const t0 = clock.now();

    const error = await expectFault(h, 'SOURCE_HTTP_STATUS', async () => {
      const pending = h.engine.syncNow('api');
      pending.catch(() => undefined);
      const retrying = await h.recorder.waitFor('job:retrying', (e) => e.job.sourceId === 'api');
      expect(retrying.delayMs).toBe(7_000);
      expect(retrying.nextAttempt).toBe(t0 + 7_000);
      expect(retrying.job.nextAttempt).toBe(t0 + 7_000);
      expect(retrying.error).toMatchObject({ code: 'SOURCE_HTTP_STATUS', retryAfterMs: 7_000, details: { status: 429 } });
      const job = h.engine.getSyncStatus().jobs.find((j) => j.sourceId === 'api');
      expect(job).toMatchObject({ status: 'pending', retryCount: 1, nextAttempt: t0 + 7_000 });

      await clock.advance(6_999);
      expect(h.server.requests.length).toBe(requestsBefore + 1);
      await clock.advance(1);
      return pending;
    });
    expect(h.server.requests.length).toBe(requestsBefore + 2);
    expect(error.details.status).toBe(429);
    expect(error.retryAfterMs).toBe(7_000);
    await expectRecovery(h);
  });

  it('redirect loop: SOURCE_REDIRECT_LIMIT (loop), not retried', async () => {
    const h = await harness({ engine: { retry: { maxRetries: 3 } } });
    const before = h.server.requests.length;
    h.respond((req, res) => res.writeHead(302, { location: req.url === '/openapi.json' ? '/b' : '/openapi.json' }).end());
    const error = await expectFault(h, 'SOURCE_REDIRECT_LIMIT');
    expect(error.details.loop).toBe(true);
    expect(error.retryable).toBe(false);
    expect(h.recorder.of('job:retrying')).toEqual([]);
    expect(h.server.requests.length - before).toBe(2);
    await expectRecovery(h);
  });

  it('oversized body: SOURCE_TOO_LARGE, the transfer is cut early', async () => {
    const h = await harness({ source: { maxBytes: 64 * 1024 } });
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const body = endlessBody(total, chunk);
    h.respond(body.handler);
    const error = await expectFault(h, 'SOURCE_TOO_LARGE');
    expect(error.retryable).toBe(false);
    await body.done;
    expect(body.written()).toBeLessThan(total / 4);
    await expectRecovery(h);
  });

  it('HTML error page served with 200: SPEC_HTML', async () => {
    const h = await harness();
    h.respond(document('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', {}, 'text/html'));
    const error = await expectFault(h, 'SPEC_HTML');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/502 Bad Gateway/);
    await expectRecovery(h);
  });

  it('YAML alias bomb: SPEC_ALIAS_LIMIT, refused fast', async () => {
    const h = await harness();
    const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const lines = ['openapi: 3.0.3', 'info: {title: bomb, version: "1"}', 'paths: {}', 'x-lol:'];
    lines.push(`  ${levels[0]}: &${levels[0]} [${Array(9).fill('"lol"').join(', ')}]`);
    for (let i = 1; i < levels.length; i++)
      lines.push(
        `  ${levels[i]}: &${levels[i]} [${Array(9)
          .fill(`*${levels[i - 1]}`)
          .join(', ')}]`,
      );
    h.respond(document(`${lines.join('\n')}\n`, {}, 'application/yaml'));
    const started = Date.now();
    const error = await expectFault(h, 'SPEC_ALIAS_LIMIT');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.retryable).toBe(false);
    await expectRecovery(h);
  });
});

describe('engine + httpSource: documents that are valid but different', () => {
  it('a Swagger 2.0 document is applied, upgraded: the target file holds openapi 3.0.x', async () => {
    const h = await harness({ fileTarget: true });
    const swagger = {
      swagger: '2.0',
      info: { title: 'Live', version: '2.0.0' },
      host: 'api.example.com',
      basePath: '/v1',
      schemes: ['https'],
      paths: {
        '/pets': {
          get: {
            operationId: 'listPets0',
            produces: ['application/json'],
            responses: { '200': { description: 'ok', schema: { type: 'array', items: { $ref: '#/definitions/Pet' } } } },
          },
        },
        '/pets1': { get: { operationId: 'listPets1', responses: { '200': { description: 'ok' } } } },
        '/pets/{petId}': {
          post: {
            operationId: 'updatePet',
            consumes: ['application/json'],
            parameters: [
              { in: 'path', name: 'petId', required: true, type: 'string' },
              { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/Pet' } },
            ],
            responses: { '204': { description: 'done' } },
          },
        },
      },
      definitions: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
    };
    h.respond(document(swagger, { etag: '"swagger"' }));
    const result = await h.engine.syncNow('api');
    expect(result).toMatchObject({ outcome: 'applied', written: true });
    const onDisk = JSON.parse(readFileSync(h.target.location ?? '', 'utf8')) as Record<string, unknown>;
    expect(onDisk.openapi).toMatch(/^3\.0\.\d+$/);
    expect(onDisk.swagger).toBeUndefined();
    expect(onDisk.servers).toEqual([{ url: 'https://api.example.com/v1' }]);
    const post = (onDisk.paths as Record<string, Record<string, Record<string, unknown>>>)['/pets/{petId}']?.post;
    expect(post?.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } });
    expect((onDisk.components as Record<string, Record<string, unknown>>).schemas?.Pet).toBeDefined();
    expect(h.writes()).toBe(2);
  });

  it('an OpenAPI 3.1 document with webhooks is applied with its webhooks', async () => {
    const h = await harness();
    const doc = {
      openapi: '3.1.0',
      info: { title: 'Live', version: '3.1.0' },
      paths: V1.paths,
      webhooks: {
        newPet: {
          post: {
            operationId: 'newPetHook',
            requestBody: {
              content: { 'application/json': { schema: { type: ['object', 'null'], properties: { name: { type: 'string' } } } } },
            },
            responses: { '200': { description: 'received' } },
          },
        },
      },
    };
    h.respond(document(doc, { etag: '"v31"' }));
    const result = await h.engine.syncNow('api');
    expect(result).toMatchObject({ outcome: 'applied', written: true });
    const local = await h.local();
    expect(local?.openapi).toBe('3.1.0');
    expect(local?.webhooks).toEqual(doc.webhooks);
    expect(local).toEqual(doc);
  });
});
