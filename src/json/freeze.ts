/** Roots of trees frozen all the way down by {@link deepFreeze}. */
const frozenTrees = new WeakSet<object>();

/**
 * Freeze a plain JSON tree and everything in it, without recursion, and
 * return it. Internal: the engine freezes each loaded document once, so the
 * store, the targets' render caches and the next sync can share it instead
 * of copying it.
 */
export function deepFreeze<T>(root: T): T {
  if (root === null || typeof root !== 'object' || frozenTrees.has(root)) return root;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    Object.freeze(node);
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object' && !frozenTrees.has(child)) stack.push(child);
    }
  }
  frozenTrees.add(root);
  return root;
}

/**
 * Record `node`, a part of a tree {@link deepFreeze} froze (so frozen all
 * the way down), as a frozen tree of its own, and return it: walks that
 * skip frozen trees then skip it too.
 */
export function adoptFrozen<T extends object>(node: T): T {
  frozenTrees.add(node);
  return node;
}

/** Whether `value` is the root of a tree {@link deepFreeze} froze (so it can be shared as it is). */
export function isFrozenTree(value: unknown): boolean {
  // A WeakSet holds no primitive: `has` is false for them and for null.
  return frozenTrees.has(value as object);
}

/** How deep {@link shareUnchanged} compares before it stops sharing (deeper parts are kept as they are). */
const SHARE_MAX_DEPTH = 512;

/**
 * Make `next` share every subtree it has in common with `base`: each value
 * of `next` that equals the value at the same place in `base` (same keys in
 * the same order, same items, same primitives) is replaced by `base`'s
 * object. Returns `base` itself when the two are equal throughout, else
 * `next`, changed in place.
 *
 * Only a tree {@link deepFreeze} froze is shared from (anything else is
 * returned as `next`, untouched), so what `next` takes is frozen and stays
 * so; `next` must be a private, unfrozen JSON tree (what the loader
 * returns). Afterwards a walk over both, such as a patch between them, a
 * structural comparison or freezing `next`, skips what they share, and the
 * two cost the memory of one plus what changed.
 */
export function shareUnchanged<T>(base: unknown, next: T): T {
  if (!isFrozenTree(base) || next === null || typeof next !== 'object') return next;
  // The root, when equal throughout, is `base`: already a frozen tree.
  return adopt(base as object, next as object, 0) as T;
}

/** `base` when `next` equals it, else `next` with its equal children replaced by `base`'s. */
function adopt(base: object, next: object, depth: number): object {
  if (base === next) return base;
  const isArray = Array.isArray(next);
  if (isArray !== Array.isArray(base) || depth > SHARE_MAX_DEPTH || Object.isFrozen(next)) return next;
  const from = base as Record<string, unknown>;
  const into = next as Record<string, unknown>;
  let same: boolean;
  if (isArray) {
    const length = (next as unknown[]).length;
    same = length === (base as unknown[]).length;
    for (let i = 0; i < length; i++) {
      if (!take(from, into, i, depth)) same = false;
    }
  } else {
    const keys = Object.keys(next);
    const baseKeys = Object.keys(base);
    same = keys.length === baseKeys.length;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (same && baseKeys[i] !== key) same = false;
      // `__proto__` as an own key cannot be assigned back with `=`; such a member is simply not shared.
      if (key === '__proto__' || !Object.hasOwn(base, key)) {
        same = false;
        continue;
      }
      if (!take(from, into, key, depth)) same = false;
    }
  }
  if (same) return base;
  // Only the topmost shared objects need recording as frozen trees: the first parent that differs does it.
  for (const key in into) {
    const child = into[key];
    if (child !== null && typeof child === 'object' && child === from[key]) adoptFrozen(child);
  }
  return next;
}

/** Share `into[key]` with `from[key]` where they are equal; whether they are (now) the same value. */
function take(
  from: Record<string | number, unknown>,
  into: Record<string | number, unknown>,
  key: string | number,
  depth: number,
): boolean {
  const value = into[key];
  const old = from[key];
  if (value === null || typeof value !== 'object') return value === old && (value !== undefined || key in from);
  if (old === null || typeof old !== 'object') return false;
  const shared = adopt(old, value, depth + 1);
  if (shared !== value) into[key] = shared;
  return shared === old;
}
