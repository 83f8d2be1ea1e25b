/**
 * One configuration per binding id across workers: a worker that registers
 * a binding with another configuration than the one recorded in Redis is
 * refused with BINDING_CONFIG_CONFLICT (not last-writer-wins), and a worker
 * whose configuration stopped being the recorded one leaves the binding's
 * jobs to the workers that have it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, bullmqScheduler } from '../../src/cluster/index.js';
import { bindingKeys } from '../../src/cluster/keys.js';
import { MemoryTarget, SyncEngine, httpSource, type SyncBindingOptions } from '../../src/index.js';
import { useRedisServer } from '../support/redis.js';

const redis = useRedisServer();
let http: Server;
let base: string;
let prefixes = 0;
const engines: SyncEngine[] = [];
const stores: RedisStore[] = [];
/** Requests per path: which configuration's source was fetched. */
const fetched = new Map<string, number>();

beforeAll(async () => {
  http = createServer((request, response) => {
    fetched.set(request.url ?? '', (fetched.get(request.url ?? '') ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: `Pets at ${request.url}`, version: '1' },
        paths: { '/pets': { get: { responses: { '200': { description: 'ok' } } } } },
      }),
    );
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => http.close(done));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stopSync()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  fetched.clear();
});

/** A started engine (`stopSync` closes the scheduler of a started engine only). */
async function worker(prefix: string, workerId: string): Promise<SyncEngine> {
  const store = new RedisStore({ redis: redis.current.url, prefix });
  stores.push(store);
  const engine = new SyncEngine({
    store,
    scheduler: bullmqScheduler({ url: redis.current.url, prefix, workerId, leaseTtlMs: 1000 }),
    syncOnStart: false,
  });
  engines.push(engine);
  await engine.startSync();
  return engine;
}

function binding(path: string, extra: Partial<SyncBindingOptions> = {}): SyncBindingOptions {
  return { id: 'b', source: httpSource({ url: `${base}${path}` }), target: new MemoryTarget(), intervalMs: 0, ...extra };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('one configuration per binding id across workers', () => {
  it(
    'refuses a worker that registers a binding id with another source, schedule or policy; the same configuration joins',
    { timeout: 30_000 },
    async () => {
      const prefix = `config-${++prefixes}`;
      await (await worker(prefix, 'w1')).addSource(binding('/one'));
      expect(await codeOf((await worker(prefix, 'w2')).addSource(binding('/two')))).toBe('BINDING_CONFIG_CONFLICT');
      expect(await codeOf((await worker(prefix, 'w3')).addSource(binding('/one', { intervalMs: 5000 })))).toBe('BINDING_CONFIG_CONFLICT');
      expect(await codeOf((await worker(prefix, 'w4')).addSource(binding('/one', { policy: { stableRuns: 2 } })))).toBe(
        'BINDING_CONFIG_CONFLICT',
      );
      // The error names both configurations and who recorded the other; the refused worker does not have the binding.
      const refused = await worker(prefix, 'w5');
      let error: { code?: string; retryable?: boolean; details?: Record<string, unknown> } | undefined;
      await refused.addSource(binding('/two')).catch((thrown: unknown) => (error = thrown as typeof error));
      expect(error?.retryable).toBe(false);
      expect(error?.details?.['recordedBy']).toBe('w1');
      expect(error?.details?.['configHash']).not.toBe(error?.details?.['recordedHash']);
      expect(refused.getSyncStatus().bindings.map((b) => b.id)).toEqual([]);
      await (await worker(prefix, 'w6')).addSource(binding('/one'));
    },
  );

  it('lets another configuration in once every worker with the old one stopped', { timeout: 30_000 }, async () => {
    const prefix = `config-${++prefixes}`;
    const first = await worker(prefix, 'w1');
    const second = await worker(prefix, 'w2');
    await first.addSource(binding('/one'));
    await second.addSource(binding('/one'));
    await first.stopSync();
    // w2 still runs it: it records its configuration again within a third of the lease TTL.
    await new Promise((done) => setTimeout(done, 500));
    expect(await codeOf((await worker(prefix, 'w3')).addSource(binding('/two')))).toBe('BINDING_CONFIG_CONFLICT');
    await second.stopSync();
    const changed = await worker(prefix, 'w4');
    await changed.addSource(binding('/two'));
    expect((await changed.syncNow('b')).outcome).toBe('applied');
  });

  it(
    "leaves the binding's jobs to the recorded configuration once its own stopped being recorded, and reports the conflict",
    { timeout: 30_000 },
    async () => {
      const prefix = `config-${++prefixes}`;
      const old = await worker(prefix, 'old');
      await old.addSource(binding('/one'));
      // The record expires (as it does leaseTtlMs after its workers stopped refreshing, here by hand) and another configuration takes it.
      const admin = new RedisStore({ redis: redis.current.url, prefix });
      stores.push(admin);
      await admin.client.del(bindingKeys(prefix, 'b').config);
      const fresh = await worker(prefix, 'fresh');
      await fresh.addSource(binding('/two'));
      await expect
        .poll(() => old.getSyncStatus().bindings[0]?.lastError?.code, { timeout: 5000, interval: 50 })
        .toBe('BINDING_CONFIG_CONFLICT');
      // Every job of the binding now runs with the recorded configuration, whichever worker queued it.
      for (let i = 0; i < 2; i++) await old.syncNow('b');
      expect(fetched.get('/one') ?? 0).toBe(0);
      expect(fetched.get('/two')).toBe(2);
    },
  );
});
