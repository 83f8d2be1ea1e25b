/**
 * The cost of polling unchanged HTTP documents, measured against a bare loop
 * of conditional `http.get`s in the same process.
 *
 *   npx tsx bench/sources.ts            (500 bindings, polled every second, 30 s)
 *   npx tsx bench/sources.ts --quick    (100 bindings, 5 s)
 *
 * The server runs in a child process (plain node:http on 127.0.0.1, port 0):
 * it serves a small OpenAPI document with `ETag: "v1"` and answers 304 when
 * `If-None-Match` matches. Keeping it out of this process means the CPU time
 * measured here (process.cpuUsage) is the client's alone.
 *
 * 1. Engine: N bindings `httpSource(url)` → `MemoryTarget`, `intervalMs: 1000`.
 *    After the first round (each binding applies the document once) the
 *    steady state is measured: requests per second seen by the server, CPU
 *    time of this process as a share of one core, and the share of runs that
 *    ended before parsing (`spec:unchanged` with reason `not-modified`, over
 *    all runs that finished in the window; the target is 100%).
 * 2. Baseline: the same number of plain `http.get`s per second, with the same
 *    headers (`If-None-Match` included), `agent: false` like the source, and
 *    the same concurrency, through a bare loop. Same window, same measures.
 *
 * 3. Between the two, the source alone: N `httpSource().fetch()` calls a
 *    second with the remembered ETag, through the same bare loop. It splits
 *    the engine's overhead into the source's part and the rest (scheduler,
 *    store, events, metrics).
 *
 * The ratio of CPU per request (engine / baseline) is the engine's overhead
 * over the HTTP exchange itself.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryTarget, SyncEngine, httpSource } from '../src/index.js';

const quick = process.argv.includes('--quick');
const BINDINGS = quick ? 100 : 500;
const SECONDS = quick ? 5 : 30;
const CONCURRENCY = 16;
const ETAG = '"v1"';

// The server, as plain JavaScript for a child process.
const SERVER = `
const http = require('node:http');
const paths = {};
for (let i = 0; i < 20; i++) paths['/items' + i + '/{id}'] = { get: { operationId: 'getItem' + i, parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } };
const body = JSON.stringify({ openapi: '3.0.3', info: { title: 'bench', version: '1' }, paths });
let requests = 0, notModified = 0;
const server = http.createServer((req, res) => {
  requests += 1;
  if (req.headers['if-none-match'] === ${JSON.stringify(ETAG)}) { notModified += 1; res.writeHead(304, { etag: ${JSON.stringify(ETAG)} }).end(); return; }
  res.writeHead(200, { 'content-type': 'application/json', etag: ${JSON.stringify(ETAG)}, 'content-length': Buffer.byteLength(body) }).end(body);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port, bytes: Buffer.byteLength(body) }));
process.on('message', (m) => {
  if (m === 'count') process.send({ requests, notModified });
  if (m === 'exit') server.close(() => process.exit(0));
});
`;

interface Counts {
  requests: number;
  notModified: number;
}

interface Window {
  wallMs: number;
  cpuMs: number;
  requests: number;
  notModified: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(): Promise<{ port: number; bytes: number; count(): Promise<Counts>; stop(): Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'als-bench-sources-'));
  const file = join(folder, 'server.cjs');
  writeFileSync(file, SERVER);
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const ready = await new Promise<{ port: number; bytes: number }>((resolve) =>
    child.once('message', (m) => resolve(m as { port: number; bytes: number })),
  );
  return {
    ...ready,
    count: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as Counts));
        child.send('count');
      }),
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('exit');
      await exited;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function measure(server: { count(): Promise<Counts> }, seconds: number): Promise<Window> {
  const before = await server.count();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - wall;
  const after = await server.count();
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    requests: after.requests - before.requests,
    notModified: after.notModified - before.notModified,
  };
}

async function engineRun(
  url: string,
  server: { count(): Promise<Counts> },
): Promise<Window & { runs: number; beforeParse: number; failed: number }> {
  const engine = new SyncEngine({ concurrency: CONCURRENCY, defaultIntervalMs: 1000, retry: { maxRetries: 0 } });
  let applied = 0;
  let runs = 0;
  let beforeParse = 0;
  let failed = 0;
  let counting = false;
  engine.on('sync:applied', () => {
    applied += 1;
  });
  engine.on('job:completed', () => {
    if (counting) runs += 1;
  });
  engine.on('job:failed', () => {
    if (counting) {
      runs += 1;
      failed += 1;
    }
  });
  engine.on('spec:unchanged', (e) => {
    if (counting && e.reason === 'not-modified') beforeParse += 1;
  });
  for (let i = 0; i < BINDINGS; i++) {
    await engine.addSource({ id: `api${i}`, source: httpSource({ url }), target: new MemoryTarget(), intervalMs: 1000 });
  }
  await engine.startSync();
  // First round: every binding fetches the document (200) and applies it once.
  while (applied < BINDINGS) await sleep(50);
  await engine.onIdle();
  counting = true;
  const window = await measure(server, SECONDS);
  counting = false;
  await engine.stopSync();
  return { ...window, runs, beforeParse, failed };
}

/** Run `once` N times a second through a bare loop with the same concurrency, and measure the steady state. */
async function loopRun(once: () => Promise<void>, server: { count(): Promise<Counts> }): Promise<Window> {
  const round = async (): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < BINDINGS) {
        next += 1;
        await once();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await round();
      await sleep(Math.max(0, 1000 - (performance.now() - started)));
    }
  })();
  await sleep(1000); // same warm state as the engine: one round done before the window
  const window = await measure(server, SECONDS);
  running = false;
  await loop;
  return window;
}

/** The source alone: `httpSource().fetch()` with the remembered ETag, N a second, no engine. */
async function sourceRun(url: string, server: { count(): Promise<Counts> }): Promise<Window & { bad: number }> {
  // One signal per source, as the engine has one per binding.
  const sources = Array.from({ length: BINDINGS }, () => ({ source: httpSource({ url }), signal: new AbortController().signal }));
  let bad = 0;
  let at = 0;
  const window = await loopRun(async () => {
    const { source, signal } = sources[at++ % BINDINGS]!;
    const result = await source.fetch({ validators: { etag: ETAG }, signal }).catch(() => undefined);
    if (result?.kind !== 'not-modified') bad += 1;
  }, server);
  return { ...window, bad };
}

/** N conditional GETs a second through a bare loop with the same concurrency. */
async function baselineRun(port: number, server: { count(): Promise<Counts> }): Promise<Window & { bad: number }> {
  const headers = {
    'user-agent': 'api-live-sync',
    accept:
      'application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9, application/vnd.oai.openapi;q=0.9, */*;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
    'if-none-match': ETAG,
  };
  let bad = 0;
  const get = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/openapi.json', headers, agent: false }, (res) => {
        if (res.statusCode !== 304) bad += 1;
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => {
        bad += 1;
        resolve();
      });
    });
  const window = await loopRun(get, server);
  return { ...window, bad };
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}/openapi.json`;
  console.log(
    `bench/sources.ts${quick ? ' --quick' : ''}: ${BINDINGS} HTTP bindings, polled every 1 s, ${SECONDS} s window, concurrency ${CONCURRENCY}`,
  );
  console.log(`node ${process.version}, ${availableParallelism()} cores, document ${server.bytes} bytes, server in a child process`);

  const engine = await engineRun(url, server);
  const source = await sourceRun(url, server);
  const baseline = await baselineRun(server.port, server);
  await server.stop();

  const row = (name: string, w: Window): string[] => [
    name,
    (w.requests / (w.wallMs / 1000)).toFixed(1),
    pct(w.cpuMs, w.wallMs),
    `${((w.cpuMs * 1000) / w.requests).toFixed(0)} µs`,
    pct(w.notModified, w.requests),
  ];

  const rows = [
    ['', 'requests/s', 'CPU (% of one core)', 'CPU per request', '304 share'],
    row('engine (N bindings)', engine),
    row('httpSource.fetch loop', source),
    row('bare http.get loop', baseline),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));

  console.log(
    `engine runs in the window: ${engine.runs}, ended before parsing (spec:unchanged not-modified): ${engine.beforeParse} = ${pct(engine.beforeParse, engine.runs)} (target 100%), failed: ${engine.failed}`,
  );
  if (source.bad > 0) console.log(`source loop: ${source.bad} fetches did not end as not-modified`);
  if (baseline.bad > 0) console.log(`baseline: ${baseline.bad} requests did not end in 304`);
  const ratioTotal = engine.cpuMs / engine.wallMs / (baseline.cpuMs / baseline.wallMs);
  const ratioPerRequest = engine.cpuMs / engine.requests / (baseline.cpuMs / baseline.requests);
  console.log(`CPU ratio engine / bare loop: ${ratioTotal.toFixed(2)}x of wall time, ${ratioPerRequest.toFixed(2)}x per request`);
  const sourceShare = source.cpuMs / source.requests / (baseline.cpuMs / baseline.requests);
  console.log(
    `CPU ratio httpSource.fetch loop / bare loop: ${sourceShare.toFixed(2)}x per request (the rest of the engine's ratio is scheduling, store, events, metrics)`,
  );
  if (engine.beforeParse !== engine.runs) process.exitCode = 1;
}

await main();
