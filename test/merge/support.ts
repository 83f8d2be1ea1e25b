/**
 * Helpers for the merge tests: an identity-aware flattening of documents
 * (so changes are compared by what they are, not where they sit), conflict
 * paths translated to the same form, deterministic edits, and freezing.
 */
import { openApiIdentityRules, setMemberKey, type IdentityRule, type MergeConflict } from '../../src/merge/index.js';

import { prng } from '../support/prng.js';
import { formatPointer, matchPointerPattern } from '../../src/json/index.js';

export { prng };

type Json = unknown;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SEP = '\u0000';

/** The rule for the array at `segments` (real indices), like merge3 finds it. */
export function ruleAt(segments: readonly string[], rules: readonly IdentityRule[]): ((item: unknown) => string | undefined) | undefined {
  const pointer = formatPointer(segments);
  const rule = rules.find((r) => matchPointerPattern(r.path, pointer));
  if (!rule) return undefined;
  return rule.set ? setMemberKey : rule.key;
}

/** Identities of an array's elements when it merges by identity; `undefined` when it is a whole value. */
export function identities(items: readonly unknown[], segments: readonly string[], rules: readonly IdentityRule[]): string[] | undefined {
  const key = ruleAt(segments, rules);
  if (!key) return undefined;
  const keys = items.map((item) => key(item));
  if (keys.some((k) => typeof k !== 'string') || new Set(keys).size !== keys.length) return undefined;
  return keys as string[];
}

/**
 * Every node of a document by its identity path: array elements of identity
 * arrays are named `#<identity>`, not by index. Containers map to a marker
 * (`{}` or `[id]`); whole-value arrays and primitives to their JSON.
 */
export function flatten(doc: Json, rules: readonly IdentityRule[] = openApiIdentityRules): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: Json, real: string[], id: string): void => {
    if (Array.isArray(value)) {
      const keys = identities(value, real, rules);
      if (!keys) {
        out.set(id, `whole:${setMemberKey(value)}`);
        return;
      }
      out.set(id, '[id]');
      value.forEach((item, i) => walk(item, [...real, String(i)], `${id}${SEP}#${keys[i]}`));
    } else if (isRecord(value)) {
      out.set(id, '{}');
      for (const [k, v] of Object.entries(value)) walk(v, [...real, k], `${id}${SEP}${k}`);
    } else {
      out.set(id, JSON.stringify(value));
    }
  };
  if (doc !== undefined) walk(doc, [], '');
  return out;
}

/** A conflict's path in the identity form of {@link flatten}, found by walking the merged document. */
export function conflictId(merged: Json, conflict: MergeConflict, rules: readonly IdentityRule[] = openApiIdentityRules): string {
  const segments =
    conflict.path === ''
      ? []
      : conflict.path
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json = merged;
  let id = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (Array.isArray(node)) {
      const key = ruleAt(segments.slice(0, i), rules);
      const last = i === segments.length - 1;
      if (!key) throw new Error(`conflict ${conflict.path} goes through a whole-value array`);
      const element = last && conflict.local === undefined ? (conflict.remote ?? conflict.base) : node[Number(seg)];
      id += `${SEP}#${key(element)}`;
      node = node[Number(seg)];
    } else {
      id += `${SEP}${seg}`;
      node = isRecord(node) ? node[seg] : undefined;
    }
  }
  return id;
}

/** True when `path` is `prefix` or lies under it. */
export function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + SEP);
}

/** Identity paths where `a` and `b` differ. */
export function changes(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(k);
  for (const k of b.keys()) if (!a.has(k)) out.push(k);
  return out;
}

/**
 * Changes from `base` to `side` that `merged` lacks and no conflict covers.
 * Empty when every change of that side is in the result or under a conflict.
 */
export function droppedChanges(
  base: Json,
  side: Json,
  merged: Json,
  conflicts: readonly MergeConflict[],
  rules: readonly IdentityRule[] = openApiIdentityRules,
): string[] {
  const covered = conflicts.map((c) => conflictId(merged, c, rules));
  return dropped(flatten(base, rules), flatten(side, rules), flatten(merged, rules), covered);
}

/** {@link droppedChanges} over documents already flattened and conflicts already translated. */
export function dropped(
  base: Map<string, string>,
  side: Map<string, string>,
  merged: Map<string, string>,
  covered: readonly string[],
): string[] {
  return changes(base, side)
    .filter((p) => merged.get(p) !== side.get(p))
    .filter((p) => !covered.some((c) => under(p, c)))
    .map(readable);
}

/** An identity path as text, for failure messages. */
export function readable(id: string): string {
  return id.split(SEP).join(' / ');
}

/** Build an identity path from its segments (`#<identity>` for identity-array elements). */
export function idPath(...segments: string[]): string {
  return segments.map((s) => SEP + s).join('');
}

/** Freeze a value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const PRIMITIVES: readonly Json[] = ['v1', 'v2', 'text', 1, 2, true, false, null];

/** Every container in a document with its real path. */
function containers(doc: Json): { path: string[]; value: Record<string, unknown> | unknown[] }[] {
  const out: { path: string[]; value: Record<string, unknown> | unknown[] }[] = [];
  const walk = (value: Json, path: string[]): void => {
    if (Array.isArray(value)) {
      out.push({ path, value });
      value.forEach((v, i) => walk(v, [...path, String(i)]));
    } else if (isRecord(value)) {
      out.push({ path, value });
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(doc, []);
  return out;
}

/** Replace the container at `path` by `fn(copy)`, copying only the spine: the rest stays shared. */
function updateAt(doc: Json, path: readonly string[], fn: (copy: Record<string, unknown> | unknown[]) => void): Json {
  const copy = (v: Json): Record<string, unknown> | unknown[] => (Array.isArray(v) ? v.slice() : { ...(v as Record<string, unknown>) });
  const step = (node: Json, i: number): Json => {
    const c = copy(node);
    if (i === path.length) {
      fn(c);
      return c;
    }
    const seg = path[i] as string;
    if (Array.isArray(c)) c[Number(seg)] = step(c[Number(seg)], i + 1);
    else Object.defineProperty(c, seg, { value: step(c[seg], i + 1), enumerable: true, writable: true, configurable: true });
    return c;
  };
  return step(doc, 0);
}

/** A fresh element for an identity array, unless the pool is used up. */
function freshElement(items: readonly unknown[], segments: readonly string[], rng: () => number, rules: readonly IdentityRule[]): unknown {
  const key = ruleAt(segments, rules);
  if (!key) return undefined;
  const taken = new Set(items.map((i) => key(i)));
  const last = segments[segments.length - 1];
  for (let attempt = 0; attempt < 4; attempt++) {
    const n = Math.floor(rng() * 6);
    const candidate =
      last === 'parameters'
        ? { in: 'query', name: `n${n}`, ...(rng() < 0.5 ? { description: `d${Math.floor(rng() * 3)}` } : {}) }
        : last === 'tags' && segments.length === 1
          ? { name: `t${n}`, ...(rng() < 0.5 ? { description: `d${Math.floor(rng() * 3)}` } : {}) }
          : last === 'servers'
            ? { url: `https://s${n}.example` }
            : rules === openApiIdentityRules && last === 'security'
              ? { [`k${n}`]: [] }
              : `v${n}`;
    const k = key(candidate);
    if (k !== undefined && !taken.has(k)) return candidate;
  }
  return undefined;
}

/**
 * Apply `count` random edits to `doc`, deterministically from `seed`. Edits
 * copy only what they touch, so the rest stays shared with `doc` (`===`).
 */
export function mutate(doc: Json, seed: number, count: number, rules: readonly IdentityRule[] = openApiIdentityRules): Json {
  const rng = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  let current = doc;
  for (let e = 0; e < count; e++) {
    const all = containers(current);
    if (all.length === 0) return pick(PRIMITIVES);
    const { path, value } = pick(all);
    if (Array.isArray(value)) {
      const identity = identities(value, path, rules);
      const roll = rng();
      current = updateAt(current, path, (c) => {
        const a = c as unknown[];
        if (roll < 0.35 && a.length > 0) a.splice(Math.floor(rng() * a.length), 1);
        else if (roll < 0.55 && a.length > 1) a.reverse();
        else if (identity) {
          const fresh = freshElement(a, path, rng, rules);
          if (fresh !== undefined) a.splice(Math.floor(rng() * (a.length + 1)), 0, fresh);
        } else if (roll < 0.8 || a.length === 0) a.push(pick(PRIMITIVES));
        else a[Math.floor(rng() * a.length)] = pick(PRIMITIVES);
      });
    } else {
      const keys = Object.keys(value);
      const roll = rng();
      current = updateAt(current, path, (c) => {
        const o = c as Record<string, unknown>;
        if (roll < 0.2 && keys.length > 0) delete o[pick(keys)];
        else if (roll < 0.45 || keys.length === 0)
          o[`x-${Math.floor(rng() * 4)}`] = rng() < 0.7 ? pick(PRIMITIVES) : { note: pick(PRIMITIVES) };
        else {
          const k = pick(keys);
          // Keep identities intact most of the time: edit descriptions and other leaves.
          if (k === 'name' || k === 'in' || k === 'url') o.description = pick(PRIMITIVES);
          else {
            const next = isRecord(o[k]) || Array.isArray(o[k]) ? (rng() < 0.2 ? pick(PRIMITIVES) : o[k]) : pick(PRIMITIVES);
            Object.defineProperty(o, k, { value: next, enumerable: true, writable: true, configurable: true });
          }
        }
      });
    }
  }
  return current;
}
