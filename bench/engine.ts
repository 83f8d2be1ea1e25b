/**
 * Engine overhead, measured against a bare p-queue in the same process.
 *
 *   npm run build && npx tsx bench/engine.ts   (full: 10,000 jobs x 9 rounds; 1,000 bindings polled for 10 s)
 *   npx tsx bench/engine.ts --quick            (smaller, for a smoke run)
 *
 * It measures the built package (dist/), which is what users run: tsx's
 * on-the-fly transpiling wraps every closure in a naming helper and would
 * inflate the engine's figure.
 *
 * 1. 10,000 no-op jobs: the job's own work is the cheapest real run, a
 *    validators lookup in a MemoryStore and one `fetch` of a source that
 *    answers "not modified". The engine runs them as one job per binding
 *    (scheduling, coalescing state, events, metrics and status included); the
 *    baseline runs the same work through a bare p-queue with the same
 *    concurrency. The ratio is the engine's overhead per job.
 * 2. 1,000 bindings polling an unchanged memory source every second on the
 *    real clock: CPU time used over wall time, as a share of one core.
 */
import PQueue from 'p-queue';
import { existsSync } from 'node:fs';
import type { SpecSource } from '../src/index.js';

const distEntry = new URL('../dist/index.js', import.meta.url);
if (!existsSync(distEntry)) {
  console.error('bench/engine.ts measures the built package: run `npm run build` first.');
  process.exit(2);
}
// Types from the sources, code from the build (a variable specifier keeps tsc from resolving dist/).
const { MemorySource, MemoryStore, MemoryTarget, SyncEngine } = (await import(distEntry.href)) as typeof import('../src/index.js');

const quick = process.argv.includes('--quick');
const JOBS = quick ? 2000 : 10_000;
const ROUNDS = quick ? 3 : 9;
const CONCURRENCY = 8;
const doc = {
  openapi: '3.0.3',
  info: { title: 'bench', version: '1' },
  paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Both sides are built once and measured over several rounds: what is timed
 * is the steady-state cost per job of a long-lived engine (a binding's
 * first-run setup, such as its metrics counters, happens in the warm-up).
 */
const engine = new SyncEngine({ concurrency: CONCURRENCY, defaultIntervalMs: 0 });
for (let i = 0; i < JOBS; i++) {
  await engine.addSource({ id: `b${i}`, source: new MemorySource(doc), target: new MemoryTarget() });
  await engine.store.saveValidators(`b${i}`, { etag: 'memory-0' }); // primed: every run ends as not-modified
}

async function engineRound(): Promise<number> {
  const before = engine.getMetrics().unchangedSkips;
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) await engine.addSyncJob({ sourceId: `b${i}` });
  await engine.onIdle();
  const elapsed = performance.now() - started;
  const ran = engine.getMetrics().unchangedSkips - before;
  if (ran !== JOBS) throw new Error(`expected ${JOBS} unchanged runs, got ${ran}`);
  return elapsed;
}

const baseStore = new MemoryStore();
const baseSources: SpecSource[] = [];
for (let i = 0; i < JOBS; i++) {
  baseSources.push(new MemorySource(doc));
  await baseStore.saveValidators(`b${i}`, { etag: 'memory-0' });
}
const baseSignal = new AbortController().signal;

async function baselineRound(): Promise<number> {
  const queue = new PQueue({ concurrency: CONCURRENCY });
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const source = baseSources[i]!;
    const id = `b${i}`;
    void queue.add(
      async () => {
        const validators = await baseStore.getValidators(id);
        const result = await source.fetch({ validators, signal: baseSignal });
        if (result.kind !== 'not-modified') throw new Error('expected not-modified');
      },
      { priority: 1 },
    );
    await null; // the engine loop awaits each addSyncJob; give the baseline the same turn
  }
  await queue.onIdle();
  return performance.now() - started;
}

async function pollingLoad(bindings: number, seconds: number): Promise<{ cpuShare: number; runs: number }> {
  const engine = new SyncEngine({ concurrency: 16 });
  for (let i = 0; i < bindings; i++)
    await engine.addSource({ id: `p${i}`, source: new MemorySource(doc), target: new MemoryTarget(), intervalMs: 1000 });
  await engine.startSync();
  await new Promise((r) => setTimeout(r, 1500)); // first round applies each document once; measure the steady state after it
  const before = engine.getMetrics().totalSyncs;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - wall;
  const runs = engine.getMetrics().totalSyncs - before;
  await engine.stopSync();
  return { cpuShare: (used.user + used.system) / 1000 / elapsed, runs };
}

const engineTimes: number[] = [];
const baseTimes: number[] = [];
await engineRound(); // warm-up
await baselineRound();
for (let r = 0; r < ROUNDS; r++) {
  baseTimes.push(await baselineRound());
  engineTimes.push(await engineRound());
}
const e = median(engineTimes);
const b = median(baseTimes);
console.log(`no-op jobs: ${JOBS} x ${ROUNDS} rounds, concurrency ${CONCURRENCY} (medians)`);
console.log(`  bare p-queue : ${b.toFixed(1)} ms  (${((b * 1000) / JOBS).toFixed(2)} µs/job)`);
console.log(`  SyncEngine   : ${e.toFixed(1)} ms  (${((e * 1000) / JOBS).toFixed(2)} µs/job)`);
console.log(`  ratio        : ${(e / b).toFixed(2)}x   (target: within 3x)`);

const bindings = quick ? 200 : 1000;
const seconds = quick ? 3 : 10;
const load = await pollingLoad(bindings, seconds);
console.log(`polling: ${bindings} bindings, unchanged memory source, 1 s interval, ${seconds} s`);
console.log(`  runs         : ${load.runs} (${(load.runs / seconds).toFixed(0)}/s)`);
console.log(`  CPU          : ${(load.cpuShare * 100).toFixed(2)}% of one core   (target: under 5%)`);
