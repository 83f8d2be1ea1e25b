/**
 * Human-readable output of the CLI: change lists, run summaries, errors
 * and the `watch` status line. Pure functions of their input, so they are
 * unit-tested without a terminal.
 *
 * @module
 */
import { isSyncError, type ConflictDecision, type MergeConflict, type SpecChange, type SyncPlan, type SyncResult } from '../index.js';
import { redactUrl } from '../sources/index.js';
import { cliHint } from './hints.js';

const LEVELS = [
  ['breaking', 'breaking'],
  ['warning', 'warning'],
  ['info', 'info'],
] as const;

/** Counts of changes per level. */
export function countLevels(changes: readonly SpecChange[]): { breaking: number; warning: number; info: number } {
  const counts = { breaking: 0, warning: 0, info: 0 };
  for (const change of changes) counts[change.level] += 1;
  return counts;
}

/** `3 changes (1 breaking, 2 info)`. */
export function describeCounts(changes: readonly SpecChange[]): string {
  const counts = countLevels(changes);
  const parts = LEVELS.filter(([level]) => counts[level] > 0).map(([level, name]) => `${counts[level]} ${name}`);
  return `${plural(changes.length, 'change')}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** `1 change`, `2 changes`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Changes grouped by level (breaking, warning, info), then by operation,
 * one line each, indented by `indent` spaces.
 */
export function formatChanges(changes: readonly SpecChange[], indent = 2): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [level, name] of LEVELS) {
    const list = changes.filter((c) => c.level === level);
    if (list.length === 0) continue;
    lines.push(`${pad}${name} (${list.length})`);
    const byOperation = new Map<string, SpecChange[]>();
    for (const change of list) {
      const key = change.operation ?? '(document)';
      byOperation.set(key, [...(byOperation.get(key) ?? []), change]);
    }
    for (const [operation, items] of [...byOperation].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const item of items)
        lines.push(`${pad}  ${item.text.includes(operation) ? item.text : `${operation}: ${item.text}`} [${item.id}]`);
    }
  }
  return lines;
}

/** Conflicts with how each was decided, one line each. */
export function formatConflicts(conflicts: readonly MergeConflict[], decisions: readonly ConflictDecision[], indent = 2): string[] {
  if (conflicts.length === 0) return [];
  const pad = ' '.repeat(indent);
  const lines = [`${pad}conflicts (${conflicts.length})`];
  for (const conflict of conflicts) {
    const decision = decisions.find((d) => d.path === conflict.path);
    const how = decision ? `took ${decision.take}${decision.resolver ? ` (${decision.resolver})` : ''}: ${decision.reason}` : 'undecided';
    lines.push(`${pad}  ${conflict.path || '/'} ${conflict.kind}: ${how}`);
  }
  return lines;
}

/** Where a binding reads from, safe to print (no user info in URLs). */
export function describeSource(source: string, kind: 'url' | 'file'): string {
  if (kind === 'file') return source;
  try {
    return redactUrl(source);
  } catch {
    return source;
  }
}

/** The one-line outcome of a run. */
export function describeResult(result: SyncResult, out: string): string {
  switch (result.outcome) {
    case 'unchanged':
      return `unchanged: ${result.unchangedReason === 'not-modified' ? 'the source reports no change' : 'same document as the last sync'}`;
    case 'held':
      return `held by a safety rail: ${result.heldReason ?? 'unknown'}${result.heldDetails ? ` ${JSON.stringify(result.heldDetails)}` : ''}; nothing was written`;
    case 'applied':
      return `applied ${describeCounts(result.changes)}, ${plural(result.conflicts.length, 'conflict')}; ${result.written ? `wrote ${out}` : 'the local copy already matched (nothing written)'}`;
  }
}

/**
 * A plan as plain text for a terminal: the outcome on one line, then the
 * changes by level and operation and the conflicts with how the resolver
 * would decide them, indented by `indent` spaces (no Markdown: that is
 * `planToMarkdown`, behind `plan --markdown`).
 */
export function formatPlan(plan: SyncPlan, indent = 2): string[] {
  const pad = ' '.repeat(indent);
  let outcome: string;
  if (plan.outcome === 'unchanged') {
    outcome = `nothing to do: ${plan.unchangedReason === 'not-modified' ? 'the source reports no change' : 'same document as the last sync'}`;
  } else if (plan.outcome === 'held') {
    outcome = `would be held by a safety rail: ${plan.heldReason ?? 'unknown'}${plan.heldDetails ? ` ${JSON.stringify(plan.heldDetails)}` : ''}; apply it with \`api-live-sync sync --approve\``;
  } else {
    outcome = `would apply ${describeCounts(plan.changes)}, ${plural(plan.conflicts.length, 'conflict')}, as a patch of ${plural(plan.patch.length, 'operation')}${plan.firstSync ? ' (first sync)' : ''}`;
  }
  return [`${pad}${outcome}`, ...formatChanges(plan.changes, indent), ...formatConflicts(plan.conflicts, plan.decisions, indent)];
}

/** `error CODE: message` and `hint: ...` lines for anything thrown (the CLI's wording of the hint); the stack only when `verbose`. */
export function formatError(error: unknown, verbose: boolean): string[] {
  const lines: string[] = [];
  if (isSyncError(error)) {
    lines.push(`error ${error.code}: ${error.message}`);
    const hint = cliHint(error);
    if (hint) lines.push(`hint: ${hint}`);
  } else {
    lines.push(`error UNEXPECTED: ${error instanceof Error ? error.message : String(error)}`);
    lines.push('hint: This is probably a bug in api-live-sync; rerun with --verbose and report the output.');
  }
  if (verbose && error instanceof Error && error.stack) {
    lines.push(error.stack);
    let cause = (error as Error & { cause?: unknown }).cause;
    while (cause instanceof Error) {
      lines.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = (cause as Error & { cause?: unknown }).cause;
    }
  }
  return lines;
}

/** A serialised error for `--json` output, with the CLI's wording of the hint. */
export function errorJson(error: unknown): Record<string, unknown> {
  if (isSyncError(error)) {
    const hint = cliHint(error);
    return { ...error.toJSON(), ...(hint === undefined ? {} : { hint }) };
  }
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}

/** `14:03:05` in local time. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** What the `watch` status line shows. */
export interface WatchStatus {
  /** Bindings watched. */
  bindings: number;
  /** `idle`, `syncing`, `stopping`, `failing`. */
  state: string;
  /** The last finished run: when, which binding, how it ended. */
  lastSync?: { at: number; sourceId: string; outcome: string };
  /** Changes applied since `watch` started. */
  changes: number;
  /** The next poll tick, epoch milliseconds. */
  nextPoll?: number;
}

/** The `watch` status line, e.g. `watching 1 binding · idle · last sync 14:03:05 api applied · 3 changes · next poll in 1.4s`. */
export function formatStatusLine(status: WatchStatus, now: number): string {
  const parts = [`watching ${plural(status.bindings, 'binding')}`, status.state];
  parts.push(
    status.lastSync ? `last sync ${clockTime(status.lastSync.at)} ${status.lastSync.sourceId} ${status.lastSync.outcome}` : 'no sync yet',
  );
  parts.push(plural(status.changes, 'change'));
  if (status.nextPoll !== undefined) parts.push(`next poll in ${Math.max(0, (status.nextPoll - now) / 1000).toFixed(1)}s`);
  return parts.join(' · ');
}
