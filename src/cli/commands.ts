/**
 * The commands of the CLI. Each returns its exit code and writes through
 * the {@link CliContext}; errors that end a command are thrown and reported
 * by `runCli`.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  diffSpecs,
  discoverSpec,
  fileSource,
  httpSource,
  isSyncError,
  loadSpec,
  planToMarkdown,
  syncEngineEventNames,
  type ChangeLevel,
  type LoadedSpec,
  type MergeConflict,
  type SyncPlan,
  type SyncResult,
} from '../index.js';
import {
  DEFAULT_WATCH_INTERVAL_MS,
  isUrlSource,
  type BindingCommand,
  type DiffCommand,
  type DiscoverCommand,
  type JournalCommand,
} from './args.js';
import type { ResolvedBinding } from './config.js';
import {
  clockTime,
  countLevels,
  describeCounts,
  describeResult,
  describeSource,
  errorJson,
  formatChanges,
  formatConflicts,
  formatError,
  formatPlan,
  formatStatusLine,
  plural,
  type WatchStatus,
} from './format.js';
import { cliHint } from './hints.js';
import { createEngine, disposeEngine, fileLimit, setupBindings, setupJournalBinding, writersOf, type CliSetup } from './setup.js';

/** Where a command writes and what it may wait for. */
export interface CliContext {
  /** Standard output; `isTTY` switches the live status line of `watch`. */
  stdout: { write(text: string): unknown; isTTY?: boolean };
  /** Standard error. */
  stderr: { write(text: string): unknown };
  /** The working directory relative paths start from. */
  cwd: string;
  /** Aborted by the first SIGINT or SIGTERM. */
  signal: AbortSignal;
}

/** Exit codes of the CLI; docs/cli.md explains each. */
export const EXIT = {
  ok: 0,
  /** check: drift; diff: a change at or above --fail-on; sync: held by a safety rail. */
  attention: 1,
  usage: 2,
  failure: 3,
  interrupted: 130,
} as const;

function line(ctx: CliContext, text = ''): void {
  ctx.stdout.write(`${text}\n`);
}

function json(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function errorLines(ctx: CliContext, error: unknown, verbose: boolean, prefix = ''): void {
  for (const text of formatError(error, verbose)) ctx.stderr.write(`${prefix}${text}\n`);
}

/** The exit code of an error that ended a run: configuration problems are 2, everything else 3. */
export function exitCodeOf(error: unknown): number {
  if (
    isSyncError(error) &&
    ['CONFIG_INVALID', 'BINDING_EXISTS', 'BINDING_ID_INVALID', 'DEPENDENCY_MISSING', 'DEPENDENCY_CYCLE'].includes(error.code)
  )
    return EXIT.usage;
  return EXIT.failure;
}

function header(binding: ResolvedBinding): string {
  return `${binding.id}: ${describeSource(binding.source, binding.sourceKind)} → ${binding.out}`;
}

function describeBinding(binding: ResolvedBinding): Record<string, unknown> {
  return { id: binding.id, source: describeSource(binding.source, binding.sourceKind), out: binding.out, format: binding.format };
}

/** Run `work` for every binding of a setup, in parallel, keeping failures per binding. */
async function perBinding<T>(
  setup: CliSetup,
  work: (binding: ResolvedBinding) => Promise<T>,
): Promise<Array<{ binding: ResolvedBinding; value?: T; error?: unknown }>> {
  return Promise.all(
    setup.bindings.map(async (binding) => {
      try {
        return { binding, value: await work(binding) };
      } catch (error) {
        return { binding, error };
      }
    }),
  );
}

/** Create the folders the local copies will be written to. */
export async function ensureOutDirs(setup: CliSetup): Promise<void> {
  for (const binding of setup.bindings) await mkdir(dirname(binding.out), { recursive: true });
}

function worst(codes: number[]): number {
  if (codes.includes(EXIT.failure)) return EXIT.failure;
  if (codes.includes(EXIT.usage)) return EXIT.usage;
  return codes.includes(EXIT.attention) ? EXIT.attention : EXIT.ok;
}

/** `sync`: one run of every binding. */
export async function syncCommand(cmd: BindingCommand, ctx: CliContext): Promise<number> {
  const setup = await setupBindings(cmd, ctx.cwd);
  await ensureOutDirs(setup);
  const engine = await createEngine(setup, { kind: 'once' });
  const abort = () => void engine.stopSync();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    const runs = await perBinding(setup, async (binding) => {
      let result = await engine.syncNow(binding.id);
      let approved = false;
      if (result.outcome === 'held' && cmd.approve) {
        result = await engine.approve(result.jobId);
        approved = true;
      }
      return { result, approved };
    });
    if (ctx.signal.aborted) return EXIT.interrupted;
    const codes = runs.map((r) =>
      r.error !== undefined ? exitCodeOf(r.error) : r.value!.result.outcome === 'held' ? EXIT.attention : EXIT.ok,
    );
    const exitCode = worst(codes);
    if (cmd.json) {
      json(ctx, {
        command: 'sync',
        exitCode,
        store: setup.store,
        bindings: runs.map((r) => ({
          ...describeBinding(r.binding),
          ...(r.value
            ? { outcome: r.value.result.outcome, approved: r.value.approved, result: r.value.result }
            : { outcome: 'failed', error: errorJson(r.error) }),
        })),
      });
    }
    for (const run of runs) {
      if (!cmd.json) {
        line(ctx, header(run.binding));
        if (run.value) printResult(ctx, run.value.result, run.binding, run.value.approved);
        else line(ctx, `  failed: ${isSyncError(run.error) ? run.error.code : 'UNEXPECTED'} (see stderr)`);
      }
      if (run.error !== undefined) errorLines(ctx, run.error, cmd.verbose, setup.bindings.length > 1 ? `[${run.binding.id}] ` : '');
    }
    return exitCode;
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    await disposeEngine(engine);
  }
}

function printResult(ctx: CliContext, result: SyncResult, binding: ResolvedBinding, approved: boolean): void {
  line(ctx, `  ${approved ? 'approved and ' : ''}${describeResult(result, binding.out)}`);
  for (const text of formatChanges(result.changes, 2)) line(ctx, text);
  for (const text of formatConflicts(result.conflicts, result.decisions, 2)) line(ctx, text);
  if (result.outcome === 'held') {
    line(ctx, '  review it with `api-live-sync plan`, then apply it with `api-live-sync sync --approve` (or relax --policy)');
  }
}

/** `plan`: what a sync would do, as plain text (Markdown with `--markdown`); writes nothing. */
export async function planCommand(cmd: BindingCommand, ctx: CliContext): Promise<number> {
  const setup = await setupBindings(cmd, ctx.cwd);
  const engine = await createEngine(setup, { kind: 'once' });
  try {
    const plans = await perBinding(setup, (binding) => engine.plan(binding.id, { signal: ctx.signal }));
    if (ctx.signal.aborted) return EXIT.interrupted;
    const exitCode = worst(plans.map((p) => (p.error !== undefined ? exitCodeOf(p.error) : EXIT.ok)));
    if (cmd.json) {
      json(ctx, {
        command: 'plan',
        exitCode,
        bindings: plans.map((p) => ({ ...describeBinding(p.binding), ...(p.value ? { plan: p.value } : { error: errorJson(p.error) }) })),
      });
    }
    plans.forEach((p, index) => {
      if (!cmd.json && p.value) {
        if (index > 0) line(ctx);
        if (cmd.markdown === true) ctx.stdout.write(planToMarkdown(p.value));
        else for (const text of [header(p.binding), ...formatPlan(p.value)]) line(ctx, text);
      }
      if (p.error !== undefined) errorLines(ctx, p.error, cmd.verbose, setup.bindings.length > 1 ? `[${p.binding.id}] ` : '');
    });
    return exitCode;
  } finally {
    await disposeEngine(engine);
  }
}

/**
 * Whether a plan means the local copy drifted: a sync would change it
 * (outcome `apply` with a non-empty patch), or a safety rail would hold it
 * (outcome `held`: the source moved in a way the policy refuses).
 */
export function planDrift(plan: SyncPlan): { drift: boolean; reason: string } {
  if (plan.outcome === 'held') return { drift: true, reason: `a sync would be held by a safety rail: ${plan.heldReason ?? 'unknown'}` };
  if (plan.outcome === 'unchanged') {
    return {
      drift: false,
      reason:
        plan.unchangedReason === 'not-modified' ? 'the source reports no change since the last sync' : 'same document as the last sync',
    };
  }
  if (plan.patch.length === 0) return { drift: false, reason: 'the local copy already has every change of the source' };
  return {
    drift: true,
    reason: `a sync would change the local copy (${plural(plan.patch.length, 'patch operation')}, ${describeCounts(plan.changes)})`,
  };
}

/** `check`: exit 1 when a binding drifted (see {@link planDrift}). */
export async function checkCommand(cmd: BindingCommand, ctx: CliContext): Promise<number> {
  const setup = await setupBindings(cmd, ctx.cwd);
  const engine = await createEngine(setup, { kind: 'once' });
  try {
    const plans = await perBinding(setup, (binding) => engine.plan(binding.id, { signal: ctx.signal }));
    if (ctx.signal.aborted) return EXIT.interrupted;
    const verdicts = plans.map((p) => (p.value ? planDrift(p.value) : undefined));
    const exitCode = worst(
      plans.map((p, i) => (p.error !== undefined ? exitCodeOf(p.error) : verdicts[i]!.drift ? EXIT.attention : EXIT.ok)),
    );
    if (cmd.json) {
      json(ctx, {
        command: 'check',
        exitCode,
        inSync: exitCode === EXIT.ok,
        bindings: plans.map((p, i) => ({
          ...describeBinding(p.binding),
          ...(p.value
            ? {
                drift: verdicts[i]!.drift,
                reason: verdicts[i]!.reason,
                outcome: p.value.outcome,
                ...(p.value.heldReason === undefined ? {} : { heldReason: p.value.heldReason }),
                patchOperations: p.value.patch.length,
                counts: countLevels(p.value.changes),
                changes: p.value.changes,
              }
            : { error: errorJson(p.error) }),
        })),
      });
    }
    plans.forEach((p, i) => {
      const verdict = verdicts[i];
      if (!cmd.json && p.value && verdict) {
        line(ctx, `${p.binding.id}: ${verdict.drift ? 'DRIFT' : 'in sync'}: ${verdict.reason}`);
        if (verdict.drift) for (const text of formatChanges(p.value.changes, 2)) line(ctx, text);
      }
      if (p.error !== undefined) errorLines(ctx, p.error, cmd.verbose, setup.bindings.length > 1 ? `[${p.binding.id}] ` : '');
    });
    if (!cmd.json && exitCode === EXIT.attention)
      line(ctx, 'run `api-live-sync plan` to see the changes, `api-live-sync sync` to apply them');
    return exitCode;
  } finally {
    await disposeEngine(engine);
  }
}

/** Fetch and load one document for `diff`: a URL or a file. */
async function loadLocation(location: string, cmd: DiffCommand, ctx: CliContext): Promise<LoadedSpec> {
  const path = isUrlSource(location) ? undefined : resolve(ctx.cwd, location);
  const source =
    path === undefined
      ? httpSource({
          url: location,
          ...(Object.keys(cmd.headers).length > 0 ? { headers: cmd.headers } : {}),
          ...(cmd.allowedHosts.length > 0 ? { allowedHosts: cmd.allowedHosts } : {}),
          ...(cmd.maxBytes === undefined ? {} : { maxBytes: cmd.maxBytes }),
        })
      : fileSource({ path, maxBytes: fileLimit(cmd.maxBytes, writersOf(path)) });
  try {
    const fetched = await source.fetch({ validators: {}, signal: ctx.signal });
    if (fetched.kind === 'not-modified') throw new Error(`${location} answered "not modified" to an unconditional request`);
    return await loadSpec(fetched.kind === 'raw' ? fetched.body : (fetched.document as object), {
      location: describeSource(location, isUrlSource(location) ? 'url' : 'file'),
      ...(fetched.kind === 'raw' && fetched.contentType !== undefined ? { contentType: fetched.contentType } : {}),
      ...(fetched.kind === 'raw' && fetched.maxBytes !== undefined ? { maxBytes: fetched.maxBytes } : {}),
      ...(fetched.allowRemoteRefs === true ? { allowRemoteRefs: true } : {}),
    });
  } finally {
    await source.close?.();
  }
}

const RANK: Record<ChangeLevel, number> = { info: 0, warning: 1, breaking: 2 };

/** `diff`: the semantic changes between two documents; exit 1 when one is at or above `--fail-on`. */
export async function diffCommand(cmd: DiffCommand, ctx: CliContext): Promise<number> {
  const [before, after] = await Promise.all([loadLocation(cmd.old, cmd, ctx), loadLocation(cmd.new, cmd, ctx)]);
  const changes = diffSpecs(before.document, after.document);
  const failing = cmd.failOn === undefined ? [] : changes.filter((c) => RANK[c.level] >= RANK[cmd.failOn!]);
  const exitCode = failing.length > 0 ? EXIT.attention : EXIT.ok;
  if (cmd.json) {
    json(ctx, {
      command: 'diff',
      exitCode,
      old: describeSource(cmd.old, isUrlSource(cmd.old) ? 'url' : 'file'),
      new: describeSource(cmd.new, isUrlSource(cmd.new) ? 'url' : 'file'),
      ...(cmd.failOn === undefined ? {} : { failOn: cmd.failOn, failing: failing.length }),
      counts: countLevels(changes),
      changes,
    });
    return exitCode;
  }
  line(ctx, changes.length === 0 ? 'no changes' : `${describeCounts(changes)}`);
  for (const text of formatChanges(changes, 2)) line(ctx, text);
  if (cmd.failOn !== undefined) {
    line(
      ctx,
      failing.length > 0
        ? `fail: ${plural(failing.length, 'change')} at or above ${cmd.failOn}`
        : `pass: no change at or above ${cmd.failOn}`,
    );
  }
  return exitCode;
}

/** `journal`: the journal of one binding. */
export async function journalCommand(cmd: JournalCommand, ctx: CliContext): Promise<number> {
  const setup = await setupJournalBinding(cmd, ctx.cwd);
  const binding = setup.bindings[0]!;
  const engine = await createEngine(setup, { kind: 'journal' });
  try {
    const entries = await engine.getJournal(binding.id);
    if (cmd.json) {
      json(ctx, { command: 'journal', exitCode: EXIT.ok, binding: binding.id, out: binding.out, store: setup.store, entries });
      return EXIT.ok;
    }
    line(ctx, `${binding.id}: ${plural(entries.length, 'journal entry').replace('entrys', 'entries')} (store ${setup.store})`);
    for (const entry of entries) {
      const what =
        entry.kind === 'rollback'
          ? `rollback  restored before ${entry.rolledBack ?? '?'}`
          : `sync      ${describeCounts(entry.changes)}${entry.firstSync ? ', first sync' : ''}${entry.decisions.length > 0 ? `, ${plural(entry.decisions.length, 'decision')}` : ''}`;
      line(ctx, `  ${entry.id.padEnd(6)} ${new Date(entry.at).toISOString()}  ${what}`);
    }
    return EXIT.ok;
  } finally {
    await disposeEngine(engine);
  }
}

/** `rollback`: restore the local copy and the base as they were before a journal entry. */
export async function rollbackCommand(cmd: JournalCommand, ctx: CliContext): Promise<number> {
  const setup = await setupJournalBinding(cmd, ctx.cwd);
  const binding = setup.bindings[0]!;
  const engine = await createEngine(setup, { kind: 'journal' });
  try {
    const entry = await engine.rollback(binding.id, cmd.to, { force: cmd.force });
    if (cmd.json) json(ctx, { command: 'rollback', exitCode: EXIT.ok, binding: binding.id, out: binding.out, entry });
    else
      line(
        ctx,
        `${binding.id}: rolled back to before ${entry.rolledBack ?? '?'}; wrote ${binding.out}; recorded as ${entry.id} (roll that back to undo)`,
      );
    return EXIT.ok;
  } finally {
    await disposeEngine(engine);
  }
}

/** `discover`: where a running API serves its OpenAPI document. */
export async function discoverCommand(cmd: DiscoverCommand, ctx: CliContext): Promise<number> {
  const found = await discoverSpec(cmd.baseUrl, {
    signal: ctx.signal,
    ...(Object.keys(cmd.headers).length > 0 ? { headers: cmd.headers } : {}),
    ...(cmd.allowedHosts.length > 0 ? { allowedHosts: cmd.allowedHosts } : {}),
    ...(cmd.timeoutMs === undefined ? {} : { timeoutMs: cmd.timeoutMs }),
    ...(cmd.maxBytes === undefined ? {} : { maxBytes: cmd.maxBytes }),
  });
  if (cmd.json) {
    json(ctx, { command: 'discover', exitCode: EXIT.ok, ...found });
    return EXIT.ok;
  }
  line(ctx, `found: ${found.url}`);
  line(ctx, `framework: ${found.framework} (confidence ${found.confidence.toFixed(2)})`);
  line(ctx, 'evidence:');
  for (const item of found.evidence) line(ctx, `  - ${item}`);
  line(ctx, `next: api-live-sync sync ${found.url} --out openapi.json`);
  return EXIT.ok;
}

/** `watch`: sync continuously until SIGINT or SIGTERM, printing events and a status line. */
export async function watchCommand(cmd: BindingCommand, ctx: CliContext): Promise<number> {
  const setup = await setupBindings(cmd, ctx.cwd);
  const intervalMs = cmd.intervalMs ?? setup.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  await ensureOutDirs(setup);
  const engine = await createEngine(setup, { kind: 'watch', intervalMs });
  const tty = !cmd.json && ctx.stdout.isTTY === true;
  const status: WatchStatus = { bindings: setup.bindings.length, state: 'starting', changes: 0 };
  const outs = new Map(setup.bindings.map((b) => [b.id, b.out] as const));
  const lastFailure = new Map<string, string>();
  /** Bindings waiting for a restarting server: since when. */
  const waiting = new Map<string, number>();
  let running = 0;
  let statusShown = false;

  const clearStatus = () => {
    if (tty && statusShown) ctx.stdout.write('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = () => {
    if (!tty) return;
    const next = engine
      .getSyncStatus()
      .bindings.map((b) => b.nextPoll)
      .filter((n): n is number => n !== undefined);
    if (next.length > 0) status.nextPoll = Math.min(...next);
    else delete status.nextPoll;
    ctx.stdout.write(`\r\x1b[2K${formatStatusLine(status, Date.now())}`);
    statusShown = true;
  };
  const say = (sourceId: string | undefined, text: string, stream: 'out' | 'err' = 'out') => {
    if (cmd.json) return;
    clearStatus();
    const prefix = `[${clockTime(Date.now())}]${sourceId === undefined ? '' : ` ${sourceId}:`}`;
    (stream === 'out' ? ctx.stdout : ctx.stderr).write(
      text
        .split('\n')
        .map((t, i) => (i === 0 ? `${prefix} ${t}` : t))
        .join('\n') + '\n',
    );
    drawStatus();
  };
  const setState = () => {
    status.state = waiting.size > 0 ? 'waiting for the server' : running > 0 ? 'syncing' : lastFailure.size > 0 ? 'failing' : 'idle';
    drawStatus();
  };

  if (cmd.json) {
    for (const name of syncEngineEventNames) {
      if (name === 'metrics') continue;
      engine.on(name, (payload) => {
        ctx.stdout.write(`${JSON.stringify({ event: name, ...payload })}\n`);
      });
    }
  }
  engine.on('job:started', () => {
    running += 1;
    setState();
  });
  engine.on('job:completed', (e) => {
    running = Math.max(0, running - 1);
    status.lastSync = { at: e.timestamp, sourceId: e.job.sourceId, outcome: e.result.outcome };
    const since = waiting.get(e.job.sourceId);
    if (since !== undefined) {
      waiting.delete(e.job.sourceId);
      say(e.job.sourceId, `the server answers again (down for ${((e.timestamp - since) / 1000).toFixed(1)}s)`);
    }
    if (lastFailure.delete(e.job.sourceId)) say(e.job.sourceId, 'recovered');
    if (cmd.verbose && e.result.outcome === 'unchanged') say(e.job.sourceId, `unchanged (${e.result.unchangedReason ?? ''})`);
    setState();
  });
  engine.on('job:failed', (e) => {
    running = Math.max(0, running - 1);
    status.lastSync = { at: e.timestamp, sourceId: e.job.sourceId, outcome: 'failed' };
    waiting.delete(e.job.sourceId);
    const key = `${e.error.code}: ${e.error.message}`;
    if (lastFailure.get(e.job.sourceId) !== key) {
      const hint = cliHint(e.error);
      say(e.job.sourceId, `error ${key}${hint ? `\nhint: ${hint}` : ''}`, 'err');
    }
    lastFailure.set(e.job.sourceId, key);
    setState();
  });
  engine.on('source:restarting', (e) => {
    waiting.set(e.sourceId, e.since);
    say(
      e.sourceId,
      `waiting for the server (${e.error.code}: it looks like it is restarting); retrying every 0.25–1 s, failures count again after ${((e.graceEndsAt - e.since) / 1000).toFixed(0)}s`,
    );
    setState();
  });
  engine.on('job:retrying', (e) => {
    if (cmd.verbose) say(e.job.sourceId, `retrying in ${(e.delayMs / 1000).toFixed(1)}s after ${e.error.code}`);
  });
  engine.on('spec:changed', (e) => {
    const changes = e.changes;
    say(
      e.sourceId,
      [`remote changed${e.firstSync ? ' (first sync)' : ''}: ${describeCounts(changes)}`, ...formatChanges(changes, 2)].join('\n'),
    );
  });
  const detected = new Map<string, readonly MergeConflict[]>();
  engine.on('conflict:detected', (e) => void detected.set(e.jobId, e.conflicts));
  engine.on('conflict:resolved', (e) => {
    const conflicts = detected.get(e.jobId) ?? [];
    detected.delete(e.jobId);
    say(e.sourceId, formatConflicts(conflicts, e.decisions, 0).join('\n'));
  });
  engine.on('sync:applied', (e) => {
    status.changes += e.changeCount;
    say(
      e.sourceId,
      `applied ${plural(e.changeCount, 'change')}, ${plural(e.conflictCount, 'conflict')}; ${e.written ? `wrote ${outs.get(e.sourceId) ?? ''}` : 'nothing to write'}`,
    );
  });
  engine.on('sync:held', (e) => {
    say(
      e.sourceId,
      `held by a safety rail: ${e.reason} ${JSON.stringify(e.details)}; nothing was written\nhint: review it with \`api-live-sync plan\`, apply it with \`api-live-sync sync --approve\``,
    );
  });
  engine.on('circuit:opened', (e) =>
    say(e.sourceId, `paused after ${plural(e.failures, 'failure')} in a row; next try at ${clockTime(e.halfOpenAt)}`),
  );
  engine.on('error', (e) => {
    const hint = cliHint(e.error);
    say(e.sourceId, `error ${e.error.code}: ${e.error.message}${hint ? `\nhint: ${hint}` : ''}`, 'err');
  });

  let stopping = false;
  let disposed = false;
  let ticker: NodeJS.Timeout | undefined;
  try {
    if (cmd.json) {
      ctx.stdout.write(
        `${JSON.stringify({ event: 'watch:started', timestamp: Date.now(), intervalMs, store: setup.store, bindings: setup.bindings.map(describeBinding) })}\n`,
      );
    } else {
      for (const b of setup.bindings) {
        say(
          b.id,
          `watching ${describeSource(b.source, b.sourceKind)} → ${b.out} (${b.sourceKind === 'file' ? 'file events, and ' : ''}every ${b.intervalMs ?? intervalMs} ms)`,
        );
      }
      say(undefined, 'press Ctrl-C to stop');
    }
    // The engine runs every binding once at start (`syncOnStart`), then on its interval and file events.
    await engine.startSync();
    if (tty) ticker = setInterval(drawStatus, 250);
    const reason = await new Promise<string>((resolve) => {
      if (ctx.signal.aborted) resolve(String(ctx.signal.reason ?? 'signal'));
      else ctx.signal.addEventListener('abort', () => resolve(String(ctx.signal.reason ?? 'signal')), { once: true });
    });
    stopping = true;
    status.state = 'stopping';
    say(undefined, `${reason}: stopping…`);
    await engine.stopSync();
    if (ticker) clearInterval(ticker);
    clearStatus();
    engine.removeAllListeners();
    await disposeEngine(engine);
    disposed = true;
    if (cmd.json)
      ctx.stdout.write(`${JSON.stringify({ event: 'watch:stopped', timestamp: Date.now(), signal: reason, changes: status.changes })}\n`);
    else line(ctx, `[${clockTime(Date.now())}] stopped (${plural(status.changes, 'change')} applied)`);
    return EXIT.ok;
  } finally {
    if (ticker) clearInterval(ticker);
    if (!stopping) clearStatus();
    if (!disposed) await disposeEngine(engine);
  }
}
