/**
 * A worker process for chaos.test.ts: one SyncEngine with a RedisStore and
 * the BullMQ scheduler, `count` bindings (`b0` …) polling the test's HTTP
 * server into OpenAPI files. Every entry into and exit from a sync's
 * critical section (inside the lease) is appended to the shared log, one
 * JSON line with O_APPEND, with the sync's fencing token.
 *
 * Signals from the test:
 * - SIGUSR1: the next file write of this worker kills the process
 *   (SIGKILL) in the middle of its swap, with the file moved aside (it logs
 *   `killing` first);
 * - SIGUSR2: the next file write of this worker stops the process
 *   (SIGSTOP) right before the fenced write (it logs `stopping` first); the
 *   test lets the lease expire and continues it with SIGCONT.
 *
 * argv[2]: JSON of { redis, prefix, worker, log, base, dir, count, intervalMs, leaseTtlMs }
 */
import { appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RedisStore, bullmqScheduler } from '../../src/cluster/index.js';
import { SyncEngine, httpSource, openApiFileTarget, type SchedulerFactory, type SyncResult, type SyncTarget } from '../../src/index.js';
import { setLocalFileStepHook } from '../../src/targets/local-file.js';

interface ChildOptions {
  redis: string;
  prefix: string;
  worker: string;
  log: string;
  base: string;
  dir: string;
  count: number;
  intervalMs: number;
  leaseTtlMs: number;
}

const options = JSON.parse(process.argv[2]!) as ChildOptions;
const write = (line: Record<string, unknown>): void =>
  appendFileSync(options.log, `${JSON.stringify({ worker: options.worker, t: Date.now(), ...line })}\n`);

let killArmed = false;
let stopArmed = false;
process.on('SIGUSR1', () => (killArmed = true));
process.on('SIGUSR2', () => (stopArmed = true));

setLocalFileStepHook((step, path) => {
  if (!killArmed || step !== 'moved-away') return;
  write({ binding: basename(path, '.json'), at: 'killing' });
  process.kill(process.pid, 'SIGKILL');
});

const factory = bullmqScheduler<SyncResult>({
  url: options.redis,
  prefix: options.prefix,
  workerId: options.worker,
  leaseTtlMs: options.leaseTtlMs,
});
const scheduler: SchedulerFactory<SyncResult> = (context) =>
  factory({
    ...context,
    hooks: {
      ...context.hooks,
      run: async (job, signal, runOptions) => {
        const token = runOptions?.fence?.token;
        write({ binding: job.sourceId, at: 'enter', job: job.id, token });
        try {
          const result = await context.hooks.run(job, signal, runOptions);
          write({ binding: job.sourceId, at: 'exit', job: job.id, token, outcome: result.outcome, written: result.written });
          return result;
        } catch (error) {
          write({ binding: job.sourceId, at: 'exit', job: job.id, token, error: (error as { code?: string }).code ?? String(error) });
          throw error;
        }
      },
    },
  });

/** The file target, stopping the process before a write when the test asked for it. */
function target(path: string): SyncTarget<Record<string, unknown>> {
  const inner = openApiFileTarget({ path });
  return {
    ...inner,
    async write(local, context) {
      if (stopArmed) {
        stopArmed = false;
        write({ binding: context.sourceId, at: 'stopping', token: context.fence?.token });
        process.kill(process.pid, 'SIGSTOP');
      }
      return inner.write(local, context);
    },
  };
}

const engine = new SyncEngine({
  store: new RedisStore({ redis: options.redis, prefix: options.prefix }),
  scheduler,
  syncOnStart: true,
});
for (let i = 0; i < options.count; i++) {
  const id = `b${i}`;
  await engine.addSource({
    id,
    source: httpSource({ url: `${options.base}/${id}` }),
    target: target(join(options.dir, `${id}.json`)),
    intervalMs: options.intervalMs,
  });
}
await engine.startSync();
write({ at: 'ready' });
process.on('SIGTERM', () => {
  void engine.stopSync().then(() => process.exit(0));
});
