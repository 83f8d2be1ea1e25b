/**
 * Freeze a plain JSON tree and everything in it, without recursion, and
 * return it. Nodes already frozen are not entered again (their children are
 * taken to be frozen too: only use this on trees frozen by this function).
 * Internal: stores and caches use it to share values instead of copying them.
 */
export function deepFreeze<T>(root: T): T {
  if (root === null || typeof root !== 'object' || Object.isFrozen(root)) return root;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    Object.freeze(node);
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) stack.push(child);
    }
  }
  return root;
}
