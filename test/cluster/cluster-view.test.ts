/**
 * Events and metrics across workers: each worker publishes its engine's
 * events (with its worker id) and metrics through Redis, and a ClusterView
 * on any node shows every worker's syncs, through createSyncHandler's SSE
 * stream and getMetrics().
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterView, RedisStore, bullmqScheduler } from '../../src/cluster/index.js';
import { SyncEngine, isSyncError } from '../../src/index.js';
import { createSyncHandler } from '../../src/server/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { freePort, useRedisServer } from '../support/redis.js';
import { SseClient } from '../server/support.js';

const server = useRedisServer();
let prefixes = 0;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function api(version: number): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: String(version) },
    paths: { '/pets': { get: { summary: `List pets, version ${version}`, responses: { '200': { description: 'ok' } } } } },
  };
}

async function worker(
  prefix: string,
  workerId: string,
  sources: Map<string, MemorySource>,
): Promise<{ engine: SyncEngine; view: ClusterView }> {
  const store = new RedisStore({ redis: server.current.url, prefix });
  const engine = new SyncEngine({ store, syncOnStart: false, scheduler: bullmqScheduler({ url: server.current.url, prefix, workerId }) });
  for (const [id, source] of sources) await engine.addSource({ id, source, target: new MemoryTarget(), intervalMs: 0 });
  await engine.startSync();
  const view = await ClusterView.connect(engine, { redis: server.current.url, prefix, workerId, flushMs: 50 });
  cleanups.push(async () => {
    await view.close();
    await engine.stopSync();
    await store.close();
  });
  return { engine, view };
}

describe('ClusterView: events and metrics of every worker', () => {
  it("createSyncHandler's SSE stream and getMetrics() on one node show the syncs of both workers, with the worker id", async () => {
    const prefix = `view-test-${++prefixes}`;
    const sources = new Map([
      ['pets', new MemorySource(api(1))],
      ['owners', new MemorySource(api(1))],
    ]);
    const a = await worker(prefix, 'worker-a', sources);
    const b = await worker(prefix, 'worker-b', sources);

    const httpServer = http.createServer(createSyncHandler(a.view));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => httpServer.close(resolve)));
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    const sse = await SseClient.open(`${url}/events?events=job:completed`);
    cleanups.push(async () => sse.close());

    // Worker a pauses, so b's worker runs b's job; then the other way round.
    await a.engine.pauseSync();
    expect((await b.engine.syncNow('pets')).outcome).toBe('applied');
    await a.engine.resumeSync();
    await b.engine.pauseSync();
    expect((await a.engine.syncNow('owners')).outcome).toBe('applied');

    const ran = async (workerId: string, sourceId: string) =>
      sse.waitFor((frame) => {
        if (frame.event !== 'job:completed' || frame.data === undefined) return false;
        const payload = JSON.parse(frame.data) as { workerId: string; job: { sourceId: string }; result: { outcome: string } };
        return payload.workerId === workerId && payload.job.sourceId === sourceId && payload.result.outcome === 'applied';
      });
    await ran('worker-b', 'pets');
    await ran('worker-a', 'owners');

    // Either node's metrics count both workers' syncs.
    for (const view of [a.view, b.view]) {
      await expect.poll(() => view.getMetrics().totalSyncs, { timeout: 5000, interval: 25 }).toBe(2);
      const metrics = view.getMetrics();
      expect(metrics.appliedSyncs).toBe(2);
      expect(Object.keys(metrics.workers).sort()).toEqual(['worker-a', 'worker-b']);
      expect(metrics.workers['worker-a']!.totalSyncs).toBe(1);
      expect(metrics.workers['worker-b']!.totalSyncs).toBe(1);
      expect(metrics.perSource.pets!.totalSyncs).toBe(1);
      expect(metrics.perSource.owners!.totalSyncs).toBe(1);
    }
    // The handler's /metrics serves the same figures.
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^api_live_sync_syncs_total 2$/m);
  });

  it('fails to connect with STORE_READ_FAILED naming the URL without the password when Redis is not there, and refuses bad options with CONFIG_INVALID', async () => {
    const engine = new SyncEngine();
    const url = `redis://:secret@127.0.0.1:${await freePort()}`;
    const error = await ClusterView.connect(engine, { redis: url, workerId: 'w' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isSyncError(error) ? error.code : error).toBe('STORE_READ_FAILED');
    if (isSyncError(error)) {
      expect(error.hint).toContain(url.replace(':secret@', ''));
      expect(JSON.stringify(error.toJSON())).not.toContain('secret');
    }
    for (const bad of [{ workerId: '' }, { workerId: 'w', flushMs: 1 }, { workerId: 'w', prefix: 'a b' }, { workerId: 'w', other: 1 }]) {
      const thrown = await ClusterView.connect(engine, { redis: server.current.url, ...bad } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSyncError(thrown) ? thrown.code : thrown, JSON.stringify(bad)).toBe('CONFIG_INVALID');
    }
  });
});
