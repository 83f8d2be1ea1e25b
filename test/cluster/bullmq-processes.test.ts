/**
 * Worker processes sharing bindings through the BullMQ scheduler, one real
 * redis-server and a loopback HTTP server: every change applied once, never
 * two syncs of a binding at once, and a worker killed with SIGKILL in the
 * middle of a sync loses nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/cluster/index.js';
import { useRedisServer } from '../support/redis.js';

const CHILD = resolve(import.meta.dirname, 'bullmq-worker-child.ts');
const redis = useRedisServer();

let version = 1;
let http: Server;
let base: string;
let dir: string;
let prefixes = 0;
const children: ChildProcess[] = [];

function api(v: number): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    paths: { '/pets': { get: { summary: `List pets, version ${v}`, responses: { '200': { description: 'ok' } } } } },
  };
}

beforeAll(async () => {
  http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(api(version)));
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => http.close(done));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface LogLine {
  worker: string;
  binding?: string;
  at: 'enter' | 'exit' | 'hang' | 'stalling' | 'ready' | 'killed';
  outcome?: string;
  error?: string;
}

function readLog(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

function startWorker(options: Record<string, unknown>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  return child;
}

/** Throws unless, per binding, entries and exits alternate; a killed worker's section ends at its `killed` line. */
function assertNoOverlap(log: readonly LogLine[]): void {
  const inside = new Map<string, string>();
  for (const line of log) {
    if (line.at === 'killed') {
      for (const [binding, worker] of inside) if (worker === line.worker) inside.delete(binding);
      continue;
    }
    if (line.binding === undefined || line.at === 'hang' || line.at === 'stalling') continue;
    const holder = inside.get(line.binding);
    if (line.at === 'enter') {
      if (holder !== undefined) throw new Error(`${line.worker} entered "${line.binding}" while ${holder} was inside`);
      inside.set(line.binding, line.worker);
    } else {
      if (holder !== line.worker) throw new Error(`${line.worker} left "${line.binding}" that ${holder ?? 'nobody'} was inside`);
      inside.delete(line.binding);
    }
  }
}

async function fileVersion(id: string): Promise<string | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { paths: { '/pets': { get: { summary: string } } } };
    return doc.paths['/pets'].get.summary;
  } catch {
    return undefined;
  }
}

describe('worker processes share bindings through the BullMQ scheduler', () => {
  it(
    'two polling workers apply every change of every binding once, and never sync one binding twice at once',
    { timeout: 60_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-bullmq-'));
      version = 1;
      const log = join(dir, 'log.jsonl');
      const bindings = ['b1', 'b2', 'b3', 'b4'];
      const common = {
        redis: redis.current.url,
        prefix: `procs-${++prefixes}`,
        log,
        base,
        dir,
        bindings,
        intervalMs: 150,
        syncOnStart: true,
        leaseTtlMs: 2000,
      };
      startWorker({ ...common, worker: 'w1' });
      startWorker({ ...common, worker: 'w2' });
      await expect.poll(() => readLog(log).filter((l) => l.at === 'ready').length, { timeout: 20_000 }).toBe(2);
      for (const next of [1, 2, 3]) {
        version = next;
        const want = `List pets, version ${version}`;
        await expect
          .poll(async () => (await Promise.all(bindings.map(fileVersion))).every((v) => v === want), { timeout: 20_000, interval: 50 })
          .toBe(true);
        // Let both workers poll the unchanged source several times.
        await new Promise((done) => setTimeout(done, 600));
      }
      const lines = readLog(log);
      assertNoOverlap(lines);
      for (const id of bindings)
        expect(
          lines.filter((l) => l.binding === id && l.outcome === 'applied'),
          id,
        ).toHaveLength(3);
      // Both processes ran syncs: the work is shared, not one worker doing all.
      expect(new Set(lines.filter((l) => l.at === 'exit').map((l) => l.worker))).toEqual(new Set(['w1', 'w2']));
    },
  );

  it(
    'a worker killed with SIGKILL in the middle of a sync loses nothing: another worker runs the job once the lease and the job lock expire',
    { timeout: 60_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-bullmq-'));
      version = 1;
      const log = join(dir, 'log.jsonl');
      // No polling and only the first worker queues the start jobs: the job the killed worker held is the binding's only one.
      const common = {
        redis: redis.current.url,
        prefix: `procs-${++prefixes}`,
        log,
        base,
        dir,
        bindings: ['b1', 'b2', 'b3'],
        intervalMs: 0,
        leaseTtlMs: 1000,
      };
      const doomed = startWorker({ ...common, worker: 'doomed', syncOnStart: true, hang: 'b1' });
      await expect
        .poll(() => readLog(log).some((l) => l.at === 'hang' && l.binding === 'b1'), { timeout: 20_000, interval: 20 })
        .toBe(true);
      startWorker({ ...common, worker: 'rescuer', syncOnStart: false });
      await expect.poll(() => readLog(log).some((l) => l.worker === 'rescuer' && l.at === 'ready'), { timeout: 20_000 }).toBe(true);
      // The doomed worker still holds b1 (it renews the lease while it hangs): nobody else enters it.
      await new Promise((done) => setTimeout(done, 1500));
      expect(
        readLog(log)
          .filter((l) => l.binding === 'b1' && l.at === 'enter')
          .map((l) => l.worker),
      ).toEqual(['doomed']);

      const exited = new Promise((done) => doomed.once('exit', done));
      doomed.kill('SIGKILL');
      await exited;
      appendFileSync(log, `${JSON.stringify({ worker: 'doomed', at: 'killed' })}\n`);

      await expect.poll(() => fileVersion('b1'), { timeout: 20_000, interval: 50 }).toBe('List pets, version 1');
      // The file is written before the sync's store writes and its exit line: wait for the line too.
      await expect
        .poll(() => readLog(log).some((l) => l.binding === 'b1' && l.at === 'exit'), { timeout: 20_000, interval: 20 })
        .toBe(true);
      const lines = readLog(log);
      assertNoOverlap(lines);
      const b1 = lines.filter((l) => l.binding === 'b1' && l.at === 'exit');
      expect(b1.map((l) => [l.worker, l.outcome])).toEqual([['rescuer', 'applied']]);
      for (const id of ['b2', 'b3']) expect(await fileVersion(id)).toBe('List pets, version 1');
    },
  );

  it(
    'a worker frozen (SIGSTOP) past its lease loses the binding to another, and once it runs again its sync is refused with STALE_LEASE: the store keeps the newer base',
    { timeout: 60_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-bullmq-'));
      version = 1;
      const log = join(dir, 'log.jsonl');
      const prefix = `procs-${++prefixes}`;
      const common = { redis: redis.current.url, prefix, log, base, dir, bindings: ['b1'], intervalMs: 0, leaseTtlMs: 1000 };
      const stale = startWorker({ ...common, worker: 'stale', syncOnStart: true, stall: 'b1', stallMs: 300 });
      await expect.poll(() => readLog(log).some((l) => l.at === 'stalling'), { timeout: 20_000, interval: 5 }).toBe(true);
      stale.kill('SIGSTOP');
      startWorker({ ...common, worker: 'fresh', syncOnStart: false });
      // The frozen worker's lease and job lock expire; the fresh worker runs the job.
      await expect
        .poll(() => readLog(log).some((l) => l.worker === 'fresh' && l.outcome === 'applied'), { timeout: 20_000, interval: 50 })
        .toBe(true);
      const store = new RedisStore({ redis: redis.current.url, prefix });
      try {
        const before = await store.getBase('b1');
        expect((before?.document as { paths: Record<string, { get: { summary: string } }> }).paths['/pets']!.get.summary).toBe(
          'List pets, version 1',
        );
        // The source changes; the stale worker wakes up and syncs what it now fetches.
        version = 2;
        stale.kill('SIGCONT');
        await expect
          .poll(() => readLog(log).find((l) => l.worker === 'stale' && l.at === 'exit'), { timeout: 20_000, interval: 50 })
          .toBeDefined();
        expect(readLog(log).find((l) => l.worker === 'stale' && l.at === 'exit')?.error).toBe('STALE_LEASE');
        expect(await store.getBase('b1')).toEqual(before);
      } finally {
        await store.close();
      }
    },
  );
});
