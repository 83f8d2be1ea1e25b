/**
 * What changed, for people: a binding's last applied sync (and the sync a
 * safety rail holds) as a Markdown changelog grouped into breaking, changed,
 * added and removed, served by `GET /sources/:id/changelog`.
 *
 * @module
 */
import type { SpecChange } from '../diff/index.js';
import { escapeMarkdown, escapeMarkdownProse, type HeldSync, type JournalEntry } from '../engine/index.js';

/** The groups of a changelog, in the order they are shown. */
export const CHANGELOG_GROUPS = ['Breaking', 'Changed', 'Added', 'Removed'] as const;

/** The group of one change: breaking first, then by what its rule id says happened. */
export function changeGroup(change: SpecChange): (typeof CHANGELOG_GROUPS)[number] {
  if (change.level === 'breaking') return 'Breaking';
  if (/(^|-)removed(-|$)/.test(change.id)) return 'Removed';
  if (/(^|-)added(-|$)/.test(change.id)) return 'Added';
  return 'Changed';
}

/**
 * A Markdown changelog of `changes`: a `## Group (n)` section per group that
 * has changes, a `### METHOD /path` heading per operation (document-level
 * changes first, under `### Document`), and one list item per change with
 * its rule id as a code span. Spec text is escaped (code spans in a change's
 * text stay code spans), so rendering it cannot inject markup.
 */
export function changelogMarkdown(title: string, changes: readonly SpecChange[]): string {
  const lines = [`# ${escapeMarkdown(title)}`, ''];
  if (changes.length === 0) lines.push('No semantic change.', '');
  for (const group of CHANGELOG_GROUPS) {
    const inGroup = changes.filter((change) => changeGroup(change) === group);
    if (inGroup.length === 0) continue;
    lines.push(`## ${group} (${inGroup.length})`, '');
    const byOperation = new Map<string, SpecChange[]>();
    for (const change of inGroup) {
      const key = change.operation ?? 'Document';
      byOperation.set(key, [...(byOperation.get(key) ?? []), change]);
    }
    const order = [...byOperation.keys()].sort((a, b) => (a === 'Document' ? -1 : b === 'Document' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    for (const operation of order) {
      lines.push(`### ${escapeMarkdown(operation)}`, '');
      for (const change of byOperation.get(operation)!) lines.push(`- ${escapeMarkdownProse(change.text)} \`${change.id}\``);
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The body of `GET /sources/:id/changelog`: what the last applied sync and the held sync of a binding change, as Markdown. */
export interface ChangelogResponse {
  /** The binding. */
  sourceId: string;
  /** The newest applied sync of the journal, or null when there is none. */
  last: { journalId: string; jobId: string | undefined; at: number; changeCount: number; markdown: string } | null;
  /** The sync a safety rail holds for the binding, or null. */
  held: { jobId: string; reason: HeldSync['reason']; heldAt: number; changeCount: number; markdown: string } | null;
}

/** Build the changelog answer from a binding's journal (oldest first) and the held syncs. */
export function changelogOf(sourceId: string, journal: readonly JournalEntry[], held: readonly HeldSync[]): ChangelogResponse {
  const entry = [...journal].reverse().find((e) => e.kind === 'sync');
  const hold = held.find((h) => h.sourceId === sourceId);
  return {
    sourceId,
    last: entry
      ? {
          journalId: entry.id,
          jobId: entry.jobId,
          at: entry.at,
          changeCount: entry.changes.length,
          markdown: changelogMarkdown(`${sourceId}: last applied sync`, entry.changes),
        }
      : null,
    held: hold
      ? {
          jobId: hold.jobId,
          reason: hold.reason,
          heldAt: hold.heldAt,
          changeCount: hold.changes.length,
          markdown: changelogMarkdown(`${sourceId}: held sync (${hold.reason})`, hold.changes),
        }
      : null,
  };
}
