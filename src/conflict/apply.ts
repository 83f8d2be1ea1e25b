/**
 * Apply a resolver's decisions to a merged document.
 *
 * @module
 */
import type { ConflictDecision } from './index.js';
import { ConflictError } from '../errors.js';
import { formatPointer, parsePointer } from '../json/index.js';
import type { MergeConflict } from '../merge/index.js';

const ABSENT: unique symbol = Symbol('absent');

interface Edit {
  readonly segments: readonly string[];
  /** Whether the place holds a value in `merged` now (it holds the local side). */
  readonly present: boolean;
  readonly value: unknown;
  readonly order: number;
}

const INDEX = /^(0|[1-9]\d*)$/;

/**
 * Apply decisions to the `merged` document that {@link merge3} returned with
 * `conflicts`, and return the decided document; inputs are not mutated and
 * untouched subtrees are shared.
 *
 * - `take: 'local'` keeps what `merged` holds (the local side);
 * - `take: 'remote'` puts the conflict's remote value there, or removes the
 *   key or array element when remote has none;
 * - `take: 'value'` puts `value` there (`undefined` removes it).
 *
 * Decisions name conflicts by `path`. When two conflicts share a path (an
 * element deleted locally sits where the next element now is), decisions for
 * that path apply to them in order.
 *
 * @example
 * ```ts
 * const { merged, conflicts } = merge3(base, local, remote);
 * const decided = applyDecisions(merged, conflicts, conflicts.map((c) => ({ path: c.path, take: 'remote', reason: 'upstream wins' })));
 * ```
 *
 * @throws ConflictError `CONFLICT_DECISION_INVALID` for a decision whose path is
 * not one of the conflicts (or one decided twice), or whose `take` is unknown.
 */
export function applyDecisions<T>(merged: T, conflicts: readonly MergeConflict[], decisions: readonly ConflictDecision[]): T {
  const byPath = new Map<string, number[]>();
  conflicts.forEach((conflict, index) => {
    const list = byPath.get(conflict.path);
    if (list) list.push(index);
    else byPath.set(conflict.path, [index]);
  });
  const used = new Map<string, number>();
  const edits: Edit[] = [];
  for (const decision of decisions) {
    const path = (decision as { path?: unknown } | null)?.path;
    const take = (decision as { take?: unknown } | null)?.take;
    if (typeof path !== 'string' || (take !== 'local' && take !== 'remote' && take !== 'value')) {
      throw invalid(
        `Expected a decision { path, take: 'local' | 'remote' | 'value' }, got ${safeJson(decision)}`,
        "Return one decision per conflict, with the conflict's path and what to take.",
        { decision: safeJson(decision) },
      );
    }
    const candidates = byPath.get(path);
    const seen = used.get(path) ?? 0;
    const index = candidates?.[seen];
    if (index === undefined) {
      throw invalid(
        candidates
          ? `The conflict at ${JSON.stringify(path)} was decided more than once (${candidates.length} conflict(s) there)`
          : `A decision names ${JSON.stringify(path)}, which is not one of the ${conflicts.length} conflict path(s)`,
        'Decide only the conflicts merge3 reported, once each, by their exact path.',
        { path },
      );
    }
    used.set(path, seen + 1);
    if (take === 'local') continue;
    const conflict = conflicts[index] as MergeConflict;
    const value = take === 'remote' ? conflict.remote : (decision as { value?: unknown }).value;
    edits.push({
      segments: parsePointer(path),
      present: conflict.local !== undefined,
      value: value === undefined ? ABSENT : value,
      order: index,
    });
  }
  // Later places first, so inserting or removing an element never shifts a place still to edit.
  edits.sort(compareEdits);
  const owned = new WeakSet<object>();
  let root: unknown = merged;
  for (const edit of edits) root = applyEdit(root, edit, owned);
  return root as T;
}

function compareEdits(a: Edit, b: Edit): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i] as string;
    const y = b.segments[i] as string;
    if (x === y) continue;
    // Stryker disable next-line LogicalOperator: under an array both are indices; under an object, edits at different keys are independent, in any order
    if (INDEX.test(x) && INDEX.test(y)) return Number(y) - Number(x);
    // Stryker disable next-line EqualityOperator: x !== y here, and edits at different keys of an object are independent, in any order
    return x < y ? 1 : -1;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  // Same place: replace or remove what is there first, then insert, last decided first.
  if (a.present !== b.present) return a.present ? -1 : 1;
  return b.order - a.order;
}

function applyEdit(root: unknown, edit: Edit, owned: WeakSet<object>): unknown {
  const { segments } = edit;
  if (segments.length === 0) return edit.value === ABSENT ? undefined : edit.value;
  const top = own(root, edit, 0, owned);
  let parent = top;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i] as string;
    const child = own(read(parent, key, edit, i), edit, i + 1, owned);
    write(parent, key, child);
    parent = child;
  }
  const last = segments[segments.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = INDEX.test(last) ? Number(last) : -1;
    const limit = edit.present ? parent.length - 1 : parent.length;
    if (index < 0 || index > limit) throw missing(edit, segments.length);
    if (!edit.present) {
      if (edit.value !== ABSENT) parent.splice(index, 0, edit.value);
    } else if (edit.value === ABSENT) {
      parent.splice(index, 1);
    } else {
      parent[index] = edit.value;
    }
  } else {
    const record = parent as Record<string, unknown>;
    if (edit.value === ABSENT) delete record[last];
    else write(record, last, edit.value);
  }
  return top;
}

/** A private, mutable copy of a container on the edit's path (copied once per call). */
function own(value: unknown, edit: Edit, depth: number, owned: WeakSet<object>): Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) throw missing(edit, depth);
  if (owned.has(value)) return value as Record<string, unknown> | unknown[];
  const copy = Array.isArray(value) ? value.slice() : { ...(value as Record<string, unknown>) };
  owned.add(copy);
  return copy;
}

/**
 * The member at `key`, own members only: an array's are its indices (no `01`,
 * nothing past the end) and `length`, a number {@link own} refuses.
 */
function read(parent: Record<string, unknown> | unknown[], key: string, edit: Edit, depth: number): unknown {
  if (!Object.hasOwn(parent, key)) throw missing(edit, depth + 1);
  return (parent as Record<string, unknown>)[key];
}

/** Set an own member, even one named `__proto__` (which `=` would take as the prototype); an index of an array alike. */
function write(parent: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function missing(edit: Edit, depth: number): ConflictError {
  const path = formatPointer(edit.segments.slice(0, depth));
  return invalid(
    `The merged document has no place for the decision at ${JSON.stringify(path)}`,
    'Pass the merged document and the conflicts from the same merge3 call.',
    { path },
  );
}

function invalid(message: string, hint: string, details: Record<string, unknown>): ConflictError {
  return new ConflictError('CONFLICT_DECISION_INVALID', message, { hint, details });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
