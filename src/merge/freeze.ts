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

/** Whether `value` is the root of a tree {@link deepFreeze} froze (so it can be shared as it is). */
export function isFrozenTree(value: unknown): boolean {
  return value !== null && typeof value === 'object' && frozenTrees.has(value);
}
