/**
 * Schema comparison: the context-free list of elementary differences
 * between two JSON Schemas (OpenAPI 3.0 or 3.1 flavour), each at a property
 * path relative to the compared root. `operations.ts` turns them into rule
 * ids, which depend on whether the schema is a request or a response.
 *
 * Results are memoised per pair of resolved schema objects, so a component
 * shared by hundreds of operations is compared once; a pair met again while
 * it is still being compared (a recursive schema) contributes nothing.
 *
 * @module
 */
import { canonicalText } from './json.js';
import { isObj, type Obj, type RefResolver } from './resolve.js';
import type { Unchanged } from './same.js';

/**
 * One elementary difference. `kind` is the tail of a rule id
 * (`type-changed`, `max-increased`, `one-of-added`...), or one of the
 * property kinds `property-added`, `property-removed`, `became-required`,
 * `became-optional`, which carry `flags`.
 */
export interface SchemaChange {
  kind: string;
  /** Property path segments from the compared root (`items`, `oneOf[...]` included). */
  path: readonly string[];
  from?: unknown;
  to?: unknown;
  /** Facts about the property for the property kinds. */
  flags?: PropertyFlags;
}

/** What a property rule needs to know about the property. */
export interface PropertyFlags {
  required: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  hasDefault: boolean;
  deprecated: boolean;
}

const BOUNDS: ReadonlyArray<readonly [keyword: string, name: string]> = [
  ['maximum', 'max'],
  ['minimum', 'min'],
  ['maxLength', 'max-length'],
  ['minLength', 'min-length'],
  ['maxItems', 'max-items'],
  ['minItems', 'min-items'],
];

const COMPOSITIONS: ReadonlyArray<readonly [keyword: string, name: string]> = [
  ['oneOf', 'one-of'],
  ['anyOf', 'any-of'],
  ['allOf', 'all-of'],
];

const NONE: readonly SchemaChange[] = [];

/** Compares schemas of a base and a remote document. One instance per `diffSpecs` call. */
export class SchemaDiffer {
  readonly #base: RefResolver;
  readonly #remote: RefResolver;
  readonly #unchanged: Unchanged;
  readonly #memo = new PairMap<readonly SchemaChange[]>();
  /** A plain map, not a weak one: it lives for one call, and weak maps cost the garbage collector more. */
  readonly #json = new Map<object, string>();
  readonly #equal = new PairMap<boolean>();

  constructor(base: RefResolver, remote: RefResolver, unchanged: Unchanged) {
    this.#base = base;
    this.#remote = remote;
    this.#unchanged = unchanged;
  }

  /**
   * The differences between two schemas (either may be a `$ref`). Schemas
   * whose compared keywords are unchanged are not compared at all.
   */
  diff(base: unknown, remote: unknown): readonly SchemaChange[] {
    return this.#unchanged.schema(base, remote) ? NONE : this.#diff(base, remote);
  }

  #diff(base: unknown, remote: unknown): readonly SchemaChange[] {
    const b = this.#base.deref(base);
    const r = this.#remote.deref(remote);
    if (!isObj(b) || !isObj(r)) return NONE;
    const known = this.#memo.get(b, r);
    if (known !== undefined) return known;
    if (this.#unchanged.schemaOnce(base, remote)) return NONE; // cheap to find again: not remembered
    this.#memo.set(b, r, NONE); // in progress: a cycle back to this pair adds nothing
    const result = this.#compare(b, r);
    this.#memo.set(b, r, result);
    return result;
  }

  /** Canonical JSON of a value, cached for objects. */
  json(value: unknown): string {
    if (typeof value !== 'object' || value === null) return canonicalText(value);
    let text = this.#json.get(value);
    if (text === undefined) {
      text = canonicalText(value);
      this.#json.set(value, text);
    }
    return text;
  }

  #compare(b: Obj, r: Obj): readonly SchemaChange[] {
    const out: SchemaChange[] = [];
    if (b.type !== r.type || b.format !== r.format) {
      const bType = typeOf(b);
      const rType = typeOf(r);
      if (bType !== rType) here(out, 'type-changed', bType, rType);
    }

    const bNull = nullable(b);
    const rNull = nullable(r);
    if (!bNull && rNull) here(out, 'became-nullable');
    if (bNull && !rNull) here(out, 'became-not-nullable');

    this.#enums(b, r, out);

    if (b.default !== undefined || r.default !== undefined) {
      if (b.default === undefined) here(out, 'default-value-added', undefined, r.default);
      else if (r.default === undefined) here(out, 'default-value-removed', b.default);
      else if (b.default !== r.default && this.json(b.default) !== this.json(r.default))
        here(out, 'default-value-changed', b.default, r.default);
    }

    const bPattern = typeof b.pattern === 'string' ? b.pattern : undefined;
    const rPattern = typeof r.pattern === 'string' ? r.pattern : undefined;
    if (bPattern === undefined && rPattern !== undefined) here(out, 'pattern-added', undefined, rPattern);
    else if (bPattern !== undefined && rPattern === undefined) here(out, 'pattern-removed', bPattern);
    else if (bPattern !== undefined && rPattern !== undefined && bPattern !== rPattern) {
      here(out, rPattern === '.*' ? 'pattern-generalized' : 'pattern-changed', bPattern, rPattern);
    }

    for (const [keyword, name] of BOUNDS) {
      // minLength and minItems default to 0 (JSON Schema), so setting one is an increase.
      const zero = keyword === 'minLength' || keyword === 'minItems' ? 0 : undefined;
      const from = typeof b[keyword] === 'number' ? b[keyword] : zero;
      const to = typeof r[keyword] === 'number' ? r[keyword] : zero;
      if (from === to) continue;
      if (from === undefined) here(out, `${name}-set`, undefined, to);
      else if (to === undefined) here(out, `${name}-unset`, from);
      else here(out, to > from ? `${name}-increased` : `${name}-decreased`, from, to);
    }

    if (b.deprecated !== true && r.deprecated === true) here(out, 'deprecated');
    if (b.deprecated === true && r.deprecated !== true) here(out, 'reactivated');

    this.#properties(b, r, out);

    if (b.items !== undefined && r.items !== undefined) nest(out, 'items', this.#diff(b.items, r.items));

    for (const [keyword, name] of COMPOSITIONS) this.#composition(b, r, keyword, name, out);
    return out;
  }

  #enums(b: Obj, r: Obj, out: SchemaChange[]): void {
    const bEnum = Array.isArray(b.enum) ? b.enum : undefined;
    const rEnum = Array.isArray(r.enum) ? r.enum : undefined;
    if (rEnum === undefined) return;
    if (bEnum === undefined) {
      here(out, 'became-enum', undefined, rEnum);
      for (const value of rEnum) here(out, 'enum-value-added', undefined, value);
      return;
    }
    if (sameItems(bEnum, rEnum)) return;
    const before = new Map(bEnum.map((v) => [this.json(v), v]));
    const after = new Map(rEnum.map((v) => [this.json(v), v]));
    for (const [key, value] of after) if (!before.has(key)) here(out, 'enum-value-added', undefined, value);
    for (const [key, value] of before) if (!after.has(key)) here(out, 'enum-value-removed', value);
  }

  #properties(b: Obj, r: Obj, out: SchemaChange[]): void {
    const bProps = isObj(b.properties) ? b.properties : undefined;
    const rProps = isObj(r.properties) ? r.properties : undefined;
    if (bProps === undefined && rProps === undefined) return;
    const bReq = requiredSet(b);
    const rReq = requiredSet(r);
    const before = bProps ?? {};
    const after = rProps ?? {};
    for (const name of Object.keys(after)) {
      if (Object.hasOwn(before, name)) continue;
      out.push({ kind: 'property-added', path: [name], flags: this.#flags(this.#remote.deref(after[name]), rReq.has(name)) });
    }
    for (const name of Object.keys(before)) {
      if (Object.hasOwn(after, name)) continue;
      out.push({ kind: 'property-removed', path: [name], flags: this.#flags(this.#base.deref(before[name]), bReq.has(name)) });
    }
    for (const name of Object.keys(after)) {
      if (!Object.hasOwn(before, name)) continue;
      const wasRequired = bReq.has(name);
      const isRequired = rReq.has(name);
      if (wasRequired !== isRequired) {
        out.push({
          kind: isRequired ? 'became-required' : 'became-optional',
          path: [name],
          flags: this.#flags(this.#remote.deref(after[name]), isRequired),
        });
      }
      nest(out, name, this.#diff(before[name], after[name]));
    }
  }

  /**
   * Deep equality of two values with `$ref`s followed on both sides,
   * documentation included (as oasdiff does when it pairs subschemas).
   * A pair met again while it is being compared (a cycle) counts as equal.
   */
  #same(base: unknown, remote: unknown): boolean {
    const b = this.#base.deref(base);
    const r = this.#remote.deref(remote);
    if (typeof b !== 'object' || b === null || typeof r !== 'object' || r === null) return b === r;
    if (Array.isArray(b) !== Array.isArray(r)) return false;
    const known = this.#equal.get(b, r);
    if (known !== undefined) return known;
    this.#equal.set(b, r, true);
    let result: boolean;
    if (Array.isArray(b) && Array.isArray(r)) {
      result = b.length === r.length && b.every((x, i) => this.#same(x, r[i]));
    } else {
      const bo = b as Obj;
      const ro = r as Obj;
      const keys = Object.keys(bo);
      result = keys.length === Object.keys(ro).length && keys.every((k) => Object.hasOwn(ro, k) && this.#same(bo[k], ro[k]));
    }
    this.#equal.set(b, r, result);
    return result;
  }

  #flags(schema: unknown, required: boolean): PropertyFlags {
    const s = isObj(schema) ? schema : {};
    return {
      required,
      readOnly: s.readOnly === true,
      writeOnly: s.writeOnly === true,
      hasDefault: s.default !== undefined,
      deprecated: s.deprecated === true,
    };
  }

  /**
   * Subschemas of `oneOf`/`anyOf`/`allOf` are matched by `$ref`, then by
   * `title`, then by equal content (as written and once refs are followed),
   * then a single inline subschema left on each side is taken as the same
   * one changed; the rest are added or removed, one change per list.
   */
  #composition(b: Obj, r: Obj, keyword: string, name: string, out: SchemaChange[]): void {
    const bList = Array.isArray(b[keyword]) ? (b[keyword] as unknown[]) : [];
    const rList = Array.isArray(r[keyword]) ? (r[keyword] as unknown[]) : [];
    if ((bList.length === 0 && rList.length === 0) || this.#unchanged.compositionOnce(bList, rList)) return;
    const bLeft = new Map(bList.map((s, i) => [i, s]));
    const rLeft = new Map(rList.map((s, i) => [i, s]));
    const pairs: Array<[number, number]> = [];
    matchBy(bLeft, rLeft, pairs, refKey);
    matchBy(bLeft, rLeft, pairs, titleKey);
    // Equal as written and once refs are followed (descriptions included).
    for (const [i, s] of bLeft) {
      if (!inline(s)) continue;
      for (const [j, t] of rLeft) {
        if (!inline(t) || this.json(s) !== this.json(t) || !this.#same(s, t)) continue;
        pairs.push([i, j]);
        bLeft.delete(i);
        rLeft.delete(j);
        break;
      }
    }
    // One inline subschema left on each side: the same one, changed.
    const [lastB] = bLeft;
    const [lastR] = rLeft;
    if (bLeft.size === 1 && rLeft.size === 1 && lastB && lastR && inline(lastB[1]) && inline(lastR[1])) {
      pairs.push([lastB[0], lastR[0]]);
      bLeft.clear();
      rLeft.clear();
    }
    if (rLeft.size > 0) {
      out.push({ kind: `${name}-added`, path: [], to: [...rLeft].map(([i, s]) => subschemaName(s, i)) });
    }
    if (bLeft.size > 0) {
      out.push({ kind: `${name}-removed`, path: [], from: [...bLeft].map(([i, s]) => subschemaName(s, i)) });
    }
    for (const [i, j] of pairs) {
      const inner = this.#diff(bList[i], rList[j]);
      if (inner.length > 0) nest(out, `${keyword}[${subschemaName(rList[j], j)}]`, inner);
    }
  }
}

/**
 * Values per (base object, remote object) pair. Most base objects meet a
 * single remote object, which is kept beside the value, without a map of
 * its own.
 */
class PairMap<V> {
  readonly #rows = new Map<object, { remote: object; value: V; more?: Map<object, V> }>();

  get(base: object, remote: object): V | undefined {
    const row = this.#rows.get(base);
    if (row === undefined) return undefined;
    return row.remote === remote ? row.value : row.more?.get(remote);
  }

  set(base: object, remote: object, value: V): void {
    const row = this.#rows.get(base);
    if (row === undefined) this.#rows.set(base, { remote, value });
    else if (row.remote === remote) row.value = value;
    else (row.more ??= new Map()).set(remote, value);
  }
}

/** Record a difference at the compared root. */
function here(out: SchemaChange[], kind: string, from?: unknown, to?: unknown): void {
  const change: SchemaChange = { kind, path: [] };
  if (from !== undefined) change.from = from;
  if (to !== undefined) change.to = to;
  out.push(change);
}

/** The same values (by identity) in the same order. */
function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Pair the entries left on both sides that have the same key. */
function matchBy(
  bLeft: Map<number, unknown>,
  rLeft: Map<number, unknown>,
  pairs: Array<[number, number]>,
  key: (s: unknown) => string | undefined,
): void {
  const index = new Map<string, number>();
  for (const [i, s] of rLeft) {
    const k = key(s);
    if (k !== undefined && !index.has(k)) index.set(k, i);
  }
  for (const [i, s] of bLeft) {
    const k = key(s);
    const j = k === undefined ? undefined : index.get(k);
    if (j === undefined || !rLeft.has(j)) continue;
    pairs.push([i, j]);
    bLeft.delete(i);
    rLeft.delete(j);
  }
}

function refKey(s: unknown): string | undefined {
  return isObj(s) && typeof s.$ref === 'string' ? `ref:${s.$ref}` : undefined;
}

function titleKey(s: unknown): string | undefined {
  return isObj(s) && s.$ref === undefined && typeof s.title === 'string' ? `title:${s.title}` : undefined;
}

function inline(s: unknown): s is Obj {
  return isObj(s) && s.$ref === undefined;
}

function nest(out: SchemaChange[], segment: string, inner: readonly SchemaChange[]): void {
  for (const change of inner) {
    const path = [segment];
    for (const part of change.path) path.push(part);
    const copy: SchemaChange = { kind: change.kind, path };
    if (change.from !== undefined) copy.from = change.from;
    if (change.to !== undefined) copy.to = change.to;
    if (change.flags !== undefined) copy.flags = change.flags;
    out.push(copy);
  }
}

function subschemaName(schema: unknown, index: number): string {
  if (isObj(schema) && typeof schema.$ref === 'string') return schema.$ref;
  const title = isObj(schema) && typeof schema.title === 'string' ? `: ${schema.title}` : '';
  return `subschema #${index + 1}${title}`;
}

function requiredSet(schema: Obj): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((x): x is string => typeof x === 'string') : []);
}

/** `type/format`, with 3.1 type arrays sorted and `null` left to {@link nullable}. */
export function typeOf(schema: Obj): string {
  let type: string;
  if (Array.isArray(schema.type)) {
    type = schema.type
      .filter((t): t is string => typeof t === 'string' && t !== 'null')
      .sort()
      .join(',');
  } else type = typeof schema.type === 'string' ? schema.type : '';
  const format = typeof schema.format === 'string' ? schema.format : '';
  return `${type}/${format}`;
}

function nullable(schema: Obj): boolean {
  return schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));
}
