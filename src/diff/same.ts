/**
 * Unchanged values: which parts of the base and the remote document the
 * differ may skip because comparing them could only report nothing. Two
 * checks, both following `$ref`s on both sides:
 *
 * - {@link Unchanged.value}: equal as written (key order aside), refs
 *   leading to values equal as written, and so on;
 * - {@link Unchanged.schema}: the schema keywords `SchemaDiffer` reads are
 *   equal (descriptions, examples and other documentation aside), so
 *   `SchemaDiffer.diff` would report nothing. Inline `oneOf`/`anyOf`/`allOf`
 *   entries are compared as written, because the differ pairs them by
 *   their whole content.
 *
 * A check may say "changed" where the differ would find nothing (it is
 * cheaper than the comparison it saves, not wiser); it never says
 * "unchanged" where the differ would find something. It also says "changed"
 * for lists the differ cannot pair with themselves (see {@link selfPaired}),
 * values that are not plain data, nesting deeper than {@link MAX_DEPTH},
 * and everything once {@link BUDGET} values have been compared.
 *
 * Each `$ref` string is a node of a graph, once per check kind: its targets
 * (one hop) compared once, the refs met there being its edges. A value is
 * unchanged when it compares equal and no node reachable from its refs
 * compares unequal; a depth-first search settles that (ref cycles
 * included) and remembers the outcome per node.
 *
 * @module
 */
import { isObj, type Obj, type RefResolver } from './resolve.js';

/** One `$ref` string under one check kind. */
interface RefNode {
  ref: string;
  /** Schema keywords only (`true`) or everything as written (`false`). */
  loose: boolean;
  /** Whether the two targets compare equal; `undefined` until compared. */
  equal?: boolean;
  /** The nodes of the refs met in the targets (dropped once `unchanged` is known). */
  edges: RefNode[];
  /** Known outcome over everything reachable. */
  unchanged?: boolean;
}

/** How a schema keyword the differ reads is compared. */
const enum Read {
  /** As written. */
  Value,
  /** A map of schemas. */
  Properties,
  /** A schema. */
  Items,
  /** A `oneOf`/`anyOf`/`allOf` list. */
  Composition,
}

/** Every schema keyword `SchemaDiffer` reads (of a schema, or of a property schema for its flags). */
const READ: ReadonlyMap<string, Read> = new Map([
  ...[
    'type',
    'format',
    'nullable',
    'enum',
    'default',
    'pattern',
    'maximum',
    'minimum',
    'maxLength',
    'minLength',
    'maxItems',
    'minItems',
    'deprecated',
    'readOnly',
    'writeOnly',
    'required',
    'title',
  ].map((key): [string, Read] => [key, Read.Value]),
  ['properties', Read.Properties],
  ['items', Read.Items],
  ['oneOf', Read.Composition],
  ['anyOf', Read.Composition],
  ['allOf', Read.Composition],
]);

const NO_EDGES: RefNode[] = [];

const COMPOSITION_KEYS: ReadonlySet<string> = new Set(['oneOf', 'anyOf', 'allOf']);

/** Nesting depth beyond which values count as changed. */
const MAX_DEPTH = 256;

/**
 * Objects compared per `diffSpecs` call before every value counts as
 * changed: a bound for inputs that share subtrees heavily or hold object
 * cycles (GitHub's 11 MB description needs about 14,000).
 */
const BUDGET = 10_000_000;

/** Decides which values are unchanged. One instance per `diffSpecs` call. */
export class Unchanged {
  readonly #base: RefResolver;
  readonly #remote: RefResolver;
  readonly #strictNodes = new Map<string, RefNode>();
  readonly #looseNodes = new Map<string, RefNode>();
  /** {@link schema} results: the remote value each base object was last found unchanged, or changed, against. */
  readonly #sameAs = new Map<object, unknown>();
  readonly #changedFrom = new Map<object, unknown>();
  /** The refs met by one top-level comparison (never two at once). */
  readonly #scratch: RefNode[] = [];
  #budget = BUDGET;

  constructor(base: RefResolver, remote: RefResolver) {
    this.#base = base;
    this.#remote = remote;
  }

  /** True when the two values are equal as written, refs followed on both sides. */
  value(base: unknown, remote: unknown): boolean {
    const edges: RefNode[] = [];
    return this.#equal(base, remote, edges, 0) && this.#allClean(edges);
  }

  /** True when `SchemaDiffer.diff(base, remote)` would report nothing (either may be a `$ref`); remembered per pair. */
  schema(base: unknown, remote: unknown): boolean {
    if (typeof base !== 'object' || base === null) return this.schemaOnce(base, remote);
    if (this.#sameAs.has(base) && this.#sameAs.get(base) === remote) return true;
    if (this.#changedFrom.has(base) && this.#changedFrom.get(base) === remote) return false;
    const same = this.schemaOnce(base, remote);
    (same ? this.#sameAs : this.#changedFrom).set(base, remote);
    return same;
  }

  /** {@link schema}, not remembered: for pairs the caller meets once. */
  schemaOnce(base: unknown, remote: unknown): boolean {
    if (isObj(base) && typeof base.$ref === 'string') {
      // The common case, without collecting: the same ref on both sides.
      return isObj(remote) && remote.$ref === base.$ref && this.#clean(this.#node(base.$ref, true));
    }
    const edges = this.#scratch;
    edges.length = 0;
    return this.#schemaEqual(base, remote, edges, 0) && this.#allClean(edges);
  }

  /** True when the two `oneOf`/`anyOf`/`allOf` lists are unchanged, so comparing them would report nothing. */
  compositionOnce(base: readonly unknown[], remote: readonly unknown[]): boolean {
    const edges = this.#scratch;
    edges.length = 0;
    return this.#compositionEqual(base, remote, edges, 0) && this.#allClean(edges);
  }

  #allClean(edges: readonly RefNode[]): boolean {
    for (const node of edges) if (!this.#clean(node)) return false;
    return true;
  }

  #node(ref: string, loose: boolean): RefNode {
    const nodes = loose ? this.#looseNodes : this.#strictNodes;
    let node = nodes.get(ref);
    if (node === undefined) {
      node = { ref, loose, edges: [] };
      nodes.set(ref, node);
    }
    return node;
  }

  /** Compare a node's own targets once. */
  #evaluate(node: RefNode): boolean {
    if (node.equal === undefined) {
      const b = this.#base.target(node.ref);
      const r = this.#remote.target(node.ref);
      node.equal = node.loose ? this.#schemaEqual(b, r, node.edges, 0) : this.#equal(b, r, node.edges, 0);
    }
    return node.equal;
  }

  /**
   * Whether every node reachable from `root` compares equal. A depth-first
   * search: when it meets an unequal node, every node on the current path
   * reaches it and is changed; when it meets none, every node it saw is
   * unchanged.
   */
  #clean(root: RefNode): boolean {
    if (root.unchanged !== undefined) return root.unchanged;
    if (!this.#evaluate(root)) {
      root.edges = NO_EDGES;
      return (root.unchanged = false);
    }
    const seen = new Set<RefNode>([root]);
    const path: RefNode[] = [root];
    const next: number[] = [0];
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] as RefNode;
      const i = next[top] as number;
      if (i === node.edges.length) {
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const child = node.edges[i] as RefNode;
      if (child.unchanged === true || seen.has(child)) continue;
      if (child.unchanged === false || !this.#evaluate(child)) {
        child.unchanged = false;
        child.edges = NO_EDGES;
        for (const n of path) {
          n.unchanged = false;
          n.edges = NO_EDGES;
        }
        return false;
      }
      seen.add(child);
      path.push(child);
      next.push(0);
    }
    for (const n of seen) {
      n.unchanged = true;
      n.edges = NO_EDGES; // no longer needed
    }
    return true;
  }

  /** Deep equality as written; collects the nodes of the refs met. */
  #equal(b: unknown, r: unknown, edges: RefNode[], depth: number): boolean {
    if (b === r) return typeof b !== 'object' || b === null || this.#collect(b, edges, depth);
    if (typeof b !== 'object' || b === null || typeof r !== 'object' || r === null) return false;
    if (depth > MAX_DEPTH || --this.#budget < 0) return false;
    if (Array.isArray(b)) {
      if (!Array.isArray(r) || b.length !== r.length) return false;
      for (let i = 0; i < b.length; i++) if (!this.#equal(b[i], r[i], edges, depth + 1)) return false;
      return true;
    }
    if (Array.isArray(r) || !plain(b) || !plain(r)) return false;
    const bo = b as Obj;
    const ro = r as Obj;
    let count = 0;
    for (const key in bo) {
      if (!Object.hasOwn(bo, key)) continue;
      count++;
      if (!Object.hasOwn(ro, key)) return false;
      const value = bo[key];
      if (key === '$ref' && typeof value === 'string') {
        if (value !== ro[key]) return false;
        edges.push(this.#node(value, false));
      } else if (COMPOSITION_KEYS.has(key) && Array.isArray(value) && !selfPaired(value)) return false;
      else if (!this.#equal(value, ro[key], edges, depth + 1)) return false;
    }
    for (const key in ro) if (Object.hasOwn(ro, key)) count--;
    return count === 0;
  }

  /** The refs inside a value that is the same object on both sides; false where {@link #equal} would be. */
  #collect(value: object, edges: RefNode[], depth: number): boolean {
    if (depth > MAX_DEPTH || --this.#budget < 0) return false;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null && !this.#collect(item, edges, depth + 1)) return false;
      return true;
    }
    if (!plain(value)) return false;
    const o = value as Obj;
    for (const key in o) {
      if (!Object.hasOwn(o, key)) continue;
      const item = o[key];
      if (key === '$ref' && typeof item === 'string') edges.push(this.#node(item, false));
      else if (typeof item === 'object' && item !== null) {
        if (COMPOSITION_KEYS.has(key) && Array.isArray(item) && !selfPaired(item)) return false;
        if (!this.#collect(item, edges, depth + 1)) return false;
      }
    }
    return true;
  }

  /** Equality of what `SchemaDiffer` reads of two schemas; collects the nodes of the refs met. */
  #schemaEqual(b: unknown, r: unknown, edges: RefNode[], depth: number): boolean {
    // One object on both sides (a shared subtree): only its refs can differ, followed as written (stricter, so sound).
    if (!isObj(b) || !isObj(r) || b === r) return this.#equal(b, r, edges, depth);
    const ref = b.$ref;
    if (typeof ref === 'string') {
      // The resolver follows a string `$ref` and ignores its siblings.
      if (r.$ref !== ref) return false;
      edges.push(this.#node(ref, true));
      return true;
    }
    if (typeof r.$ref === 'string' || depth > MAX_DEPTH || --this.#budget < 0 || !plain(b) || !plain(r)) return false;
    // Walk the keys present (a schema has a few of the keywords), then make sure the remote has no other read keyword.
    for (const key in b) {
      if (!Object.hasOwn(b, key)) continue;
      const kind = READ.get(key);
      if (kind === undefined) continue;
      const bv = b[key];
      const rv = r[key];
      if (kind === Read.Value) {
        if (!this.#equal(bv, rv, edges, depth + 1)) return false;
      } else if (kind === Read.Properties) {
        if (!this.#propertiesEqual(bv, rv, edges, depth + 1)) return false;
      } else if (kind === Read.Items) {
        if (!this.#schemaEqual(bv, rv, edges, depth + 1)) return false;
      } else if (!this.#compositionEqual(bv, rv, edges, depth + 1)) return false;
    }
    for (const key in r) if (Object.hasOwn(r, key) && READ.has(key) && !Object.hasOwn(b, key)) return false;
    return true;
  }

  #propertiesEqual(b: unknown, r: unknown, edges: RefNode[], depth: number): boolean {
    if (!isObj(b) || !isObj(r)) return this.#equal(b, r, edges, depth);
    let count = 0;
    for (const name in b) {
      if (!Object.hasOwn(b, name)) continue;
      count++;
      if (!Object.hasOwn(r, name) || !this.#schemaEqual(b[name], r[name], edges, depth + 1)) return false;
    }
    for (const name in r) if (Object.hasOwn(r, name)) count--;
    return count === 0;
  }

  /** A `oneOf`/`anyOf`/`allOf` list: `$ref` entries as schemas, inline entries as written (the differ pairs them by content). */
  #compositionEqual(b: unknown, r: unknown, edges: RefNode[], depth: number): boolean {
    if (!Array.isArray(b) || !Array.isArray(r)) return this.#equal(b, r, edges, depth);
    if (b.length !== r.length || !selfPaired(b)) return false;
    for (let i = 0; i < b.length; i++) {
      const s = b[i] as Obj;
      const t: unknown = r[i];
      if (typeof s.$ref === 'string') {
        if (!isObj(t) || t.$ref !== s.$ref) return false;
        edges.push(this.#node(s.$ref, true));
      } else if (!this.#equal(s, t, edges, depth + 1)) return false;
    }
    return true;
  }
}

/**
 * Whether the differ pairs each entry of this `oneOf`/`anyOf`/`allOf` list
 * with itself when the list is compared with an equal copy: every entry an
 * object, no `$ref` repeated, none that is not a string. Otherwise an
 * unchanged list can still yield "added" and "removed" subschemas.
 */
function selfPaired(list: readonly unknown[]): boolean {
  let refs: Set<string> | undefined;
  for (const entry of list) {
    if (!isObj(entry)) return false;
    const ref = entry.$ref;
    if (ref === undefined) continue;
    if (typeof ref !== 'string') return false;
    refs ??= new Set();
    if (refs.has(ref)) return false;
    refs.add(ref);
  }
  return true;
}

/** A plain object (not a class instance such as a `Date`, whose JSON form its keys do not show). */
function plain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
