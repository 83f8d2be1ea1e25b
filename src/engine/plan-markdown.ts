import type { SpecChange } from '../diff/index.js';
import type { SyncPlan } from './types.js';

const LEVELS = [
  ['breaking', 'Breaking'],
  ['warning', 'Warnings'],
  ['info', 'Info'],
] as const;

/** Escape Markdown's special characters (and `<`, `>`) in `text`. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** Escape `text` outside its code spans: a change's `` `name` `` stays a code span, whatever it holds. */
export function escapeMarkdownProse(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeMarkdown(part)))
    .join('');
}

/**
 * A plan as a readable Markdown changelog: the outcome, the changes grouped
 * by level (breaking, warning, info) and then by operation, the conflicts
 * with how each was decided, and the size of the patch. Code spans in a
 * change's text (`` `faxes/items/account_sid` ``) stay code spans; the rest
 * is escaped. Meant to be rendered (a pull request comment, a report); the
 * CLI prints plain text unless asked for Markdown.
 */
export function planToMarkdown(plan: SyncPlan): string {
  const lines: string[] = [`# Sync plan: ${plan.sourceId}`, ''];
  const outcome =
    plan.outcome === 'unchanged'
      ? `Nothing to do (${plan.unchangedReason === 'not-modified' ? 'the source reports no change' : 'the document is unchanged'}).`
      : plan.outcome === 'held'
        ? `**Held** by a safety rail: \`${plan.heldReason ?? 'unknown'}\`${plan.heldDetails ? ` (${escapeMarkdown(JSON.stringify(plan.heldDetails))})` : ''}.`
        : `Would apply ${plan.changes.length} change(s)${plan.firstSync ? ' (first sync)' : ''}, with ${plan.conflicts.length} conflict(s), as a patch of ${plan.patch.length} operation(s).`;
  lines.push(outcome, '');
  for (const [level, title] of LEVELS) {
    const changes = plan.changes.filter((c) => c.level === level);
    if (changes.length === 0) continue;
    lines.push(`## ${title} (${changes.length})`, '');
    const byOperation = new Map<string, SpecChange[]>();
    for (const change of changes) {
      const key = change.operation ?? 'Document';
      byOperation.set(key, [...(byOperation.get(key) ?? []), change]);
    }
    for (const [operation, list] of [...byOperation].sort(([a], [b]) =>
      a === 'Document' ? -1 : b === 'Document' ? 1 : a < b ? -1 : a > b ? 1 : 0,
    )) {
      lines.push(`### ${escapeMarkdown(operation)}`, '');
      for (const change of list) lines.push(`- ${escapeMarkdownProse(change.text)} \`${change.id}\``);
      lines.push('');
    }
  }
  if (plan.conflicts.length > 0) {
    lines.push(`## Conflicts (${plan.conflicts.length})`, '');
    for (const conflict of plan.conflicts) {
      const decision = plan.decisions.find((d) => d.path === conflict.path);
      const how = decision
        ? `→ ${decision.take}${decision.resolver ? ` (${decision.resolver})` : ''}: ${escapeMarkdownProse(decision.reason)}`
        : '→ undecided';
      lines.push(`- \`${conflict.path}\` ${conflict.kind} ${how}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
