/**
 * One process of bench/cluster.ts: a SyncEngine holding every binding of the
 * run, polling the bench's HTTP server into OpenAPI files. Driven over IPC:
 *
 * - `{ type: 'round', ids }`: queue one manual job for each of `ids`
 *   (`addSyncJob`, as `syncNow` or a webhook would); report `progress`
 *   (syncs ended since the round began, and when the last one ended) at most
 *   every 20 ms;
 * - `{ type: 'report' }`: answer with this process's CPU time since the
 *   round began (`process.cpuUsage`: user + system, all threads) and its
 *   counts;
 * - `{ type: 'stop' }`: stop the engine and exit.
 *
 * argv[2]: JSON of {@link WorkerOptions}.
 */
import { join } from 'node:path';

/** What the parent passes. */
export interface WorkerOptions {
  /** `bullmq`: RedisStore + bullmqScheduler; `local`: the in-process scheduler with `store`. */
  mode: 'bullmq' | 'local';
  /** The store of a `local` engine (`bullmq` always uses RedisStore). */
  store: 'memory' | 'redis';
  redis: string;
  prefix: string;
  worker: string;
  /** The HTTP server's origin: binding `b<i>` polls `<base>/b<i>`. */
  base: string;
  /** Where the target files go. */
  dir: string;
  bindings: number;
  /** Each binding's polling interval; 0 for none (rounds only). */
  intervalMs: number;
  concurrency: number;
  /** Load the package from dist/ (what users run) rather than src/. */
  dist: boolean;
}

/** Messages from the parent. */
export type ToWorker = { type: 'round'; ids: string[] } | { type: 'report' } | { type: 'stop' };

/** Messages to the parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; done: number; failed: number; lastAt: number }
  | { type: 'report'; cpuMs: number; done: number; failed: number; lastAt: number; errors: string[] };

const options = JSON.parse(process.argv[2]!) as WorkerOptions;
const root = new URL('..', import.meta.url);
const load = async <T>(dist: string, src: string): Promise<T> => (await import(new URL(options.dist ? dist : src, root).href)) as T;
// Types from the sources, code from the build when asked (a variable specifier keeps tsc from resolving dist/).
const core = await load<typeof import('../src/index.js')>('dist/index.js', 'src/index.ts');
const cluster = await load<typeof import('../src/cluster/index.js')>('dist/redis.js', 'src/cluster/index.ts');

const send = (message: FromWorker): void => void process.send!(message);
const now = (): number => performance.timeOrigin + performance.now();

const redisStore = options.mode === 'bullmq' || options.store === 'redis';
const store = redisStore ? new cluster.RedisStore({ redis: options.redis, prefix: options.prefix }) : new core.MemoryStore();
const engine = new core.SyncEngine({
  store,
  concurrency: options.concurrency,
  syncOnStart: false,
  defaultIntervalMs: 0,
  ...(options.mode === 'bullmq'
    ? { scheduler: cluster.bullmqScheduler({ url: options.redis, prefix: options.prefix, workerId: options.worker }) }
    : {}),
});

let cpuAtStart = process.cpuUsage();
let done = 0;
let failed = 0;
let lastAt = 0;
const errors = new Set<string>();
let progressTimer: ReturnType<typeof setTimeout> | undefined;
const progress = (): void => {
  progressTimer ??= setTimeout(() => {
    progressTimer = undefined;
    send({ type: 'progress', done, failed, lastAt });
  }, 20);
};
engine.on('job:completed', () => {
  done += 1;
  lastAt = now();
  progress();
});
engine.on('job:failed', (event) => {
  failed += 1;
  lastAt = now();
  errors.add(event.error.code);
  progress();
});

for (let i = 0; i < options.bindings; i++) {
  await engine.addSource({
    id: `b${i}`,
    source: core.httpSource({ url: `${options.base}/b${i}` }),
    target: core.openApiFileTarget({ path: join(options.dir, `b${i}.json`) }),
    intervalMs: options.intervalMs,
  });
}
await engine.startSync();

process.on('message', (message: ToWorker) => {
  if (message.type === 'round') {
    cpuAtStart = process.cpuUsage();
    done = 0;
    failed = 0;
    errors.clear();
    for (const id of message.ids) void engine.addSyncJob({ sourceId: id }).catch((error: unknown) => errors.add(String(error)));
  } else if (message.type === 'report') {
    const cpu = process.cpuUsage(cpuAtStart);
    send({ type: 'report', cpuMs: (cpu.user + cpu.system) / 1000, done, failed, lastAt, errors: [...errors] });
  } else if (message.type === 'stop') {
    void engine
      .stopSync()
      .then(() => ('close' in store ? store.close() : undefined))
      .finally(() => process.exit(0));
  }
});
// The bench is gone (killed, crashed): so is this worker.
process.once('disconnect', () => process.exit(0));
send({ type: 'ready' });
