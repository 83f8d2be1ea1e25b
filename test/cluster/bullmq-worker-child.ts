/**
 * A worker process for bullmq-processes.test.ts: one SyncEngine with a
 * RedisStore and the BullMQ scheduler, bindings polling the test's HTTP
 * server into OpenAPI files. Every entry into and exit from a sync's
 * critical section is appended to the shared log (one JSON line, O_APPEND,
 * so the file's order is the order they happened across processes).
 *
 * argv[2]: JSON of { redis, prefix, worker, log, base, dir, bindings, intervalMs, syncOnStart, leaseTtlMs, hang? }
 * With `hang`, the first sync of that binding enters and never returns.
 * With `stall`, the first sync of that binding logs `stalling` and waits
 * `stallMs` before it runs (the test freezes the process meanwhile); a
 * sync that fails logs its error code in its exit line.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisStore, bullmqScheduler } from '../../src/cluster/index.js';
import { SyncEngine, httpSource, openApiFileTarget, type SchedulerFactory, type SyncResult } from '../../src/index.js';

interface ChildOptions {
  redis: string;
  prefix: string;
  worker: string;
  log: string;
  base: string;
  dir: string;
  bindings: string[];
  intervalMs: number;
  syncOnStart: boolean;
  leaseTtlMs: number;
  hang?: string;
  stall?: string;
  stallMs?: number;
}

const options = JSON.parse(process.argv[2]!) as ChildOptions;
const write = (line: Record<string, unknown>): void =>
  appendFileSync(options.log, `${JSON.stringify({ worker: options.worker, pid: process.pid, ...line })}\n`);

let stalled = false;
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
        write({ binding: job.sourceId, at: 'enter', job: job.id });
        if (job.sourceId === options.hang) {
          write({ binding: job.sourceId, at: 'hang', job: job.id });
          await new Promise(() => undefined);
        }
        if (job.sourceId === options.stall && !stalled) {
          stalled = true;
          write({ binding: job.sourceId, at: 'stalling', job: job.id });
          await new Promise((resolve) => setTimeout(resolve, options.stallMs ?? 0));
        }
        try {
          const result = await context.hooks.run(job, signal, runOptions);
          write({ binding: job.sourceId, at: 'exit', job: job.id, outcome: result.outcome, hash: result.hash });
          return result;
        } catch (error) {
          write({ binding: job.sourceId, at: 'exit', job: job.id, error: (error as { code?: string }).code ?? String(error) });
          throw error;
        }
      },
    },
  });

const engine = new SyncEngine({
  store: new RedisStore({ redis: options.redis, prefix: options.prefix }),
  scheduler,
  syncOnStart: options.syncOnStart,
});
for (const id of options.bindings) {
  await engine.addSource({
    id,
    source: httpSource({ url: `${options.base}/${id}` }),
    target: openApiFileTarget({ path: join(options.dir, `${id}.json`) }),
    intervalMs: options.intervalMs,
  });
}
await engine.startSync();
write({ at: 'ready' });
process.on('SIGTERM', () => {
  void engine.stopSync().then(() => process.exit(0));
});
