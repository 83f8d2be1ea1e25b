/**
 * Soak run: many bindings, changing documents, injected faults, user edits,
 * engine time compressed with the ManualClock.
 *
 *   node --expose-gc --import tsx bench/soak.ts            (200 bindings, 10 min of engine time)
 *   node --expose-gc --import tsx bench/soak.ts --quick    (50 bindings, 2 min: a smoke run)
 *   npx tsx bench/soak.ts [--quick] [--seed=N]             (also works: gc is then exposed at run time)
 *
 * What it does:
 * - every binding's source wraps a `MemorySource` whose OpenAPI document
 *   changes on a per-binding schedule (operations come and go, parameters,
 *   responses and the version change);
 * - while faults are on, a third of fetches fail with a retryable
 *   `SourceError` (connection refused, timeout, 503 with `retryAfterMs`) or
 *   hang until the job's abort signal or a 5 s timeout; one binding in ten
 *   also has a one-minute outage, so circuits open and half-open;
 * - a simulated user edits the local copy of every third binding, on fields
 *   the upstream never changes, and sometimes presses "sync now";
 * - the engine polls every 5 s with retries (exponential backoff, full
 *   jitter) and the circuit breaker on; at 70% of the run it is stopped and
 *   started again (hanging fetches see their abort signal).
 *
 * Checks (exit 1 when one fails): no unhandled rejection; heap used (after
 * gc) grows at most 10% across the second half; after faults stop and every
 * binding synced once more, each binding's local copy deep-equals what a
 * fresh engine and a fresh `MemoryTarget` give for the final document with
 * the user's edits re-applied, and its base equals the fresh base; plus sanity
 * checks that the run really exercised faults, retries, circuits and edits.
 */
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fastJsonPatch from 'fast-json-patch';
import {
  MemoryStore,
  SourceError,
  SyncEngine,
  isSyncError,
  type SourceFetchContext,
  type SourceFetchResult,
  type SpecSource,
  type SyncResult,
} from '../src/index.js';
import { ManualClock, MemorySource, MemoryTarget, flushPromises } from '../src/testing/index.js';
import { prng } from '../test/support/prng.js';

// ── counters that must stay at zero ─────────────────────────────────────
let unhandledRejections = 0;
let uncaughtExceptions = 0;
process.on('unhandledRejection', (reason) => {
  unhandledRejections += 1;
  if (unhandledRejections <= 5) console.error('unhandled rejection:', reason);
});
process.on('uncaughtException', (error) => {
  uncaughtExceptions += 1;
  if (uncaughtExceptions <= 5) console.error('uncaught exception:', error);
});

// ── parameters ──────────────────────────────────────────────────────────
const quick = process.argv.includes('--quick');
const seedArg = process.argv.find((a) => a.startsWith('--seed='));
const SEED = seedArg ? Number(seedArg.slice('--seed='.length)) : 20_260_101;
const BINDINGS = quick ? 50 : 200;
const DURATION_MS = (quick ? 2 : 10) * 60_000;
const STEP_MS = 1000;
const INTERVAL_MS = 5000;
const FAULT_SHARE = 1 / 3;
const HANG_TIMEOUT_MS = 5000;
const OUTAGE_MS = 60_000;
// Small enough that every journal is full before the second half, so a journal
// still filling up towards its bound is not read as growth.
const JOURNAL_LIMIT = quick ? 2 : 5;
const RETRY = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8000, factor: 2 };
const BREAKER = { failureThreshold: 5, cooldownMs: 30_000 };
const SETTLE_MS = BREAKER.cooldownMs + 2 * INTERVAL_MS + RETRY.maxDelayMs + HANG_TIMEOUT_MS;
const HEAP_LIMIT = 0.1;

const faultRandom = prng(SEED);
const jitterRandom = prng(SEED ^ 0x5bd1e995);
const scheduleRandom = prng(SEED ^ 0x1b873593);

// ── gc: exposed by --expose-gc, or at run time ──────────────────────────
function findGc(): { gc: () => void; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: '--expose-gc' };
  setFlagsFromString('--expose-gc');
  const late = runInNewContext('gc') as (() => void) | undefined;
  if (typeof late === 'function') return { gc: late, how: 'v8.setFlagsFromString' };
  return { gc: () => undefined, how: 'unavailable' };
}
const { gc, how: gcHow } = findGc();

async function heapUsed(): Promise<number> {
  await flushPromises();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// ── the upstream documents ──────────────────────────────────────────────
type Doc = Record<string, unknown>;
const ok = { '200': { description: 'ok' } };

/**
 * Binding `i`'s document at generation `g`. Seven or eight operations; from
 * one generation to any other at most two disappear, so the mass-removal rail
 * (50%) never holds. Upstream never sets `info.description`, `x-*` fields,
 * operation descriptions, and never changes `/health`'s summary: those are
 * the user's.
 */
function remoteDoc(i: number, g: number): Doc {
  const itemsParams: unknown[] = [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 50 + (g % 4) * 25 } }];
  if (g % 3 !== 1) itemsParams.push({ name: 'cursor', in: 'query', schema: { type: 'string' } });
  if (g % 2 === 0)
    itemsParams.push({
      name: 'status',
      in: 'query',
      schema: { type: 'string', enum: ['open', 'closed', ...(g % 4 === 0 ? ['archived'] : [])] },
    });
  const paths: Record<string, unknown> = {
    '/health': { get: { operationId: 'health', summary: 'Health', responses: ok } },
    '/items': {
      get: { operationId: 'listItems', summary: `List items of service ${i}`, parameters: itemsParams, responses: ok },
      post: {
        operationId: 'createItem',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: g % 2 === 0 ? ['name'] : ['name', 'kind'],
                properties: { name: { type: 'string' }, kind: { type: 'string' } },
              },
            },
          },
        },
        responses: { '201': { description: 'created' } },
      },
    },
    '/items/{id}': {
      get: {
        operationId: 'getItem',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: g % 5 === 0 ? 'integer' : 'string' } }],
        responses: { ...ok, ...(g % 4 === 1 ? { '404': { description: 'not found' } } : {}) },
      },
      ...(g % 2 === 0
        ? {
            delete: {
              operationId: 'deleteItem',
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              responses: { '204': { description: 'gone' } },
            },
          }
        : {}),
    },
    '/users': {
      get: { operationId: 'listUsers', parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }], responses: ok },
    },
    [`/reports/v${g % 5}`]: { get: { operationId: `report${g % 5}`, summary: `Report generation ${g}`, responses: ok } },
  };
  return { openapi: '3.0.3', info: { title: `service-${i}`, version: `1.${g}.0` }, paths };
}

// ── the user's edits ────────────────────────────────────────────────────
interface Edit {
  path: string[];
  value: unknown;
}

function setAt(doc: unknown, path: readonly string[], value: unknown): void {
  let node = doc as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') throw new Error(`edit path ${path.join('/')} has no parent at "${key}"`);
    node = next as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = structuredClone(value);
}

/** The `k`th edit of a binding's user: always a field the upstream never changes. */
function userEdit(k: number): Edit {
  switch (k % 6) {
    case 0:
      return { path: ['info', 'description'], value: `Notes of the team, revision ${k}` };
    case 1:
      return { path: ['paths', '/health', 'get', 'x-owner'], value: `team-${k}` };
    case 2:
      return { path: ['paths', '/items', 'get', 'description'], value: `Lists items (edited ${k})` };
    case 3:
      return {
        path: ['paths', `/local/mock${k % 2}`],
        value: { get: { operationId: `mock${k % 2}`, summary: `Local mock ${k}`, responses: { '200': { description: 'mock' } } } },
      };
    case 4:
      return { path: ['paths', '/items/{id}', 'get', 'x-notes'], value: { by: 'user', revision: k } };
    default:
      return { path: ['paths', '/health', 'get', 'summary'], value: `Health check (renamed ${k})` };
  }
}

// ── a faulty source over a MemorySource ─────────────────────────────────
type FaultKind = 'refused' | 'timeout' | 'http503' | 'hang';
const FAULT_KINDS: readonly FaultKind[] = ['refused', 'timeout', 'http503', 'hang'];

const world = {
  faultsOn: true,
  fetches: 0,
  fetchesWithFaultsOn: 0,
  faultsInjected: 0,
  faults: { refused: 0, timeout: 0, http503: 0, hang: 0, outage: 0 } as Record<FaultKind | 'outage', number>,
  hangsAborted: 0,
  hangsTimedOut: 0,
};

class FaultySource implements SpecSource {
  readonly kind = 'soak';
  readonly location: string;
  readonly inner: MemorySource;
  readonly #clock: ManualClock;
  readonly #outage: { from: number; to: number } | undefined;

  constructor(index: number, document: Doc, clock: ManualClock, outage: { from: number; to: number } | undefined) {
    this.location = `memory://service-${index}`;
    this.inner = new MemorySource(document);
    this.#clock = clock;
    this.#outage = outage;
  }

  async fetch(context: SourceFetchContext): Promise<SourceFetchResult> {
    world.fetches += 1;
    if (world.faultsOn) {
      world.fetchesWithFaultsOn += 1;
      const now = this.#clock.now();
      const down = this.#outage !== undefined && now >= this.#outage.from && now < this.#outage.to;
      if (down || faultRandom() < FAULT_SHARE) {
        const kind = down ? 'refused' : FAULT_KINDS[Math.floor(faultRandom() * FAULT_KINDS.length)]!;
        world.faultsInjected += 1;
        world.faults[down ? 'outage' : kind] += 1;
        return this.#fault(kind, context.signal);
      }
    }
    return this.inner.fetch(context);
  }

  #fault(kind: FaultKind, signal: AbortSignal): Promise<never> {
    const where = this.location;
    switch (kind) {
      case 'refused':
        return Promise.reject(
          new SourceError('SOURCE_CONNECTION_REFUSED', `Connection refused by ${where}.`, { details: { location: where } }),
        );
      case 'timeout':
        return Promise.reject(new SourceError('SOURCE_TIMEOUT', `${where} did not answer in time.`, { details: { location: where } }));
      case 'http503': {
        const retryAfterMs = 1000 + Math.floor(faultRandom() * 3000);
        return Promise.reject(
          new SourceError('SOURCE_HTTP_STATUS', `${where} answered 503 Service Unavailable.`, {
            retryAfterMs,
            details: { status: 503, location: where },
          }),
        );
      }
      case 'hang':
        return new Promise<never>((_resolve, reject) => {
          const onAbort = (): void => {
            this.#clock.clearTimeout(timer);
            world.hangsAborted += 1;
            reject(signal.reason);
          };
          const timer = this.#clock.setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            world.hangsTimedOut += 1;
            reject(
              new SourceError('SOURCE_TIMEOUT', `${where} hung for ${HANG_TIMEOUT_MS} ms.`, {
                details: { location: where, timeoutMs: HANG_TIMEOUT_MS },
              }),
            );
          }, HANG_TIMEOUT_MS);
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
        });
    }
  }

  watch(onChange: () => void): () => void {
    return this.inner.watch(onChange);
  }
}

// ── set-up ──────────────────────────────────────────────────────────────
interface SoakBinding {
  id: string;
  index: number;
  source: FaultySource;
  target: MemoryTarget<Doc>;
  generation: number;
  changeEveryMs: number;
  nextChange: number;
  /** Every third binding has a user. */
  user: { everyMs: number; next: number; count: number; edits: Map<string, Edit> } | undefined;
  /** Last successful run's finish time. */
  lastSuccessAt: number | undefined;
}

const clock = new ManualClock();
const t0 = clock.now();
const engine = new SyncEngine({
  clock,
  random: jitterRandom,
  store: new MemoryStore(),
  concurrency: 32,
  defaultIntervalMs: INTERVAL_MS,
  retry: RETRY,
  circuitBreaker: BREAKER,
  stopGracePeriodMs: 10_000,
});

const bindings: SoakBinding[] = [];
const byId = new Map<string, SoakBinding>();
for (let i = 0; i < BINDINGS; i++) {
  const outage = i % 10 === 5 ? { from: t0 + Math.floor(scheduleRandom() * (DURATION_MS - OUTAGE_MS)), to: 0 } : undefined;
  if (outage) outage.to = outage.from + OUTAGE_MS;
  const changeEveryMs = 10_000 + (i % 4) * 5000; // 10 to 25 s
  const b: SoakBinding = {
    id: `svc-${String(i).padStart(3, '0')}`,
    index: i,
    source: new FaultySource(i, remoteDoc(i, 0), clock, outage),
    target: new MemoryTarget<Doc>(),
    generation: 0,
    changeEveryMs,
    nextChange: t0 + Math.floor(scheduleRandom() * changeEveryMs) + 1,
    user:
      i % 3 === 0
        ? { everyMs: 20_000 + (i % 5) * 5000, next: t0 + 15_000 + Math.floor(scheduleRandom() * 20_000), count: 0, edits: new Map() }
        : undefined,
    lastSuccessAt: undefined,
  };
  bindings.push(b);
  byId.set(b.id, b);
  await engine.addSource({
    id: b.id,
    source: b.source,
    target: b.target,
    intervalMs: INTERVAL_MS,
    priority: (['high', 'medium', 'low'] as const)[i % 3]!,
    watch: i % 2 === 0, // half are told of changes at once, half only poll
    policy: { journalLimit: JOURNAL_LIMIT },
  });
}

// ── what happens, counted from events ───────────────────────────────────
const running = new Set<string>();
const counts = {
  runs: 0,
  applied: 0,
  unchanged: 0,
  held: 0,
  failed: 0,
  retries: 0,
  circuitsOpened: 0,
  circuitsClosed: 0,
  conflicts: 0,
  errorEvents: 0,
};
const failedCodes = new Map<string, number>();
engine.on('job:started', (e) => {
  running.add(e.job.sourceId);
});
engine.on('job:retrying', (e) => {
  running.delete(e.job.sourceId);
  counts.retries += 1;
});
engine.on('job:completed', (e) => {
  running.delete(e.job.sourceId);
  counts.runs += 1;
  counts[e.result.outcome] += 1;
  const b = byId.get(e.job.sourceId);
  if (b) b.lastSuccessAt = e.timestamp;
});
engine.on('job:failed', (e) => {
  running.delete(e.job.sourceId);
  counts.runs += 1;
  counts.failed += 1;
  failedCodes.set(e.error.code, (failedCodes.get(e.error.code) ?? 0) + 1);
});
engine.on('job:removed', (e) => {
  running.delete(e.job.sourceId);
});
engine.on('circuit:opened', () => {
  counts.circuitsOpened += 1;
});
engine.on('circuit:closed', () => {
  counts.circuitsClosed += 1;
});
engine.on('conflict:detected', (e) => {
  counts.conflicts += e.conflicts.length;
});
engine.on('error', (e) => {
  counts.errorEvents += 1;
  if (counts.errorEvents <= 5) console.error('engine error event:', e.error.code, e.error.message);
});

const user = { edits: 0, deferred: 0, duringRun: 0, syncNow: 0, syncNowRejected: new Map<string, number>() };

function userSyncNow(id: string): void {
  user.syncNow += 1;
  engine.syncNow(id).catch((error: unknown) => {
    const code = isSyncError(error) ? error.code : 'NOT_A_SYNC_ERROR';
    user.syncNowRejected.set(code, (user.syncNowRejected.get(code) ?? 0) + 1);
  });
}

/** One second of the world: upstream changes and user edits that came due. */
function tick(now: number): void {
  for (const b of bindings) {
    if (now >= b.nextChange) {
      b.generation += 1;
      b.source.inner.set(remoteDoc(b.index, b.generation));
      b.nextChange = now + b.changeEveryMs;
    }
    const u = b.user;
    if (u && now >= u.next) {
      // The user edits whenever they like, also while a sync of that binding
      // is running (its fetch may be hanging); only not before the first
      // sync gave them a local copy.
      const local = b.target.value;
      if (local === undefined) {
        user.deferred += 1;
        continue;
      }
      if (running.has(b.id)) user.duringRun += 1;
      const edit = userEdit(u.count);
      u.count += 1;
      setAt(local, edit.path, edit.value);
      b.target.value = local;
      const key = edit.path.join('\u0000');
      u.edits.delete(key);
      u.edits.set(key, edit);
      user.edits += 1;
      u.next = now + u.everyMs;
      if (u.count % 4 === 0) userSyncNow(b.id);
    }
  }
}

// ── the run ─────────────────────────────────────────────────────────────
const wallStart = performance.now();
const half = t0 + DURATION_MS / 2;
let heapStart = 0;
let heapEnd = 0;
const heapTrend: Array<{ at: number; mb: number }> = [];
let journalsFullAtHalf = 0;
// Once, at 70% of the run, the engine is stopped and started again: running
// jobs (hanging fetches among them) get an aborted signal, pending ones and
// the user's waiting "sync now" calls are rejected with ENGINE_STOPPED.
const restartAt = t0 + Math.round((DURATION_MS * 0.7) / STEP_MS) * STEP_MS;
const restart = { done: false, unfinished: 0, removed: 0, wallMs: 0 };
engine.on('engine:stopped', (e) => {
  restart.unfinished += e.unfinished;
});
engine.on('job:removed', (e) => {
  if (e.reason === 'engine-stopped') restart.removed += 1;
});

console.log(`soak: ${BINDINGS} bindings, ${DURATION_MS / 60_000} min of engine time, seed ${SEED}, gc via ${gcHow}`);
await engine.startSync();
while (clock.now() < t0 + DURATION_MS) {
  tick(clock.now());
  await clock.advance(STEP_MS);
  const now = clock.now();
  if (now === half) {
    heapStart = await heapUsed();
    heapTrend.push({ at: now - t0, mb: heapStart / 2 ** 20 });
    for (const b of bindings) if ((await engine.getJournal(b.id)).length === JOURNAL_LIMIT) journalsFullAtHalf += 1;
  } else if (now > half && now < t0 + DURATION_MS && (now - t0) % 60_000 === 0) {
    heapTrend.push({ at: now - t0, mb: (await heapUsed()) / 2 ** 20 });
  }
  if (now === restartAt) {
    const started = performance.now();
    let stopped = false;
    const stopping = engine.stopSync().then(() => {
      stopped = true;
    });
    while (!stopped) await clock.advance(100);
    await stopping;
    const offGrid = (clock.now() - t0) % STEP_MS;
    if (offGrid !== 0) await clock.advance(STEP_MS - offGrid);
    await engine.startSync();
    restart.done = true;
    restart.wallMs = performance.now() - started;
  }
}
heapEnd = await heapUsed();
heapTrend.push({ at: clock.now() - t0, mb: heapEnd / 2 ** 20 });
const soakWallMs = performance.now() - wallStart;

// ── the end: faults stop, documents and users stop, everything settles ─
world.faultsOn = false;
const finalFrom = clock.now();
await clock.advance(SETTLE_MS);
await engine.onIdle();

// Every binding syncs once more, on demand.
const last = new Map<string, SyncResult | Error>();
let finished = false;
const lastRound = Promise.all(
  bindings.map((b) =>
    engine.syncNow(b.id).then(
      (result) => void last.set(b.id, result),
      (error: unknown) => void last.set(b.id, error instanceof Error ? error : new Error(String(error))),
    ),
  ),
).then(() => (finished = true));
while (!finished) await clock.advance(STEP_MS);
await lastRound;
await engine.onIdle();
const openCircuits = engine
  .getSyncStatus()
  .bindings.filter((s) => s.circuit !== 'closed')
  .map((s) => s.id);
await engine.stopSync();

// ── verify: soaked local == fresh sync of the final document + the user's edits
interface Mismatch {
  id: string;
  why: string;
}
const mismatches: Mismatch[] = [];
let verified = 0;
let notResynced = 0;
for (const b of bindings) {
  const result = last.get(b.id);
  if (!result || result instanceof Error) {
    mismatches.push({
      id: b.id,
      why: `last sync failed: ${result instanceof Error ? `${isSyncError(result) ? result.code : ''} ${result.message}` : 'no result'}`,
    });
    continue;
  }
  if (b.lastSuccessAt === undefined || b.lastSuccessAt < finalFrom) notResynced += 1;
  const finalDoc = b.source.inner.document as Doc;
  const freshClock = new ManualClock(clock.now());
  const freshStore = new MemoryStore();
  const fresh = new SyncEngine({ clock: freshClock, store: freshStore, defaultIntervalMs: 0 });
  const freshTarget = new MemoryTarget<Doc>();
  await fresh.addSource({ id: b.id, source: new MemorySource(finalDoc), target: freshTarget, policy: { journalLimit: JOURNAL_LIMIT } });
  await fresh.syncNow(b.id);
  const expected = freshTarget.value;
  if (expected === undefined) {
    mismatches.push({ id: b.id, why: 'fresh sync wrote nothing' });
    continue;
  }
  for (const edit of b.user?.edits.values() ?? []) setAt(expected, edit.path, edit.value);
  const actual = b.target.value;
  const [soakedBase, freshBase] = await Promise.all([engine.store.getBase(b.id), freshStore.getBase(b.id)]);
  const journal = await engine.getJournal(b.id);
  if (!isDeepStrictEqual(actual, expected)) {
    const patch = fastJsonPatch.compare(expected as object, (actual ?? {}) as object).slice(0, 4);
    mismatches.push({ id: b.id, why: `local copy differs from fresh sync + edits: ${JSON.stringify(patch)}` });
  } else if (soakedBase?.hash !== freshBase?.hash) {
    mismatches.push({ id: b.id, why: `base ${soakedBase?.hash} differs from the fresh base ${freshBase?.hash}` });
  } else if (journal.length > JOURNAL_LIMIT) {
    mismatches.push({ id: b.id, why: `journal holds ${journal.length} entries, limit ${JOURNAL_LIMIT}` });
  } else {
    verified += 1;
  }
}
const totalWallMs = performance.now() - wallStart;

// ── report ──────────────────────────────────────────────────────────────
const metrics = engine.getMetrics();
const growth = heapStart > 0 ? (heapEnd - heapStart) / heapStart : Number.NaN;
const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
const faultShare = world.faultsInjected / Math.max(1, world.fetchesWithFaultsOn);
const editsKept = bindings.reduce((n, b) => n + (b.user?.edits.size ?? 0), 0);
const usersCount = bindings.filter((b) => b.user).length;
const rows: Array<[string, string]> = [
  ['bindings', `${BINDINGS} (${usersCount} with a user, ${bindings.filter((b) => b.index % 10 === 5).length} with a 1-min outage)`],
  ['engine time', `${DURATION_MS / 60_000} min + ${SETTLE_MS / 1000} s settle + last round`],
  ['wall time', `${(soakWallMs / 1000).toFixed(1)} s soak, ${(totalWallMs / 1000).toFixed(1)} s total`],
  ['document changes', `${bindings.reduce((n, b) => n + b.generation, 0)}`],
  ['fetches', `${world.fetches} (${world.fetchesWithFaultsOn} while faults were on)`],
  [
    'faults injected',
    `${world.faultsInjected} (${(faultShare * 100).toFixed(1)}%): refused ${world.faults.refused}, timeout ${world.faults.timeout}, 503 ${world.faults.http503}, hang ${world.faults.hang} (timed out ${world.hangsTimedOut}, aborted ${world.hangsAborted}), outage ${world.faults.outage}`,
  ],
  ['runs', `${counts.runs} (engine metrics: ${metrics.totalSyncs}), attempts ${metrics.attempts}`],
  ['applied', `${counts.applied}`],
  ['unchanged', `${counts.unchanged}`],
  ['held', `${counts.held}`],
  ['failed', `${counts.failed}${failedCodes.size ? ` (${[...failedCodes].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`],
  ['retries', `${counts.retries} (engine metrics: ${metrics.retries})`],
  [
    'restart at 70%',
    `${restart.done ? 'done' : 'not done'}: ${restart.removed} pending jobs removed, ${restart.unfinished} still running after the grace period`,
  ],
  ['circuits opened', `${counts.circuitsOpened} (closed ${counts.circuitsClosed})`],
  ['conflicts', `${counts.conflicts}`],
  [
    'user edits',
    `${user.edits} (${editsKept} distinct fields kept to verify; ${user.duringRun} made while that binding's sync was running, ${user.deferred} deferred before the first sync)`,
  ],
  [
    'user "sync now"',
    `${user.syncNow}${user.syncNowRejected.size ? ` (rejected: ${[...user.syncNowRejected].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`,
  ],
  ['journals full at half', `${journalsFullAtHalf} / ${BINDINGS} (limit ${JOURNAL_LIMIT})`],
  ['heap start (half)', mb(heapStart)],
  ['heap end', mb(heapEnd)],
  [
    'heap growth',
    `${(growth * 100).toFixed(2)}% (limit ${HEAP_LIMIT * 100}%; trend ${heapTrend.map((h) => `${h.at / 1000}s ${h.mb.toFixed(1)}`).join(', ')})`,
  ],
  ['engine error events', `${counts.errorEvents}`],
  ['unhandled rejections', `${unhandledRejections}`],
  ['uncaught exceptions', `${uncaughtExceptions}`],
  ['bindings verified', `${verified} / ${BINDINGS}`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('');
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

const checks: Array<[string, boolean]> = [
  ['no unhandled rejection', unhandledRejections === 0],
  ['no uncaught exception', uncaughtExceptions === 0],
  [`heap growth across the second half ≤ ${HEAP_LIMIT * 100}%`, Number.isFinite(growth) && growth <= HEAP_LIMIT && gcHow !== 'unavailable'],
  ['every binding synced successfully after faults stopped', notResynced === 0 && [...last.values()].every((r) => !(r instanceof Error))],
  ['every circuit closed at the end', openCircuits.length === 0],
  ['every local copy equals a fresh sync + the user edits', verified === BINDINGS],
  ['faults: about a third of fetches (≥ 30%)', faultShare >= 0.3],
  [
    'exercised: retries, circuits opened and closed, hangs timed out and aborted, a restart',
    counts.retries > 0 &&
      counts.circuitsOpened > 0 &&
      counts.circuitsClosed > 0 &&
      world.hangsTimedOut > 0 &&
      world.hangsAborted > 0 &&
      restart.done,
  ],
  ['the restart left nothing running', restart.unfinished === 0],
  ['exercised: documents changed and applied, users edited', counts.applied > BINDINGS && user.edits > 0],
  ['no held sync, no conflict (edits are on untouched fields)', counts.held === 0 && counts.conflicts === 0],
];
console.log('');
for (const [name, pass] of checks) console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${name}`);
for (const m of mismatches.slice(0, 10)) console.log(`    ${m.id}: ${m.why}`);
if (mismatches.length > 10) console.log(`    … and ${mismatches.length - 10} more`);
const failed = checks.filter(([, pass]) => !pass).length;
console.log(failed === 0 ? '\nsoak: all checks passed' : `\nsoak: ${failed} check(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;
