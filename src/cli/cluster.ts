/**
 * `api-live-sync worker` and `api-live-sync status`: a scale-out deployment
 * from the command line (docs/scale-out.md). Both load `api-live-sync/redis`
 * (and so `ioredis` and `bullmq`, optional peer dependencies) only when run,
 * so the other commands never need them.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, syncEngineEventNames, type SyncResult } from '../index.js';
import { DEFAULT_WATCH_INTERVAL_MS, type ClusterCommand } from './args.js';
import { EXIT, ensureOutDirs, type CliContext } from './commands.js';
import { clockTime } from './format.js';
import { createEngine, setupBindings } from './setup.js';

type ClusterModule = typeof import('../cluster/index.js');

/** Load `api-live-sync/redis`; a missing optional package is a `CONFIG_INVALID` saying what to install. */
async function loadCluster(command: ClusterCommand['command']): Promise<ClusterModule> {
  try {
    return await import('../cluster/index.js');
  } catch (error) {
    const missing = /Cannot find (?:package|module) '(ioredis|bullmq)'/.exec(error instanceof Error ? error.message : '');
    if (!missing) throw error;
    throw new ConfigError(`\`api-live-sync ${command}\` needs the optional package ${missing[1]!}, which is not installed.`, {
      cause: error,
      hint: 'Install both: npm install ioredis@^6.1.0 bullmq@^6.7.6',
    });
  }
}

/** The URL as printed: without its password. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** `worker`: run the config's bindings as one worker of the deployment until SIGINT or SIGTERM. */
export async function workerCommand(cmd: ClusterCommand, ctx: CliContext): Promise<number> {
  const cluster = await loadCluster('worker');
  const setup = await setupBindings(
    {
      command: 'watch',
      json: cmd.json,
      verbose: cmd.verbose,
      ...(cmd.config === undefined ? {} : { config: cmd.config }),
      headers: {},
      allowedHosts: [],
      bindings: cmd.bindings,
      approve: false,
    },
    ctx.cwd,
  );
  const intervalMs = cmd.intervalMs ?? setup.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const prefix = cmd.prefix ?? 'api-live-sync';
  const workerId = cmd.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  await ensureOutDirs(setup);
  const store = new cluster.RedisStore({ redis: cmd.redis, prefix });
  const scheduler = cluster.bullmqScheduler<SyncResult>({
    url: cmd.redis,
    prefix,
    workerId,
    ...(cmd.leaseTtlMs === undefined ? {} : { leaseTtlMs: cmd.leaseTtlMs }),
  });
  let view: Awaited<ReturnType<ClusterModule['ClusterView']['connect']>> | undefined;
  let engine: Awaited<ReturnType<typeof createEngine>> | undefined;
  try {
    // Fail now, naming the server, rather than at the first sync.
    await store.connect();
    engine = await createEngine(setup, { kind: 'watch', intervalMs }, { store, scheduler });
    view = await cluster.ClusterView.connect(engine, { redis: cmd.redis, prefix, workerId });
    const say = (text: string) => void ctx.stdout.write(`[${clockTime(Date.now())}] ${text}\n`);
    if (cmd.json) {
      for (const name of syncEngineEventNames) {
        if (name === 'metrics') continue;
        engine.on(name, (payload) => void ctx.stdout.write(`${JSON.stringify({ event: name, workerId, ...payload })}\n`));
      }
    } else {
      engine.on('job:completed', (e) => say(`${e.job.sourceId}: ${e.result.outcome}`));
      engine.on('job:failed', (e) => say(`${e.job.sourceId}: error ${e.error.code}: ${e.error.message}`));
      engine.on('circuit:opened', (e) => say(`${e.sourceId}: paused after ${e.failures} failures in a row (for every worker)`));
    }
    const bindings = setup.bindings.map((b) => b.id);
    if (cmd.json)
      ctx.stdout.write(
        `${JSON.stringify({ event: 'worker:started', timestamp: Date.now(), workerId, prefix, redis: shown(cmd.redis), intervalMs, bindings })}\n`,
      );
    else say(`worker ${workerId} on ${shown(cmd.redis)} (prefix ${prefix}): ${bindings.join(', ')}; press Ctrl-C to stop`);
    await engine.startSync();
    const reason = await new Promise<string>((resolve) => {
      if (ctx.signal.aborted) resolve(String(ctx.signal.reason ?? 'signal'));
      else ctx.signal.addEventListener('abort', () => resolve(String(ctx.signal.reason ?? 'signal')), { once: true });
    });
    if (!cmd.json) say(`${reason}: stopping…`);
    // Stop only this worker: its running syncs end, its bindings' schedules stay for the other workers.
    await engine.stopSync();
    await view.close();
    view = undefined;
    if (cmd.json) ctx.stdout.write(`${JSON.stringify({ event: 'worker:stopped', timestamp: Date.now(), workerId, signal: reason })}\n`);
    else say('stopped');
    return EXIT.ok;
  } finally {
    await view?.close().catch(() => undefined);
    await engine?.stopSync().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}

/** `status`: every binding's last sync, lease holder and waiting jobs, and the queue's depth. */
export async function statusCommand(cmd: ClusterCommand, ctx: CliContext): Promise<number> {
  const cluster = await loadCluster('status');
  const status = await cluster.readClusterStatus({ url: cmd.redis, ...(cmd.prefix === undefined ? {} : { prefix: cmd.prefix }) });
  if (cmd.json) {
    ctx.stdout.write(`${JSON.stringify({ command: 'status', exitCode: EXIT.ok, redis: shown(cmd.redis), ...status }, null, 2)}\n`);
    return EXIT.ok;
  }
  const q = status.queue;
  ctx.stdout.write(
    `${shown(cmd.redis)} (prefix ${status.prefix}): ${status.workers.length} worker(s) ${status.workers.join(', ')}; queue: ${q.waiting + q.prioritized} waiting, ${q.delayed} delayed, ${q.active} running\n`,
  );
  for (const b of status.bindings) {
    const last =
      b.lastSync === null ? 'never synced' : `${b.lastSync.outcome ?? 'synced'} at ${clockTime(b.lastSync.at)} on ${b.lastSync.workerId}`;
    const lease = b.lease === null ? 'no lease' : `leased by ${b.lease.owner} (token ${b.lease.token}, ${b.lease.remainingMs} ms left)`;
    ctx.stdout.write(`  ${b.id}: ${last}; ${lease}; ${b.queued} queued\n`);
  }
  return EXIT.ok;
}
