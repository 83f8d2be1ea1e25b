import { escapePointer } from './pointer.js';

/** One RFC 6902 operation as {@link jsonPatch} writes it. */
export type PatchOperation =
  { op: 'add'; path: string; value: unknown } | { op: 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/**
 * An RFC 6902 patch that turns `from` into `to` (plain JSON values), to be
 * applied in order. Subtrees that are the same object on both sides are
 * skipped without being entered: the merge shares what it did not change,
 * so the patch between a local copy and its merged successor costs time in
 * proportion to what changed, not to the document's size.
 *
 * Objects are compared key by key (an `undefined` member counts as absent);
 * arrays index by index, then the tail is removed from the end or appended;
 * anything else that differs is replaced. Values in the operations are the
 * subtrees of `to` themselves, not copies.
 */
export function jsonPatch(from: unknown, to: unknown): PatchOperation[] {
  const ops: PatchOperation[] = [];
  member(from, to, '', ops);
  return ops;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** NaN is not `===` to itself: JSON has none, but a document built in code may. */
function bothNaN(a: unknown, b: unknown): boolean {
  return Number.isNaN(a) && Number.isNaN(b);
}

/** Adds the operations for two different containers of the same kind and returns true; false when `from` and `to` are not that. */
function generate(from: unknown, to: unknown, path: string, ops: PatchOperation[]): boolean {
  if (!isObject(from) || !isObject(to) || Array.isArray(from) !== Array.isArray(to)) return false;
  if (Array.isArray(from)) {
    const target = to as unknown as unknown[];
    const common = Math.min(from.length, target.length);
    for (let i = 0; i < common; i++) member(from[i], target[i], `${path}/${i}`, ops);
    for (let i = from.length - 1; i >= target.length; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    for (let i = from.length; i < target.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: target[i] ?? null });
    return true;
  }
  const target = to as Record<string, unknown>;
  for (const key in from) {
    if (!Object.hasOwn(from, key) || from[key] === undefined) continue;
    if (!Object.hasOwn(target, key) || target[key] === undefined) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` });
  }
  for (const key in target) {
    if (!Object.hasOwn(target, key)) continue;
    const next = target[key];
    if (next === undefined) continue;
    const at = `${path}/${escapePointer(key)}`;
    if (!Object.hasOwn(from, key) || from[key] === undefined) ops.push({ op: 'add', path: at, value: next });
    else member(from[key], next, at, ops);
  }
  return true;
}

function member(a: unknown, b: unknown, path: string, ops: PatchOperation[]): void {
  if (a === b) return;
  if (!generate(a, b, path, ops) && !bothNaN(a, b)) ops.push({ op: 'replace', path, value: b === undefined ? null : b });
}
