/**
 * The built-in file targets are fenced when a sync runs under a lease: two
 * engines on one real redis-server, one holding an old token (a worker whose
 * lease expired while it was paused), the other the BullMQ scheduler. The
 * stale engine's write is refused with `STALE_LEASE` and leaves the file as
 * it was; a write of the stale engine that landed before the newer holder
 * claimed the file is completed from the journal by the newer holder.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, acquireLease, bullmqScheduler, readLease, releaseLease, type Lease } from '../../src/cluster/index.js';
import { leaseFence } from '../../src/cluster/fence.js';
import { bindingKeys } from '../../src/cluster/keys.js';
import { withLease } from '../../src/cluster/lease-scope.js';
import {
  InProcessScheduler,
  SyncEngine,
  httpSource,
  openApiFileTarget,
  type SchedulerFactory,
  type SyncResult,
  type SyncTarget,
} from '../../src/index.js';
import { brunoTarget } from '../../src/targets/bruno/index.js';
import { hoppscotchTarget } from '../../src/targets/hoppscotch/index.js';
import { readFileEpoch } from '../../src/targets/index.js';
import { deferred } from '../support/deferred.js';
import { useRedisServer } from '../support/redis.js';

const redis = useRedisServer();
let version = 1;
let http: Server;
let base: string;
let dir: string;
let prefixes = 0;
const engines: SyncEngine[] = [];
const stores: RedisStore[] = [];

function api(v: number): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    paths: {
      '/pets': { get: { operationId: 'listPets', summary: `List pets, version ${v}`, responses: { '200': { description: 'ok' } } } },
    },
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
  await Promise.all(engines.splice(0).map((engine) => engine.stopSync()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

function redisStore(prefix: string): RedisStore {
  const store = new RedisStore({ redis: redis.current.url, prefix });
  stores.push(store);
  return store;
}

/**
 * An engine whose every sync runs under the lease `current()` returns, as the
 * BullMQ scheduler runs it (store writes and target writes fenced by its
 * token), but scheduled in process: the lease is the test's to take and lose.
 */
function leasedEngine(prefix: string, current: () => Lease, client: RedisStore['client']): SyncEngine {
  const scheduler: SchedulerFactory<SyncResult> = (context) =>
    new InProcessScheduler<SyncResult>({
      ...context,
      hooks: {
        ...context.hooks,
        run: (job, signal) => {
          const lease = current();
          return withLease(lease, () => context.hooks.run(job, signal, { fence: leaseFence(client, lease) }));
        },
      },
    });
  const engine = new SyncEngine({ store: redisStore(prefix), scheduler });
  engines.push(engine);
  return engine;
}

function bullmqEngine(prefix: string): SyncEngine {
  const engine = new SyncEngine({
    store: redisStore(prefix),
    scheduler: bullmqScheduler({ url: redis.current.url, prefix, workerId: 'fresh', leaseTtlMs: 60_000 }),
  });
  engines.push(engine);
  return engine;
}

/** `target` with a gate in its write: `before` waits ahead of the real write, `after` once it returned. */
function gated<L>(target: SyncTarget<L>): {
  target: SyncTarget<L>;
  gate: (where: 'before' | 'after') => { reached: Promise<void>; open: () => void };
} {
  let armed: { where: 'before' | 'after'; reached: () => void; opened: Promise<void> } | undefined;
  const wait = async (where: 'before' | 'after'): Promise<void> => {
    if (armed?.where !== where) return;
    const { reached, opened } = armed;
    armed = undefined;
    reached();
    await opened;
  };
  return {
    target: {
      ...target,
      async write(local, context) {
        await wait('before');
        const report = await target.write(local, context);
        await wait('after');
        return report;
      },
    },
    gate(where) {
      const reached = deferred<void>();
      const opened = deferred<void>();
      armed = { where, reached: () => reached.resolve(), opened: opened.promise };
      return { reached: reached.promise, open: () => opened.resolve() };
    },
  };
}

/** A target under test: how to make it, where its local copy goes, its bytes and the epoch recorded for it. */
interface FencedCase {
  make(path: string): SyncTarget<unknown>;
  path(dir: string): string;
  bytes(path: string): Promise<unknown>;
  epoch(path: string): Promise<number | undefined>;
}

/** Every file of a folder (dotfiles aside: the fence's own records), by relative path. */
async function folderBytes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
  }
  return out;
}

const file = (make: (path: string) => SyncTarget<unknown>): FencedCase => ({
  make,
  path: (d) => join(d, 'b.json'),
  bytes: (path) => readFile(path),
  epoch: readFileEpoch,
});

const targets: Record<string, FencedCase> = {
  openApiFileTarget: file((path) => openApiFileTarget({ path }) as SyncTarget<unknown>),
  hoppscotchTarget: file((path) => hoppscotchTarget({ path }) as SyncTarget<unknown>),
  // A folder: fenced through the epoch recorded beside its bruno.json.
  brunoTarget: {
    make: (path) => brunoTarget({ dir: path }) as SyncTarget<unknown>,
    path: (d) => join(d, 'b'),
    bytes: folderBytes,
    epoch: (path) => readFileEpoch(join(path, 'bruno.json')),
  },
};

describe.each(Object.entries(targets))('%s under a lease', (_name, { make: makeTarget, path: pathIn, bytes, epoch }) => {
  it(
    "refuses a stale worker's write with STALE_LEASE (not retried) once a newer holder claimed the file, and leaves the file as it was",
    { timeout: 30_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-fenced-'));
      const prefix = `fenced-${++prefixes}`;
      const path = pathIn(dir);
      const keys = bindingKeys(prefix, 'b');
      const fresh = bullmqEngine(prefix);
      await fresh.addSource({ id: 'b', source: httpSource({ url: `${base}/b` }), target: makeTarget(path), intervalMs: 0 });
      version = 1;
      expect((await fresh.syncNow('b')).outcome).toBe('applied');
      const before = await bytes(path);

      // The stale worker: it took the lease, fetched version 2 and prepared its journal entry, then froze before writing.
      const admin = redisStore(prefix);
      const lease = await acquireLease(admin.client, 'b', { prefix, owner: 'stale', ttlMs: 60_000 });
      expect(lease).toBeDefined();
      const { target, gate } = gated(makeTarget(path));
      const stale = leasedEngine(prefix, () => lease!, admin.client);
      await stale.addSource({ id: 'b', source: httpSource({ url: `${base}/b` }), target, intervalMs: 0 });
      let retries = 0;
      stale.on('job:retrying', () => {
        retries += 1;
      });
      const frozen = gate('before');
      version = 2;
      const staleRun = stale.syncNow('b').then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error: error as { code?: string; retryable?: boolean } }),
      );
      await frozen.reached;
      expect(await admin.getRecord('b', 'journal.pending')).toBeDefined();

      // Its lease expires while it is frozen; the source goes back to version 1; the BullMQ worker syncs and finds nothing new.
      await admin.client.del(keys.lease);
      version = 1;
      const unchanged = await fresh.syncNow('b');
      expect(unchanged.outcome).toBe('unchanged');

      // The stale worker wakes up and writes what it merged from version 2: refused, the file untouched.
      frozen.open();
      const { result, error } = await staleRun;
      expect(result).toBeUndefined();
      expect(error?.code).toBe('STALE_LEASE');
      expect(error?.retryable).toBe(false);
      expect(await bytes(path)).toEqual(before);
      expect(await epoch(path)).toBeGreaterThan(lease!.token);
      expect(retries).toBe(0);

      // Nothing half-written: the next sync settles the stale entry, and the journal holds the first sync only.
      expect((await fresh.syncNow('b')).outcome).toBe('unchanged');
      expect(await admin.getRecord('b', 'journal.pending')).toBeUndefined();
      expect((await fresh.getJournal('b')).map((entry) => entry.hash)).toEqual([(await admin.getBase('b'))?.hash]);
      expect(await bytes(path)).toEqual(before);
    },
  );
});

describe('openApiFileTarget under a lease, continued', () => {
  it(
    'writes no file from a sync whose lease cannot be confirmed (Redis unreachable): the write fails retryably and the file keeps its bytes',
    { timeout: 30_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-fenced-'));
      const prefix = `fenced-${++prefixes}`;
      const path = join(dir, 'b.json');
      const admin = redisStore(prefix);
      // The lease is checked through its own client, which loses Redis while the sync runs.
      const leaseClient = redisStore(prefix);
      const lease = await acquireLease(admin.client, 'b', { prefix, owner: 'cut-off', ttlMs: 60_000 });
      const { target, gate } = gated(openApiFileTarget({ path }) as SyncTarget<unknown>);
      const scheduler: SchedulerFactory<SyncResult> = (context) =>
        new InProcessScheduler<SyncResult>({
          ...context,
          hooks: {
            ...context.hooks,
            run: (job, signal) =>
              withLease(lease!, () => context.hooks.run(job, signal, { fence: leaseFence(leaseClient.client, lease!) })),
          },
        });
      const engine = new SyncEngine({ store: admin, scheduler });
      engines.push(engine);
      await engine.addSource({ id: 'b', source: httpSource({ url: `${base}/b` }), target, intervalMs: 0 });
      version = 1;
      expect((await engine.syncNow('b')).outcome).toBe('applied');
      const before = await readFile(path);

      const frozen = gate('before');
      version = 2;
      const run = engine.syncNow('b').then(
        () => undefined,
        (error: unknown) => error as { code?: string; retryable?: boolean },
      );
      await frozen.reached;
      leaseClient.client.disconnect();
      frozen.open();
      const error = await run;
      expect(error?.code).toBe('STORE_READ_FAILED');
      expect(error?.retryable).toBe(true);
      expect(await readFile(path)).toEqual(before);
    },
  );

  it(
    "completes a stale worker's write that landed before the newer holder claimed the file: its journal entry is committed and its base saved",
    { timeout: 30_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-fenced-'));
      const prefix = `fenced-${++prefixes}`;
      const path = join(dir, 'b.json');
      const fresh = bullmqEngine(prefix);
      await fresh.addSource({ id: 'b', source: httpSource({ url: `${base}/b` }), target: openApiFileTarget({ path }), intervalMs: 0 });
      version = 1;
      expect((await fresh.syncNow('b')).outcome).toBe('applied');

      const admin = redisStore(prefix);
      const lease = await acquireLease(admin.client, 'b', { prefix, owner: 'stale', ttlMs: 60_000 });
      const { target, gate } = gated(openApiFileTarget({ path }) as SyncTarget<unknown>);
      const stale = leasedEngine(prefix, () => lease!, admin.client);
      await stale.addSource({ id: 'b', source: httpSource({ url: `${base}/b` }), target, intervalMs: 0 });
      const frozen = gate('after');
      version = 2;
      const staleRun = stale.syncNow('b').then(
        () => undefined,
        (error: unknown) => (error as { code?: string }).code,
      );
      // Written, and frozen before its base is saved.
      await frozen.reached;
      const written = await readFile(path, 'utf8');
      expect(written).toContain('List pets, version 2');
      const pending = await admin.getRecord<{ id: string }>('b', 'journal.pending');

      await admin.client.del(bindingKeys(prefix, 'b').lease);
      const next = await fresh.syncNow('b');
      expect(next.outcome).toBe('unchanged');
      frozen.open();
      expect(await staleRun).toBe('STALE_LEASE');

      const journal = await fresh.getJournal('b');
      expect(journal.map((entry) => entry.id)).toEqual(['j-1', pending!.id]);
      expect(journal[1]?.jobId).not.toBe(next.jobId);
      expect((await admin.getBase('b'))?.hash).toBe(journal[1]?.hash);
      expect(await admin.getRecord('b', 'journal.pending')).toBeUndefined();
      expect(await readFile(path, 'utf8')).toBe(written);
    },
  );
});

describe('rollback under bullmqScheduler', () => {
  it("takes the binding's lease: refused while another worker holds it; then its file write carries the new epoch", async () => {
    dir = await mkdtemp(join(tmpdir(), 'als-fenced-rollback-'));
    const prefix = `fenced-${++prefixes}`;
    const path = join(dir, 'pets.json');
    const engine = bullmqEngine(prefix);
    version = 1;
    await engine.addSource({ id: 'pets', source: httpSource({ url: base }), target: openApiFileTarget({ path }), intervalMs: 0 });
    expect((await engine.syncNow('pets')).outcome).toBe('applied');
    const v1 = await readFile(path, 'utf8');
    version = 2;
    try {
      expect((await engine.syncNow('pets')).outcome).toBe('applied');
    } finally {
      version = 1;
    }
    const v2 = await readFile(path, 'utf8');
    const client = stores[0]!.client;

    // Another worker runs a sync of the binding: the rollback does not write beside it.
    const other = await acquireLease(client, 'pets', { prefix, owner: 'other-worker', ttlMs: 60_000 });
    const refused = await engine.rollback('pets').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ROLLBACK_REFUSED', details: { sourceId: 'pets', reason: 'busy' } });
    expect(await readFile(path, 'utf8')).toBe(v2);
    await releaseLease(client, other!);

    await engine.rollback('pets');
    expect(await readFile(path, 'utf8')).toBe(v1);
    // The rollback held a lease of its own (a newer epoch), wrote the file under it, and released it.
    expect(await readFileEpoch(path)).toBeGreaterThan(other!.token);
    expect((await readLease(client, 'pets', { prefix })).lease).toBeUndefined();
  });
});
