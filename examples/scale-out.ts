/**
 * Two worker processes sharing four bindings through one Redis server (the
 * BullMQ scheduler and a RedisStore): each binding is synced by one worker
 * at a time, whichever takes its job. Every worker is the same command; run
 * as many as you like, on one machine or many.
 *
 *   redis-server --port 6390 --save '' --appendonly no &
 *   npx tsx examples/scale-out.ts redis://127.0.0.1:6390
 *
 * starts an HTTP server with four APIs, then two workers, each one process:
 *
 *   npx tsx examples/scale-out.ts worker <redis url> <api origin> <out dir> <name>
 *
 * waits until both wrote every API's spec, changes every API once, and waits
 * again; it prints which worker applied which change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SyncEngine, httpSource, openApiFileTarget } from 'api-live-sync';
import { RedisStore, bullmqScheduler } from 'api-live-sync/redis';

const BINDINGS = ['orders', 'users', 'billing', 'search'];
const PREFIX = 'als-example';

const api = (name: string, version: number) => ({
  openapi: '3.0.3',
  info: { title: name, version: '1' },
  paths: { [`/${name}`]: { get: { summary: `List ${name} (version ${version})`, responses: { '200': { description: 'ok' } } } } },
});

/**
 * One worker: the same bindings as every other worker, a RedisStore and the
 * BullMQ scheduler with the same prefix. Prints one JSON line per applied
 * sync; SIGTERM stops it.
 */
async function worker(redisUrl: string, origin: string, outDir: string, name: string, prefix: string): Promise<void> {
  const store = new RedisStore({ redis: redisUrl, prefix });
  const engine = new SyncEngine({ store, scheduler: bullmqScheduler({ url: redisUrl, prefix, workerId: name }) });
  engine.on('sync:applied', (event) => console.log(JSON.stringify({ worker: name, pid: process.pid, applied: event.sourceId })));
  for (const id of BINDINGS) {
    await engine.addSource({
      id,
      source: httpSource({ url: `${origin}/${id}` }),
      target: openApiFileTarget({ path: join(outDir, `${id}.json`) }),
      intervalMs: 200,
    });
  }
  await engine.startSync();
  console.log(JSON.stringify({ worker: name, pid: process.pid, ready: true }));
  // Started by runExample: end with it, even when it is killed (its end of our stdin closes).
  if (process.env.SCALE_OUT_EXAMPLE_CHILD === '1') process.stdin.once('close', () => process.exit(0)).resume();
  process.once('SIGTERM', () => {
    void engine
      .stopSync()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

/** What the example did: which worker applied which change. */
export interface ScaleOutReport {
  /** `worker binding` per applied sync, in the order the workers reported them. */
  applied: string[];
  /** The process id of each worker. */
  pids: number[];
  /** Where the files are. */
  outDir: string;
}

/** Start two worker processes against `redisUrl`, let them sync, change every API once, and wait until the files have it. */
export async function runExample(
  redisUrl: string,
  options: { outDir?: string; prefix?: string; log?: (line: string) => void } = {},
): Promise<ScaleOutReport> {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'als-scale-out-')));
  const prefix = options.prefix ?? PREFIX;
  let version = 1;
  const server = http.createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(api(name, version)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const applied: string[] = [];
  const workers: ChildProcess[] = [];
  const ready: Array<Promise<number>> = [];
  const summaries = () =>
    Promise.all(
      BINDINGS.map(async (id) =>
        readFile(join(outDir, `${id}.json`), 'utf8').then(
          (text) => JSON.parse(text).paths[`/${id}`].get.summary as string,
          () => '',
        ),
      ),
    );
  const until = async (want: number) => {
    while (!(await summaries()).every((summary, i) => summary === `List ${BINDINGS[i]} (version ${want})`))
      await new Promise((done) => setTimeout(done, 50));
  };
  try {
    for (const name of ['worker-a', 'worker-b']) {
      // The same command a deployment runs once per process or machine (here through tsx, as the example is TypeScript).
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker', redisUrl, origin, outDir, name, prefix],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
          env: { ...process.env, SCALE_OUT_EXAMPLE_CHILD: '1' },
        },
      );
      workers.push(child);
      ready.push(
        new Promise((done, fail) => {
          child.once('exit', (code) => fail(new Error(`${name} exited with ${code} before it was ready`)));
          createInterface({ input: child.stdout! }).on('line', (line) => {
            if (!line.startsWith('{')) return;
            const message = JSON.parse(line) as { worker: string; pid: number; ready?: true; applied?: string };
            if (message.ready) done(message.pid);
            if (message.applied) applied.push(`${message.worker} ${message.applied}`);
          });
        }),
      );
    }
    const pids = await Promise.all(ready);
    for (const child of workers) child.removeAllListeners('exit');
    log(`two workers running, pids ${pids.join(' and ')}`);
    await until(1);
    log(`version 1 synced to ${outDir}`);
    version = 2;
    await until(2);
    log('version 2 synced');
    // Stop both; each finishes its running sync and reports it before it exits.
    await Promise.all(
      workers.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const line of applied) log(`  applied by ${line}`);
    return { applied, pids, outDir };
  } finally {
    for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise((done) => server.close(done));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'worker' && rest.length >= 4) {
    const [url, origin, outDir, name, prefix] = rest as [string, string, string, string, string | undefined];
    await worker(url, origin, outDir, name, prefix ?? PREFIX);
  } else {
    const url = mode ?? process.env.REDIS_URL;
    if (!url || !/^rediss?:\/\//.test(url)) {
      console.error(
        'Usage: npx tsx examples/scale-out.ts redis://127.0.0.1:6390 (start one with: redis-server --port 6390 --save "" --appendonly no)',
      );
      process.exit(2);
    }
    await runExample(url);
  }
}
