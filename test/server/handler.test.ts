import http from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { SourceError, SyncEngine, manual } from '../../src/index.js';
import { createSyncHandler, httpStatusForCode, type SyncHandlerEngine } from '../../src/server/index.js';
import { EventRecorder, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';
import { listen, petsEngine, rawRequest, serveHandler, withRails } from './support.js';

/** POST as a script would: JSON content type (required on every POST), no Origin. */
const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

describe('createSyncHandler: read endpoints', () => {
  it('GET /status answers getSyncStatus() as JSON', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    const response = await fetch(`${origin}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { bindings: Array<{ id: string; lastResult: { outcome: string } }> };
    expect(body).toEqual(JSON.parse(JSON.stringify(engine.getSyncStatus())));
    expect(body.bindings[0]).toMatchObject({ id: 'pets', lastResult: { outcome: 'applied' } });
  });

  it('GET /metrics answers the Prometheus text with its 0.0.4 content type', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    const response = await fetch(`${origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toBe(engine.toPrometheusText());
    expect(text).toMatch(/^# (HELP|TYPE) /m);
  });
});

describe('createSyncHandler: POST /sources/:id/sync', () => {
  it('runs syncNow and answers the SyncResult', async () => {
    const { engine, source, target } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    source.set(petstore(3));
    const response = await post(`${origin}/sources/pets/sync`);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { outcome: string; sourceId: string; written: boolean };
    expect(result).toMatchObject({ outcome: 'applied', sourceId: 'pets', written: true });
    expect(target.value).toEqual(petstore(3));
  });

  it('maps typed errors to statuses: unknown binding 404, bad document 502, open circuit 503 with Retry-After', async () => {
    const { engine, source } = await petsEngine({ retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    const { origin } = await serveHandler(createSyncHandler(engine));

    const missing = await post(`${origin}/sources/nope/sync`);
    expect(missing.status).toBe(404);
    const missingBody = (await missing.json()) as { error: { code: string; message: string } };
    expect(missingBody.error.code).toBe('BINDING_NOT_FOUND');
    expect(missingBody.error.message).toContain('nope');
    const pathStep = await post(`${origin}/sources/a%2Fb/sync`);
    expect(pathStep.status).toBe(400);
    expect(((await pathStep.json()) as { error: { code: string } }).error.code).toBe('BINDING_ID_INVALID');

    source.set({ hello: 'not an API' });
    const invalid = await post(`${origin}/sources/pets/sync`);
    expect(invalid.status).toBe(502);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toMatch(/^SPEC_/);

    source.fail(new SourceError('SOURCE_CONNECTION_REFUSED', 'connect ECONNREFUSED', { hint: 'Start the API.' }));
    const refused = await post(`${origin}/sources/pets/sync`);
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: { code: 'SOURCE_CONNECTION_REFUSED', hint: 'Start the API.' } });

    const open = await post(`${origin}/sources/pets/sync`);
    expect(open.status).toBe(503);
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(Number(open.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await open.json()).toMatchObject({ error: { code: 'CIRCUIT_OPEN', message: expect.any(String), hint: expect.any(String) } });
  });

  it('httpStatusForCode covers every family', () => {
    expect(httpStatusForCode('CONFIG_INVALID')).toBe(400);
    expect(httpStatusForCode('BINDING_ID_INVALID')).toBe(400);
    expect(httpStatusForCode('BINDING_NOT_FOUND')).toBe(404);
    expect(httpStatusForCode('JOB_NOT_FOUND')).toBe(404);
    expect(httpStatusForCode('JOB_NOT_PENDING')).toBe(409);
    expect(httpStatusForCode('ROLLBACK_REFUSED')).toBe(409);
    expect(httpStatusForCode('CIRCUIT_OPEN')).toBe(503);
    expect(httpStatusForCode('SOURCE_TIMEOUT')).toBe(502);
    expect(httpStatusForCode('SPEC_HTML')).toBe(502);
    expect(httpStatusForCode('TARGET_WRITE_FAILED')).toBe(500);
    expect(httpStatusForCode('STORE_CORRUPT')).toBe(500);
  });
});

describe('createSyncHandler: held syncs, rollback and decisions', () => {
  it('POST /jobs/:jobId/approve and /dismiss call the engine and answer its result', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped));

    const approved = await post(`${origin}/jobs/job-12/approve`);
    expect(approved.status).toBe(200);
    expect(await approved.json()).toEqual({ jobId: 'job-12', outcome: 'applied' });
    const dismissed = await post(`${origin}/jobs/job%2F13/dismiss`);
    expect(dismissed.status).toBe(200);
    expect(await dismissed.json()).toEqual({ ok: true });
    const missing = await post(`${origin}/jobs/job-missing/approve`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'JOB_NOT_FOUND', hint: 'See GET /status.' } });
    expect(calls).toEqual([
      ['approve', 'job-12'],
      ['dismiss', 'job/13'],
      ['approve', 'job-missing'],
    ]);
  });

  it('POST /sources/:id/rollback passes toJournalId from the optional body', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped));

    const latest = await post(`${origin}/sources/pets/rollback`);
    expect(latest.status).toBe(200);
    expect(await latest.json()).toEqual({ sourceId: 'pets', journalId: 'journal-7' });
    expect((await post(`${origin}/sources/pets/rollback`, { toJournalId: 'journal-3' })).status).toBe(200);
    expect((await post(`${origin}/sources/pets/rollback`, { force: true })).status).toBe(200);
    const wrongType = await post(`${origin}/sources/pets/rollback`, { toJournalId: 3 });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    expect((await post(`${origin}/sources/pets/rollback`, { force: 'yes' })).status).toBe(400);
    expect(calls).toEqual([
      ['rollback', 'pets'],
      ['rollback', 'pets', 'journal-3'],
      ['rollback', 'pets', undefined, { force: true }],
    ]);
  });

  it('with a real engine: a mass removal is held, listed by GET /held, and applied by approve', async () => {
    const { engine, source, target } = await petsEngine({}, 4);
    const { origin } = await serveHandler(createSyncHandler(engine));
    source.set(petstore(1));
    const held = (await (await post(`${origin}/sources/pets/sync`)).json()) as { outcome: string; jobId: string };
    expect(held.outcome).toBe('held');
    expect(target.value).toEqual(petstore(4));
    const list = (await (await fetch(`${origin}/held`)).json()) as Array<{ jobId: string; sourceId: string; reason: string }>;
    expect(list).toMatchObject([{ jobId: held.jobId, sourceId: 'pets', reason: 'mass-removal' }]);

    const approved = await post(`${origin}/jobs/${held.jobId}/approve`);
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ outcome: 'applied' });
    // Applied under the default removal policy (`deprecate`): the three removed operations stay, marked deprecated.
    const paths = (target.value as { paths: Record<string, { get: Record<string, unknown> }> }).paths;
    expect(paths['/pets']).toEqual((petstore(1).paths as Record<string, unknown>)['/pets']);
    expect(['/pets1', '/pets2', '/pets3'].map((path) => paths[path]?.get.deprecated)).toEqual([true, true, true]);
    expect(await (await fetch(`${origin}/held`)).json()).toEqual([]);
    expect((await post(`${origin}/jobs/${held.jobId}/approve`)).status).toBe(404);
  });

  it('with a real engine: rollback restores the previous local copy; a refused one answers 409', async () => {
    const { engine, source, target } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    source.set(petstore(3));
    expect((await post(`${origin}/sources/pets/sync`)).status).toBe(200);
    expect(target.value).toEqual(petstore(3));

    const rolled = await post(`${origin}/sources/pets/rollback`);
    expect(rolled.status).toBe(200);
    expect(await rolled.json()).toMatchObject({ id: expect.any(String) });
    expect(target.value).toEqual(petstore(2));

    target.value = { ...petstore(2), info: { title: 'edited by hand', version: '1.0.0' } };
    const refused = await post(`${origin}/sources/pets/rollback`);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'ROLLBACK_REFUSED', hint: expect.any(String) } });
  });

  it('answers 501 for the endpoints whose engine method is missing', async () => {
    const engine = new SyncEngine();
    const bare: SyncHandlerEngine = {
      getSyncStatus: () => engine.getSyncStatus(),
      toPrometheusText: () => engine.toPrometheusText(),
      syncNow: (id) => engine.syncNow(id),
      resolveConflicts: (jobId, decisions) => engine.resolveConflicts(jobId, decisions),
      on: (event, listener) => engine.on(event, listener),
      off: (event, listener) => engine.off(event, listener),
    };
    const { origin } = await serveHandler(createSyncHandler(bare));
    for (const [method, path] of [
      ['POST', '/jobs/job-1/approve'],
      ['POST', '/jobs/job-1/dismiss'],
      ['POST', '/sources/pets/rollback'],
      ['GET', '/held'],
      ['GET', '/conflicts'],
    ] as const) {
      const response = await fetch(`${origin}${path}`, {
        method,
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' } } : {}),
      });
      expect(response.status, path).toBe(501);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
    }
  });

  it('POST /jobs/:jobId/decisions answers the conflicts a manual() resolver holds', async () => {
    const { engine, source, target } = await petsEngine({ resolver: manual({ timeoutMs: 60_000 }) });
    const recorder = new EventRecorder(engine, ['conflict:detected']);
    const { origin } = await serveHandler(createSyncHandler(engine));
    const local = target.value as { paths: Record<string, { get: { summary: string } }> };
    local.paths['/pets']!.get.summary = 'Mine';
    target.value = local;
    const changed = petstore(2) as { paths: Record<string, { get: { summary: string } }> };
    changed.paths['/pets']!.get.summary = 'Theirs';
    source.set(changed);

    const run = post(`${origin}/sources/pets/sync`);
    const detected = await recorder.waitFor('conflict:detected');
    await vi.waitFor(() => expect(engine.getPendingDecisions()).toHaveLength(1), { timeout: 2000, interval: 5 });
    const waiting = (await (await fetch(`${origin}/conflicts`)).json()) as Array<{ jobId: string; conflicts: unknown[] }>;
    expect(waiting).toMatchObject([{ jobId: detected.jobId, sourceId: 'pets' }]);
    expect(waiting[0]!.conflicts).toHaveLength(1);
    expect((await post(`${origin}/jobs/job-999/decisions`, { decisions: [] })).status).toBe(404);
    expect((await post(`${origin}/jobs/${detected.jobId}/decisions`, { decisions: 'all' })).status).toBe(400);
    const answered = await post(`${origin}/jobs/${detected.jobId}/decisions`, {
      decisions: [{ path: '/paths/~1pets/get/summary', take: 'value', value: 'Agreed', reason: 'reviewed' }],
    });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ ok: true, jobId: detected.jobId, decisions: 1, accepted: 1, refused: [], undecided: [] });
    const result = await run;
    expect(result.status).toBe(200);
    expect(await result.json()).toMatchObject({ outcome: 'applied' });
    expect((target.value as typeof local).paths['/pets']!.get.summary).toBe('Agreed');
  });
});

describe('createSyncHandler: auth', () => {
  const posts = ['/sources/pets/sync', '/sources/pets/rollback', '/jobs/job-1/approve', '/jobs/job-1/dismiss', '/jobs/job-1/decisions'];

  it('refuses every endpoint that changes state with 401 unless auth returns true; reads stay open', async () => {
    const { engine, source } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const auth = vi.fn(async (req: http.IncomingMessage) => req.headers.authorization === 'Bearer s3cret');
    const { origin } = await serveHandler(createSyncHandler(wrapped, { auth }));
    const fetchesBefore = source.fetchCount;

    for (const path of posts) {
      const refused = await post(`${origin}${path}`, { decisions: [] }, { authorization: 'Bearer wrong' });
      expect(refused.status, path).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await post(`${origin}${path}`)).status, `${path} without credentials`).toBe(401);
    }
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);

    expect((await fetch(`${origin}/status`)).status).toBe(200);
    expect((await fetch(`${origin}/metrics`)).status).toBe(200);

    const allowed = await post(`${origin}/sources/pets/sync`, undefined, { authorization: 'Bearer s3cret' });
    expect(allowed.status).toBe(200);
    expect((await post(`${origin}/jobs/job-1/approve`, undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(calls).toEqual([['approve', 'job-1']]);
  });

  it('protects reads too with protectReads; a throwing auth refuses and is reported', async () => {
    const { engine } = await petsEngine();
    const onError = vi.fn();
    const failure = new Error('token store down');
    const auth = (req: http.IncomingMessage): boolean => {
      if (req.headers.authorization === 'explode') throw failure;
      return req.headers.authorization === 'ok';
    };
    const { origin } = await serveHandler(createSyncHandler(engine, { auth, protectReads: true, onError }));
    for (const path of ['/status', '/metrics', '/events']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${origin}/status`, { headers: { authorization: 'ok' } })).status).toBe(200);
    const exploded = await fetch(`${origin}/status`, { headers: { authorization: 'explode' } });
    expect(exploded.status).toBe(401);
    expect(await exploded.text()).not.toContain('token store down');
    expect(onError).toHaveBeenCalledWith(failure, expect.anything());
  });
});

describe('createSyncHandler: routing', () => {
  it('answers 404 JSON for an unknown route and 405 with Allow for a wrong method', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    const unknown = await fetch(`${origin}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });

    const wrongPost = await post(`${origin}/status`);
    expect(wrongPost.status).toBe(405);
    expect(wrongPost.headers.get('allow')).toBe('GET');
    const wrongGet = await fetch(`${origin}/sources/pets/sync`);
    expect(wrongGet.status).toBe(405);
    expect(wrongGet.headers.get('allow')).toBe('POST');
    expect(await wrongGet.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('mounts under basePath and passes other paths to next() as middleware', async () => {
    const { engine } = await petsEngine();
    const handler = createSyncHandler(engine, { basePath: '/sync/' });
    const { origin } = await listen((req, res) => {
      void handler(req, res, (error?: unknown) => {
        res.writeHead(error === undefined ? 299 : 598, { 'content-type': 'text/plain' }).end('next');
      });
    });
    expect((await fetch(`${origin}/sync/status`)).status).toBe(200);
    expect((await fetch(`${origin}/sync/metrics?x=1`)).status).toBe(200);
    const outside = await fetch(`${origin}/status`);
    expect(outside.status).toBe(299);
    expect((await fetch(`${origin}/synchronise/status`)).status).toBe(299);
    expect((await fetch(`${origin}/sync/unknown`)).status).toBe(299);
    expect((await post(`${origin}/sync/status`)).status).toBe(405);
  });
});

describe('createSyncHandler: bodies', () => {
  it('answers 400 for malformed JSON or a body of the wrong shape, 415 for a non-JSON body', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped));
    const malformed = await post(`${origin}/sources/pets/rollback`, '{"toJournalId": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    expect((await post(`${origin}/sources/pets/rollback`, '[1,2]')).status).toBe(400);
    const text = await fetch(`${origin}/sources/pets/rollback`, {
      method: 'POST',
      body: 'toJournalId=3',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(calls).toEqual([]);
  });

  it('answers 413 for a body over maxBodyBytes, declared or streamed', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped, { maxBodyBytes: 1024 }));
    const big = JSON.stringify({ toJournalId: 'x'.repeat(2000) });
    const declared = await rawRequest(`${origin}/sources/pets/rollback`, {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error: { code: 'REQUEST_TOO_LARGE' } });
    const chunked = await rawRequest(`${origin}/sources/pets/rollback`, {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(chunked.status).toBe(413);
    const small = await post(`${origin}/sources/pets/rollback`, { toJournalId: 'journal-1' });
    expect(small.status).toBe(200);
    expect(calls).toEqual([['rollback', 'pets', 'journal-1']]);
  });

  it('uses a body an earlier middleware already parsed (Express json())', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const handler = createSyncHandler(wrapped);
    const { origin } = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        (req as http.IncomingMessage & { body?: unknown }).body =
          chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
        void handler(req, res);
      });
    });
    expect((await post(`${origin}/sources/pets/rollback`, { toJournalId: 'journal-9' })).status).toBe(200);
    expect((await post(`${origin}/sources/pets/rollback`)).status).toBe(200);
    expect(calls).toEqual([
      ['rollback', 'pets', 'journal-9'],
      ['rollback', 'pets'],
    ]);
  });

  it('treats a body another middleware consumed without keeping it as empty, rather than waiting for it', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const handler = createSyncHandler(wrapped);
    const { origin } = await listen((req, res) => {
      req.resume();
      req.on('end', () => void handler(req, res));
    });
    expect((await post(`${origin}/sources/pets/rollback`, { toJournalId: 'journal-9' })).status).toBe(200);
    expect(calls).toEqual([['rollback', 'pets']]);
  });
});

describe('createSyncHandler: failures and options', () => {
  it('hides unexpected errors behind a generic 500 and reports them to onError', async () => {
    const engine = new SyncEngine();
    const onError = vi.fn();
    const leaky: SyncHandlerEngine = {
      getSyncStatus: () => {
        throw new Error('password=hunter2');
      },
      toPrometheusText: () => '',
      syncNow: (id) => engine.syncNow(id),
      resolveConflicts: async () => undefined,
      on: (event, listener) => engine.on(event, listener),
      off: (event, listener) => engine.off(event, listener),
    };
    const { origin } = await serveHandler(createSyncHandler(leaky, { onError }));
    const response = await fetch(`${origin}/status`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0]?.[0])).toContain('hunter2');
  });

  it('validates its options with CONFIG_INVALID', () => {
    const engine = new SyncEngine();
    const bad: Array<Record<string, unknown>> = [
      { basePath: 'sync' },
      { heartbeatMs: -1 },
      { maxBodyBytes: 'big' },
      { auth: 'yes' },
      { basePath: '/a?b' },
    ];
    for (const options of bad) {
      expect(() => createSyncHandler(engine, options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    expect(() => createSyncHandler(null as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('serves bindings added after the handler was created', async () => {
    const engine = new SyncEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    await engine.addSource({ id: 'late', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    const response = await post(`${origin}/sources/late/sync`);
    expect(response.status).toBe(200);
    const status = (await (await fetch(`${origin}/status`)).json()) as { bindings: Array<{ id: string }> };
    expect(status.bindings.map((b) => b.id)).toEqual(['late']);
  });
});
