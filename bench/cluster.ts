/**
 * Scale-out (issue 15): worker processes sharing 1,000 bindings through
 * BullMQ on one real redis-server, beside the single-process engine in the
 * same run.
 *
 *   npm run build && npm run bench:cluster      (1,000 bindings; 1, 2 and 4 workers; 3 rounds each)
 *   npx tsx bench/cluster.ts --quick            (200 bindings, 1 round: a smoke run)
 *   npx tsx bench/cluster.ts --quick --source --bindings 24 --json   (what the test runs)
 *
 * It starts its own redis-server on a free loopback port with no
 * persistence, and one HTTP server on 127.0.0.1 serving a real spec
 * (`petstore.json` of `@readme/oas-examples`, 25 KB) under `/b<i>` for
 * binding `b<i>`, each with its own title. Every engine runs in a child
 * process (bench/cluster-worker.ts) with the same bindings (an `httpSource`
 * into an `openApiFileTarget` on tmpfs, so a write costs CPU, not a disk
 * flush), concurrency 8:
 *
 * - **1 process**: the plain engine (in-process scheduler, MemoryStore): the
 *   baseline; and the same with a `RedisStore`, to split the cost of the
 *   store from that of the queue;
 * - **1, 2 and 4 workers**: RedisStore + bullmqScheduler, one prefix.
 *
 * A round queues one manual job per binding (`addSyncJob`, as `syncNow` or
 * a webhook would; each worker queues its share, any worker runs it) and
 * ends when every binding synced once. Two cases:
 *
 * - **unchanged**: the server answers 304 to the binding's ETag: the
 *   cheapest real sync, where the engine's own overhead shows;
 * - **changed**: every fetch gets a new version (an operation summary and
 *   `info.version` change): fetch, parse, diff, render, merge with the
 *   file, write, base (Brotli-compressed in Redis): CPU-bound work.
 *
 * For each it prints syncs per second (wall clock, round start to the last
 * sync's end) and CPU per sync (the worker processes' `process.cpuUsage`,
 * user + system, all threads), with ratios to the 1-process engine; Redis
 * commands per sync (`INFO commandstats` delta, commands run inside Lua
 * scripts included) and Redis CPU per sync (`INFO cpu` delta). Then, with
 * MONITOR, the round trips (commands clients sent, not those scripts ran)
 * of an unchanged triggered sync and of an unchanged interval poll, by
 * command. Medians over the rounds after a warm-up round.
 *
 * `--json` prints one JSON document instead of the text. `--source` loads
 * the package from src/ through tsx instead of dist/ (tsx makes every
 * closure slower: use it for smoke runs only). `BENCH_PROF=<dir>` runs each
 * child with `--cpu-prof`, writing one `.cpuprofile` per process there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { ACQUIRE, FENCED_WRITE, RELEASE, REMAINING, RENEW } from '../src/cluster/scripts.js';
import { npmFixture } from '../test/support/npm-fixtures.js';
import { startRedisServer } from '../test/support/redis.js';
import { monitorRedis } from '../test/support/redis-monitor.js';
import type { FromWorker, ToWorker, WorkerOptions } from './cluster-worker.js';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const value = (name: string): number | undefined => {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const n = Number(argv[at + 1]);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`Expected ${name} to be followed by a whole number from 1 up, got ${argv[at + 1]}.`);
  return n;
};
const quick = flag('--quick');
const json = flag('--json');
const dist = !flag('--source');
const BINDINGS = value('--bindings') ?? (quick ? 200 : 1000);
const ROUNDS = value('--rounds') ?? (quick ? 1 : 3);
const WORKERS = quick ? [1, 2] : [1, 2, 4];
const POLL_SECONDS = quick ? 2 : 6;
const CONCURRENCY = 8;
const ROOT = resolve(import.meta.dirname, '..');

if (dist && !existsSync(join(ROOT, 'dist/redis.js'))) {
  console.error('bench/cluster.ts measures the built package: run `npm run build` first (or pass --source for a smoke run).');
  process.exit(2);
}
const say = (line: string): void => {
  if (!json) console.log(line);
};

// ── the spec and the HTTP server ─────────────────────────────────────────

const SPEC_FILE = '3.0/json/petstore.json';
const spec = JSON.parse(await readFile(join(await npmFixture('@readme/oas-examples', '8.2.2'), SPEC_FILE), 'utf8')) as {
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary?: string }>>;
};
spec.info.title = 'Petstore @ID@';
spec.info.version = '@VERSION@';
spec.paths['/pet']!.put!.summary = 'Update an existing pet (@VERSION@)';
const template = JSON.stringify(spec);
const render = (id: string, version: number): string => template.replaceAll('@ID@', id).replaceAll('@VERSION@', String(version));

let changing = false;
const versions = new Map<string, number>();
const http = createServer((request: IncomingMessage, response: ServerResponse) => {
  const id = (request.url ?? '/').slice(1);
  if (!/^b\d+$/.test(id)) return void response.writeHead(404).end();
  const version = changing ? (versions.get(id) ?? 1) + 1 : (versions.get(id) ?? 1);
  versions.set(id, version);
  const etag = `"${version}"`;
  if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
  response.writeHead(200, { 'content-type': 'application/json', etag }).end(render(id, version));
});
await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

// ── Redis ────────────────────────────────────────────────────────────────

const redis = await startRedisServer();
const info = new Redis(redis.url);
info.on('error', () => undefined); // reported through the commands that fail

/** Calls per command since the server started (`INFO commandstats`), without INFO's own, and the server's CPU seconds. */
async function redisCounters(): Promise<{ calls: Map<string, number>; cpuSeconds: number }> {
  const [stats, cpu] = await Promise.all([info.info('commandstats'), info.info('cpu')]);
  const calls = new Map<string, number>();
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (match[1] !== 'info') calls.set(match[1]!, Number(match[2]));
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { calls, cpuSeconds: field('used_cpu_sys') + field('used_cpu_user') };
}

function callsSince(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [name, calls] of after) total += calls - (before.get(name) ?? 0);
  return total;
}

// ── workers ──────────────────────────────────────────────────────────────

const WORKER_SCRIPT = join(ROOT, 'bench/cluster-worker.ts');
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
let prefixes = 0;
/** Every worker started, so that none outlives a failed run. */
const everyChild = new Set<ChildProcess>();

interface Group {
  children: ChildProcess[];
  inbox: Array<(message: FromWorker, from: number) => void>;
  dir: string;
  stop(): Promise<void>;
}

/** Start `count` engines with the same bindings; resolves when every one is ready. */
async function startGroup(count: number, mode: WorkerOptions['mode'], store: WorkerOptions['store'], intervalMs = 0): Promise<Group> {
  const dir = await mkdtemp(join(scratch, 'als-bench-cluster-'));
  const prefix = `bench${++prefixes}`;
  const inbox: Group['inbox'] = [];
  const children: ChildProcess[] = [];
  const ready: Array<Promise<void>> = [];
  for (let k = 0; k < count; k++) {
    const options: WorkerOptions = {
      mode,
      store,
      redis: redis.url,
      prefix,
      worker: `w${k + 1}`,
      base: origin,
      dir,
      bindings: BINDINGS,
      concurrency: CONCURRENCY,
      dist,
      intervalMs,
    };
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []),
        '--import',
        'tsx',
        WORKER_SCRIPT,
        JSON.stringify(options),
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    children.push(child);
    everyChild.add(child);
    ready.push(
      new Promise((done, fail) => {
        child.once('exit', (code, signal) => fail(new Error(`worker ${k + 1} exited (${code ?? signal}) before it was ready`)));
        child.on('message', (message: FromWorker) => {
          if (message.type === 'ready') done();
          for (const listener of inbox) listener(message, k);
        });
      }),
    );
  }
  await Promise.all(ready);
  for (const child of children) child.removeAllListeners('exit');
  return {
    children,
    inbox,
    dir,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
              child.once('exit', () => {
                clearTimeout(timer);
                done();
              });
              child.send({ type: 'stop' } satisfies ToWorker);
            }),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Wait for the next message of a kind from every worker for which `until` holds. */
function collect<T extends FromWorker['type']>(
  group: Group,
  type: T,
  until: (latest: Array<Extract<FromWorker, { type: T }> | undefined>) => boolean,
): Promise<Array<Extract<FromWorker, { type: T }>>> {
  return new Promise((done) => {
    const latest: Array<Extract<FromWorker, { type: T }> | undefined> = group.children.map(() => undefined);
    const listener = (message: FromWorker, from: number): void => {
      if (message.type !== type) return;
      latest[from] = message as Extract<FromWorker, { type: T }>;
      if (!until(latest)) return;
      group.inbox.splice(group.inbox.indexOf(listener), 1);
      done(latest as Array<Extract<FromWorker, { type: T }>>);
    };
    group.inbox.push(listener);
  });
}

/** What one round measured. */
interface Round {
  seconds: number;
  syncs: number;
  failed: number;
  cpuMs: number;
  redisCalls: number;
  redisCpuMs: number;
  errors: string[];
}

/** One sync of every binding: each worker queues its share; ends when the last sync ended. */
async function round(group: Group): Promise<Round> {
  const before = await redisCounters();
  const started = performance.timeOrigin + performance.now();
  const ended = collect(group, 'progress', (latest) => latest.reduce((sum, m) => sum + (m ? m.done + m.failed : 0), 0) >= BINDINGS);
  group.children.forEach((child, k) => {
    const ids: string[] = [];
    for (let i = k; i < BINDINGS; i += group.children.length) ids.push(`b${i}`);
    child.send({ type: 'round', ids } satisfies ToWorker);
  });
  await ended;
  const reports = collect(group, 'report', (latest) => latest.every((m) => m !== undefined));
  for (const child of group.children) child.send({ type: 'report' } satisfies ToWorker);
  const got = await reports;
  const after = await redisCounters();
  const syncs = got.reduce((sum, r) => sum + r.done, 0);
  return {
    seconds: (Math.max(...got.map((r) => r.lastAt)) - started) / 1000,
    syncs,
    failed: got.reduce((sum, r) => sum + r.failed, 0),
    cpuMs: got.reduce((sum, r) => sum + r.cpuMs, 0),
    redisCalls: callsSince(before.calls, after.calls),
    redisCpuMs: (after.cpuSeconds - before.cpuSeconds) * 1000,
    errors: [...new Set(got.flatMap((r) => r.errors))],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A row of the results: medians per round. */
interface Row {
  label: string;
  processes: number;
  scheduler: 'in-process' | 'bullmq';
  store: 'memory' | 'redis';
  syncsPerSecond: number;
  cpuMsPerSync: number;
  redisCommandsPerSync: number;
  redisCpuMsPerSync: number;
  /** Syncs per second over the 1-process engine's (MemoryStore). */
  throughputRatio: number;
  /** CPU per sync over the 1-process engine's. */
  cpuRatio: number;
  failed: number;
}

function row(
  label: string,
  processes: number,
  scheduler: Row['scheduler'],
  store: Row['store'],
  rounds: Round[],
): Omit<Row, 'throughputRatio' | 'cpuRatio'> {
  const failed = rounds.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) throw new Error(`${label}: ${failed} syncs failed (${rounds.flatMap((r) => r.errors).join(', ')})`);
  return {
    label,
    processes,
    scheduler,
    store,
    syncsPerSecond: median(rounds.map((r) => r.syncs / r.seconds)),
    cpuMsPerSync: median(rounds.map((r) => r.cpuMs / r.syncs)),
    redisCommandsPerSync: median(rounds.map((r) => r.redisCalls / r.syncs)),
    redisCpuMsPerSync: median(rounds.map((r) => r.redisCpuMs / r.syncs)),
    failed,
  };
}

// ── round trips, with MONITOR ────────────────────────────────────────────

/** Script names by SHA-1: ours, and BullMQ's (each of its scripts is a module exporting `{ name, content }`). */
const SCRIPT_NAMES = new Map(
  Object.entries({ ACQUIRE, FENCED_WRITE, RELEASE, REMAINING, RENEW }).map(([name, script]) => [script.sha, `lease/store: ${name}`]),
);
const bullmqScripts = join(ROOT, 'node_modules/bullmq/dist/esm/scripts');
for (const file of await readdir(bullmqScripts)) {
  if (!file.endsWith('.js') || file === 'index.js') continue;
  for (const script of Object.values((await import(pathToFileURL(join(bullmqScripts, file)).href)) as Record<string, unknown>)) {
    const { name, content } = script as { name?: unknown; content?: unknown };
    if (typeof name === 'string' && typeof content === 'string')
      SCRIPT_NAMES.set(createHash('sha1').update(content).digest('hex'), `bullmq: ${name}`);
  }
}

/** What clients sent while `during` ran (the round trips, at most; pipelined commands count one each), by command; and what scripts ran inside. */
async function monitored(
  during: () => Promise<number>,
): Promise<{ perSync: number; scriptCommandsPerSync: number; byCommand: Record<string, number> }> {
  const sent = new Map<string, number>();
  let inside = 0;
  const monitor = await monitorRedis(redis.port, ({ args, source }) => {
    if (source === 'lua') {
      inside += 1;
      return;
    }
    const command = args[0]!.toLowerCase();
    if (command === 'monitor' || command === 'info') return; // ours
    let name = command;
    if (command === 'evalsha' || command === 'eval') {
      // Another script of ours (the shared circuit's) is named by the key it works on.
      const key = Number(args[2]) > 0 ? args[3]! : '';
      name =
        SCRIPT_NAMES.get(command === 'evalsha' ? args[1]! : createHash('sha1').update(args[1]!).digest('hex')) ??
        `script on …:${key.slice(key.lastIndexOf(':') + 1)}`;
    }
    sent.set(name, (sent.get(name) ?? 0) + 1);
  });
  let syncs: number;
  try {
    syncs = await during();
  } finally {
    monitor.stop();
  }
  const total = [...sent.values()].reduce((a, b) => a + b, 0);
  const byCommand = Object.fromEntries(
    [...sent].sort((a, b) => b[1] - a[1]).map(([name, calls]) => [name, Math.round((calls / syncs) * 100) / 100]),
  );
  return { perSync: total / syncs, scriptCommandsPerSync: inside / syncs, byCommand };
}

// ── the run ──────────────────────────────────────────────────────────────

const configs: Array<{ label: string; processes: number; scheduler: Row['scheduler']; store: Row['store'] }> = [
  { label: '1 process (in-process scheduler, MemoryStore)', processes: 1, scheduler: 'in-process', store: 'memory' },
  { label: '1 process (in-process scheduler, RedisStore)', processes: 1, scheduler: 'in-process', store: 'redis' },
  ...WORKERS.map((n) => ({
    label: `${n} worker${n > 1 ? 's' : ''} (bullmq, RedisStore)`,
    processes: n,
    scheduler: 'bullmq' as const,
    store: 'redis' as const,
  })),
];
const results: Record<'unchanged' | 'changed', Array<Omit<Row, 'throughputRatio' | 'cpuRatio'>>> = { unchanged: [], changed: [] };
let triggered: Awaited<ReturnType<typeof monitored>> | undefined;

say(
  `${BINDINGS} bindings, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''} after a warm-up, concurrency ${CONCURRENCY} per process, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, code from ${dist ? 'dist/' : 'src/ (tsx)'}`,
);
try {
  for (const config of configs) {
    const group = await startGroup(config.processes, config.scheduler === 'bullmq' ? 'bullmq' : 'local', config.store);
    try {
      for (const kase of ['unchanged', 'changed'] as const) {
        changing = kase === 'changed';
        await round(group); // warm-up (the unchanged case's first round is every binding's first sync)
        const rounds: Round[] = [];
        for (let r = 0; r < ROUNDS; r++) rounds.push(await round(group));
        results[kase].push(row(config.label, config.processes, config.scheduler, config.store, rounds));
        if (kase === 'unchanged' && config.scheduler === 'bullmq' && config.processes === 1) {
          triggered = await monitored(async () => (await round(group)).syncs);
        }
      }
    } finally {
      await group.stop();
    }
  }

  // Interval polls of an unchanged source: one worker, every binding polled every 2 s.
  changing = false;
  const pollGroup = await startGroup(1, 'bullmq', 'redis', 2000);
  let polled: Awaited<ReturnType<typeof monitored>>;
  try {
    const done = () => collect(pollGroup, 'progress', () => true).then((m) => m[0]!.done);
    // The first polls apply each document once; measure the polls after those.
    while ((await done()) < BINDINGS) await null;
    pollGroup.children[0]!.send({ type: 'round', ids: [] } satisfies ToWorker); // resets the counts
    await new Promise((wait) => setTimeout(wait, 200));
    polled = await monitored(async () => {
      pollGroup.children[0]!.send({ type: 'round', ids: [] } satisfies ToWorker);
      await new Promise((wait) => setTimeout(wait, POLL_SECONDS * 1000));
      const report = collect(pollGroup, 'report', () => true);
      pollGroup.children[0]!.send({ type: 'report' } satisfies ToWorker);
      const [got] = await report;
      if (got!.failed > 0) throw new Error(`interval polls failed: ${got!.errors.join(', ')}`);
      return got!.done;
    });
  } finally {
    await pollGroup.stop();
  }

  const withRatios = (rows: Array<Omit<Row, 'throughputRatio' | 'cpuRatio'>>): Row[] => {
    const single = rows[0]!;
    return rows.map((r) => ({
      ...r,
      throughputRatio: r.syncsPerSecond / single.syncsPerSecond,
      cpuRatio: r.cpuMsPerSync / single.cpuMsPerSync,
    }));
  };
  const unchanged = withRatios(results.unchanged);
  const changed = withRatios(results.changed);
  const workersRow = (rows: Row[], n: number) => rows.find((r) => r.scheduler === 'bullmq' && r.processes === n);
  const two = workersRow(changed, 2)!.syncsPerSecond / workersRow(changed, 1)!.syncsPerSecond;
  const four = workersRow(changed, 4) ? workersRow(changed, 4)!.syncsPerSecond / workersRow(changed, 2)!.syncsPerSecond : undefined;
  const report = {
    bindings: BINDINGS,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    cores: cpus().length,
    code: dist ? 'dist' : 'src',
    unchanged,
    changed,
    roundTrips: { triggeredSync: triggered!, intervalPoll: polled },
    goals: {
      twoWorkersOverOne: two,
      fourWorkersOverTwo: four ?? null, // null: --quick runs 1 and 2 workers only
      roundTripsPerUnchangedPoll: polled.perSync,
      met: {
        twoWorkersAtLeast1_7x: two >= 1.7,
        fourWorkersNoLessThanTwo: four === undefined ? null : four >= 1,
        unchangedPollAtMost5RoundTrips: polled.perSync <= 5,
      },
    },
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const table = (title: string, rows: Row[]) => {
      say(`\n${title}`);
      say(
        '  engine                                            syncs/s   ratio   CPU ms/sync   ratio   Redis cmds/sync   Redis CPU ms/sync',
      );
      for (const r of rows)
        say(
          `  ${r.label.padEnd(48)} ${r.syncsPerSecond.toFixed(0).padStart(8)} ${r.throughputRatio.toFixed(2).padStart(6)}x ${r.cpuMsPerSync.toFixed(3).padStart(12)} ${r.cpuRatio.toFixed(2).padStart(6)}x ${r.redisCommandsPerSync.toFixed(1).padStart(16)} ${r.redisCpuMsPerSync.toFixed(3).padStart(18)}`,
        );
    };
    table('unchanged source (304 to the ETag)', unchanged);
    table('changed spec every sync (CPU-bound)', changed);
    const trips = (title: string, t: Awaited<ReturnType<typeof monitored>>) => {
      say(`\n${title}: ${t.perSync.toFixed(2)} commands sent per sync (${t.scriptCommandsPerSync.toFixed(1)} more run inside scripts)`);
      for (const [name, calls] of Object.entries(t.byCommand)) say(`  ${calls.toFixed(2).padStart(6)}  ${name}`);
    };
    trips('round trips of an unchanged sync queued by addSyncJob (1 worker)', triggered!);
    trips('round trips of an unchanged interval poll (1 worker, 2 s interval)', polled);
    say('\ngoals (changed spec, bullmq workers):');
    say(`  2 workers / 1 worker : ${two.toFixed(2)}x   (goal: at least 1.7x)`);
    if (four !== undefined) say(`  4 workers / 2 workers: ${four.toFixed(2)}x   (goal: at least 1x)`);
    say(`  round trips per unchanged poll: ${polled.perSync.toFixed(2)}   (goal: at most 5)`);
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  info.disconnect();
  await redis.stop();
  await new Promise((done) => http.close(done));
}
