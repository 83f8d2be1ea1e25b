/**
 * Two workers sharing four bindings through one Redis server (the BullMQ
 * scheduler and a RedisStore): each binding is synced by one worker at a
 * time, whichever takes its job. A real deployment runs one worker per
 * process or machine, with the same code; here both run in one process to
 * keep the example short.
 *
 *   redis-server --port 6390 --save '' --appendonly no &
 *   npx tsx examples/scale-out.ts redis://127.0.0.1:6390
 */
import http from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncEngine, httpSource, openApiFileTarget } from 'api-live-sync';
import { RedisStore, bullmqScheduler } from 'api-live-sync/redis';

const BINDINGS = ['orders', 'users', 'billing', 'search'];

const api = (name: string, version: number) => ({
  openapi: '3.0.3',
  info: { title: name, version: '1' },
  paths: { [`/${name}`]: { get: { summary: `List ${name} (version ${version})`, responses: { '200': { description: 'ok' } } } } },
});

/** What the example did: which worker applied which change. */
export interface ScaleOutReport {
  /** `worker binding version` per applied sync, in order. */
  applied: string[];
  /** Where the files are. */
  outDir: string;
}

/** Start two workers against `redisUrl`, let them sync, change every API once, and wait until the files have it. */
export async function runExample(
  redisUrl: string,
  options: { outDir?: string; prefix?: string; log?: (line: string) => void } = {},
): Promise<ScaleOutReport> {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'als-scale-out-')));
  const prefix = options.prefix ?? 'als-example';
  let version = 1;
  const server = http.createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(api(name, version)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const applied: string[] = [];
  const workers: Array<{ engine: SyncEngine; store: RedisStore }> = [];
  for (const name of ['worker-a', 'worker-b']) {
    // Every worker: the same bindings, a RedisStore and the BullMQ scheduler with the same prefix.
    const store = new RedisStore({ redis: redisUrl, prefix });
    const engine = new SyncEngine({ store, scheduler: bullmqScheduler({ url: redisUrl, prefix, workerId: name }) });
    engine.on('sync:applied', (event) => void applied.push(`${name} ${event.sourceId}`));
    for (const id of BINDINGS) {
      await engine.addSource({
        id,
        source: httpSource({ url: `${origin}/${id}` }),
        target: openApiFileTarget({ path: join(outDir, `${id}.json`) }),
        intervalMs: 200,
      });
    }
    workers.push({ engine, store });
  }
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
    for (const { engine } of workers) await engine.startSync();
    await until(1);
    log(`version 1 synced to ${outDir}`);
    version = 2;
    await until(2);
    log('version 2 synced');
    for (const line of applied) log(`  applied by ${line}`);
  } finally {
    for (const { engine, store } of workers) {
      await engine.stopSync();
      await store.close();
    }
    await new Promise((done) => server.close(done));
  }
  return { applied, outDir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.argv[2] ?? process.env.REDIS_URL;
  if (!url) {
    console.error(
      'Usage: npx tsx examples/scale-out.ts redis://127.0.0.1:6390 (start one with: redis-server --port 6390 --save "" --appendonly no)',
    );
    process.exit(2);
  }
  await runExample(url);
}
