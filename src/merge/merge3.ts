/**
 * The three-way merge of JSON documents: base (the common ancestor), local
 * (the user's copy) and remote (what the API produces now).
 *
 * @module
 */
import { ConfigError, ConflictError, isSyncError } from '../errors.js';
import { jsonEqual, isRecord } from '../json/index.js';
import { formatPointer } from '../json/index.js';
import { compileRules, findRule, openApiIdentityRules, type CompiledRule } from './rules.js';
import type { ConflictKind, MergeConflict, MergeOptions, MergeResult } from './types.js';

/** Marks a value missing on one side (a key or element that is not there). */
const ABSENT: unique symbol = Symbol('absent');
type Slot = unknown;

interface Context {
  readonly rules: readonly CompiledRule[];
  /** Unescaped segments of the place being merged, in the merged document. */
  readonly path: string[];
  readonly conflicts: MergeConflict[];
}

/**
 * Merge `local` and `remote`, two edits of `base`:
 *
 * - where only one side changed, that side wins; where both made the same
 *   change, it is taken once;
 * - where they differ, a {@link MergeConflict} is recorded and `merged`
 *   keeps the local value (or the local absence) at that place;
 * - objects merge key by key, their key order following remote, then keys
 *   only local has;
 * - arrays matched by an identity rule merge element by element, matched by
 *   identity; other arrays are whole values.
 *
 * Pass `undefined` as `base` when there is no common ancestor yet (every key
 * both sides hold then counts as added by both). Inputs are never mutated;
 * unchanged subtrees of the result are the inputs' own objects, not copies.
 *
 * @example
 * ```ts
 * const { merged, conflicts } = merge3(base, local, remote);
 * if (conflicts.length === 0) await target.write(merged);
 * ```
 *
 * @throws ConfigError `CONFIG_INVALID` for invalid options or rules.
 * @throws ConflictError `MERGE_FAILED` when a rule's key function throws or the documents are too deep.
 */
export function merge3<T = unknown>(base: unknown, local: T, remote: unknown, options: MergeOptions = {}): MergeResult<T> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(`Expected merge options to be an object, got ${options === null ? 'null' : typeof options}`, {
      hint: 'Call merge3(base, local, remote) or merge3(base, local, remote, { rules }).',
    });
  }
  const context: Context = { rules: compileRules(options.rules ?? openApiIdentityRules), path: [], conflicts: [] };
  let merged: Slot;
  try {
    merged = mergeNode(slot(base), slot(local), slot(remote), context);
  } catch (error) {
    if (isSyncError(error)) throw error;
    const at = formatPointer(context.path);
    throw new ConflictError(
      'MERGE_FAILED',
      `The merge failed at ${JSON.stringify(at)}: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint:
          error instanceof RangeError
            ? 'The documents nest too deeply to merge; load them through loadSpec, which limits depth.'
            : 'Check the identity rule for this place: its key function must return a string or undefined and not throw.',
        cause: error,
        details: { path: at },
      },
    );
  }
  return { merged: (merged === ABSENT ? undefined : merged) as T, conflicts: context.conflicts };
}

function slot(value: unknown): Slot {
  return value === undefined ? ABSENT : value;
}

function mergeNode(base: Slot, local: Slot, remote: Slot, context: Context): Slot {
  if (local === remote) return local;
  if (base === local) return remote;
  if (base === remote) return local;
  if (isRecord(local) && isRecord(remote)) {
    if (base === ABSENT) return mergeObject(undefined, local, remote, context);
    if (isRecord(base)) return mergeObject(base, local, remote, context);
  } else if (Array.isArray(local) && Array.isArray(remote) && (base === ABSENT || Array.isArray(base))) {
    const rule = findRule(context.rules, context.path);
    if (rule) {
      const merged = mergeIdentityArray(base === ABSENT ? [] : (base as unknown[]), local, remote, rule, context);
      if (merged !== undefined) return merged;
    }
  }
  return mergeWhole(base, local, remote, context);
}

/** Merge two values that cannot be merged piece by piece. */
function mergeWhole(base: Slot, local: Slot, remote: Slot, context: Context): Slot {
  // Equal sides give remote's copy: after a sync most of the document is remote's, shared.
  if (jsonEqual(local, remote)) return remote;
  if (jsonEqual(base, local)) return remote;
  if (jsonEqual(base, remote)) return local;
  record(base, local, remote, context);
  return local;
}

function record(base: Slot, local: Slot, remote: Slot, context: Context): void {
  const kind: ConflictKind =
    base === ABSENT ? 'both-added' : local === ABSENT ? 'deleted-vs-changed' : remote === ABSENT ? 'changed-vs-deleted' : 'both-changed';
  context.conflicts.push({
    path: formatPointer(context.path),
    kind,
    base: base === ABSENT ? undefined : base,
    local: local === ABSENT ? undefined : local,
    remote: remote === ABSENT ? undefined : remote,
  });
}

function mergeObject(
  base: Record<string, unknown> | undefined,
  local: Record<string, unknown>,
  remote: Record<string, unknown>,
  context: Context,
): Slot {
  const path = context.path;
  const remoteKeys = Object.keys(remote);
  // Built only once the result departs from remote: most objects end up being remote's own.
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < remoteKeys.length; i++) {
    const key = remoteKeys[i] as string;
    const value = remote[key];
    path.push(key);
    const merged = mergeNode(base === undefined ? ABSENT : member(base, key), member(local, key), value, context);
    path.pop();
    if (out === undefined) {
      if (merged === value) continue;
      out = prefix(remote, remoteKeys, i);
    }
    if (merged !== ABSENT) put(out, key, merged);
  }
  for (const key of Object.keys(local)) {
    if (Object.hasOwn(remote, key)) continue;
    path.push(key);
    const merged = mergeNode(base === undefined ? ABSENT : member(base, key), local[key], ABSENT, context);
    path.pop();
    if (merged === ABSENT) continue;
    out ??= prefix(remote, remoteKeys, remoteKeys.length);
    put(out, key, merged);
  }
  if (out === undefined) return remote;
  return sameObject(out, local) ? local : out;
}

/**
 * The own value at `key`, or {@link ABSENT}. One property read in the common
 * case: only a read that gives `undefined` or a function (which a JSON value
 * never is, but an inherited `toString` or `constructor` is) and the key
 * `__proto__` need the own-property check.
 */
function member(object: Record<string, unknown>, key: string): Slot {
  const value = object[key];
  if (value === undefined || typeof value === 'function' || key === '__proto__') return Object.hasOwn(object, key) ? value : ABSENT;
  return value;
}

/** A new object with the first `count` keys of `source`. */
function prefix(source: Record<string, unknown>, keys: readonly string[], count: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let j = 0; j < count; j++) {
    const key = keys[j] as string;
    put(copy, key, source[key]);
  }
  return copy;
}

/** Set an own property, even one named `__proto__`. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Same keys in the same order with the same (`===`) values. */
function sameObject(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i] as string;
    if (key !== keysB[i] || a[key] !== b[key]) return false;
  }
  return true;
}

interface Indexed {
  readonly keys: string[];
  readonly at: Map<string, number>;
}

/** Every element's identity, or `undefined` when one has none or two share one. */
function indexArray(items: readonly unknown[], rule: CompiledRule): Indexed | undefined {
  // Stryker disable next-line ArrayDeclaration: the length only sizes the array in advance
  const keys: string[] = new Array<string>(items.length);
  const at = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = rule.identify(items[i]);
    if (typeof key !== 'string' || at.has(key)) return undefined;
    keys[i] = key;
    at.set(key, i);
  }
  return { keys, at };
}

/**
 * Merge arrays element by element, matched by identity. Returns `undefined`
 * when an element has no identity or two share one: the caller then merges
 * the arrays as whole values.
 */
function mergeIdentityArray(
  base: readonly unknown[],
  local: readonly unknown[],
  remote: readonly unknown[],
  rule: CompiledRule,
  context: Context,
): unknown[] | undefined {
  // Whole-array shortcuts keep the laws exact, local order included.
  if (jsonEqual(local, remote)) return remote as unknown[];
  if (jsonEqual(base, remote)) return local as unknown[];
  if (jsonEqual(base, local)) return remote as unknown[];
  const b = indexArray(base, rule);
  const l = b && indexArray(local, rule);
  const r = l && indexArray(remote, rule);
  if (!b || !l || !r) return undefined;

  // Remote order; an element only local has goes after the element it follows locally.
  // Stryker disable next-line ArrayDeclaration: visiting an identity no side holds adds nothing
  const head: string[] = [];
  const followers = new Map<string, string[]>();
  let anchor: string | undefined;
  for (const key of l.keys) {
    if (r.at.has(key)) {
      anchor = key;
    } else if (anchor === undefined) {
      head.push(key);
    } else {
      const list = followers.get(anchor);
      if (list) list.push(key);
      else followers.set(anchor, [key]);
    }
  }

  const out: unknown[] = [];
  const path = context.path;
  const visit = (key: string): void => {
    const bi = b.at.get(key);
    const li = l.at.get(key);
    const ri = r.at.get(key);
    path.push(String(out.length));
    const merged = mergeNode(
      bi === undefined ? ABSENT : base[bi],
      li === undefined ? ABSENT : local[li],
      ri === undefined ? ABSENT : remote[ri],
      context,
    );
    path.pop();
    if (merged !== ABSENT) out.push(merged);
  };
  for (const key of head) visit(key);
  for (const key of r.keys) {
    visit(key);
    const list = followers.get(key);
    if (list) for (const follower of list) visit(follower);
  }
  if (sameArray(out, remote)) return remote as unknown[];
  if (sameArray(out, local)) return local as unknown[];
  return out;
}

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
