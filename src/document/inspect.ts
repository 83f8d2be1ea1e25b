import { SpecError } from '../errors.js';
import { adoptFrozen, isFrozenTree } from '../json/index.js';

/** What {@link inspectTree} checks and does. */
export interface InspectOptions {
  maxDepth: number;
  allowRemoteRefs: boolean;
  /** Build a fresh plain-JSON copy (object inputs, YAML with aliases): a tree, no shared nodes. */
  clone: boolean;
  /** For messages. */
  where: string;
  /**
   * A tree frozen by `deepFreeze` (the document loaded before) to share
   * with: every part of the result equal to the part at the same place in
   * it (same keys in the same order, same items and primitives) is its
   * object instead of a copy. When not cloning, the input itself gets them
   * in place, so it must be private (a parser's output). Ignored unless it
   * is a frozen tree.
   */
  share?: unknown;
}

/** Maps whose keys are names chosen by the author, not keywords. */
const NAMED_MAPS = new Set([
  'paths',
  'webhooks',
  'definitions',
  'schemas',
  'properties',
  'patternProperties',
  'dependentSchemas',
  '$defs',
  'parameters',
  'responses',
  'requestBodies',
  'headers',
  'examples',
  'links',
  'callbacks',
  'securitySchemes',
  'pathItems',
  'content',
  'encoding',
  'variables',
  'securityDefinitions',
  'mapping',
  'scopes',
]);

/** Keywords whose values are user data, where a `$ref` key means nothing. */
const FREE_FORM = new Set(['example', 'default', 'enum', 'const']);

interface Frame {
  source: object;
  /** The copy being built, when cloning. */
  target: Record<string, unknown> | unknown[] | undefined;
  keys: string[] | undefined;
  next: number;
  depth: number;
  key: string;
  namedMap: boolean;
  freeForm: boolean;
  exampleObject: boolean;
}

/**
 * Walk a parsed document without recursion: refuse nesting deeper than
 * `maxDepth`, cycles, and (unless allowed) `$ref`s that leave the document;
 * optionally return a plain-JSON copy. Returns the value to use.
 */
export function inspectTree(root: unknown, options: InspectOptions): unknown {
  // The recursive fast path handles every ordinary document; anything it
  // does not (nesting past its limit, a cycle, a BigInt, a remote `$ref`)
  // is walked again by the iterative path below, which reports it exactly.
  try {
    return fastInspect(root, options);
  } catch (error) {
    if (error !== FALLBACK) throw error;
  }
  return iterativeInspect(root, options);
}

/** Thrown by the fast path to hand a document to the iterative one. */
const FALLBACK = Symbol('inspect fallback');
/** Nesting the recursive path walks; deeper documents take the iterative path. */
const FAST_DEPTH = 512;

/** Flags of the object or array being walked (see the iterative path's {@link Frame}); the bundler walks with them too. */
export interface FastFlags {
  /** Its own key in its parent. */
  key: string;
  namedMap: boolean;
  freeForm: boolean;
  exampleObject: boolean;
}

function fastInspect(root: unknown, options: InspectOptions): unknown {
  const value = fastPlain(root);
  if (value === null || typeof value !== 'object') return value;
  const limit = Math.min(options.maxDepth, FAST_DEPTH);
  const mirror = isFrozenTree(options.share) ? options.share : undefined;
  return fastNode(value, '', undefined, undefined, 1, limit, options, mirror);
}

/** `plain` without messages: a BigInt goes to the iterative path. */
function fastPlain(value: unknown): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') throw FALLBACK;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return (value as { toJSON: () => unknown }).toJSON();
  return value;
}

/**
 * How `$ref` is judged inside an object or array sitting under `key` in
 * `parent` (both walks use this): inside a map of author-chosen names it is
 * a name; under example values, defaults, enums and `x-` extensions it is
 * user data.
 */
export function childFlags(parent: FastFlags | undefined, parentIsArray: boolean, key: string, isArray: boolean): FastFlags {
  const inNamedMap = parent?.namedMap ?? false;
  return {
    key,
    namedMap: !isArray && !inNamedMap && parent !== undefined && NAMED_MAPS.has(key),
    freeForm:
      (parent?.freeForm ?? false) ||
      (parent !== undefined &&
        !inNamedMap &&
        !parentIsArray &&
        (FREE_FORM.has(key) || key.startsWith('x-') || (key === 'examples' && isArray) || (key === 'value' && parent.exampleObject))),
    exampleObject: inNamedMap && parent?.key === 'examples',
  };
}

/**
 * Walk (and, when cloning, copy) one object or array sitting under `key` in
 * `parent`. `mirror` is the value at the same place in the tree to share
 * with (`InspectOptions.share`), if any: when the whole node equals it, the
 * mirror is returned (and nothing is copied); else each child equal to the
 * mirror's is the mirror's.
 */
function fastNode(
  source: object,
  key: string,
  parent: FastFlags | undefined,
  parentIsArray: boolean | undefined,
  depth: number,
  limit: number,
  options: InspectOptions,
  mirror: unknown,
): unknown {
  if (depth > limit) throw FALLBACK; // too deep, or a cycle: the iterative path tells which
  const isArray = Array.isArray(source);
  const flags = childFlags(parent, parentIsArray === true, key, isArray);
  const clone = options.clone;
  const like =
    mirror !== null && typeof mirror === 'object' && Array.isArray(mirror) === isArray ? (mirror as Record<string, unknown>) : undefined;
  // In place only where the input may be changed: not cloning, and not frozen.
  const inPlace = !clone && like !== undefined && !Object.isFrozen(source);
  if (isArray) {
    const items = source as unknown[];
    const old = like as unknown[] | undefined;
    let same = old !== undefined && old.length === items.length;
    // Copied lazily while the array still equals the mirror: then the mirror is the result.
    let copy: unknown[] | undefined = clone && !same ? new Array<unknown>(items.length) : undefined;
    for (let i = 0; i < items.length; i++) {
      const item = fastPlain(items[i]);
      const was = old?.[i];
      const next =
        item !== null && typeof item === 'object' ? fastNode(item, String(i), flags, true, depth + 1, limit, options, was) : item;
      if (same && (next !== was || next === undefined)) {
        same = false;
        if (clone) copy = (old as unknown[]).slice(0, i).concat(new Array<unknown>(items.length - i));
      }
      if (copy !== undefined) copy[i] = next === undefined ? null : next;
      else if (inPlace && next !== item && next !== undefined) items[i] = next;
    }
    if (same) return old;
    const out = clone ? (copy as unknown[]) : items;
    if (old !== undefined) markShared(out, old);
    return out;
  }
  const record = source as Record<string, unknown>;
  const names = Object.keys(record);
  const oldNames = like === undefined ? undefined : Object.keys(like);
  let same = oldNames !== undefined && oldNames.length === names.length;
  let copy: Record<string, unknown> | undefined = clone && !same ? {} : undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const item = fastPlain(record[name]);
    if (name === '$ref' && typeof item === 'string' && !flags.freeForm && !flags.namedMap && !options.allowRemoteRefs && isRemoteRef(item))
      throw FALLBACK;
    const was = like !== undefined && name !== '__proto__' && Object.hasOwn(like, name) ? like[name] : undefined;
    const next = item !== null && typeof item === 'object' ? fastNode(item, name, flags, false, depth + 1, limit, options, was) : item;
    if (same && (next !== was || next === undefined || (oldNames as string[])[i] !== name || name === '__proto__')) {
      same = false;
      if (clone) {
        copy = {};
        // The members before this one equal the mirror's: take them from it (none is `__proto__`).
        for (let j = 0; j < i; j++) copy[names[j] as string] = (like as Record<string, unknown>)[names[j] as string];
      }
    }
    if (copy !== undefined) {
      if (next === undefined) continue;
      if (name === '__proto__') Object.defineProperty(copy, name, { value: next, enumerable: true, writable: true, configurable: true });
      else copy[name] = next;
    } else if (inPlace && next !== item && next !== undefined && name !== '__proto__') record[name] = next;
  }
  if (same) return like;
  const out = clone ? (copy as Record<string, unknown>) : record;
  if (like !== undefined) markShared(out, like);
  return out;
}

/**
 * Record the children `node` took from `mirror` as frozen trees of their
 * own. Done by the first parent that differs from its mirror: below it,
 * only the topmost shared objects need recording.
 */
function markShared(node: Record<string, unknown> | unknown[], mirror: Record<string, unknown> | unknown[]): void {
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object' && child === (mirror as Record<string, unknown>)[key]) adoptFrozen(child);
  }
}

/** The iterative walk: any depth, exact messages for every refusal. Exported for tests; {@link inspectTree} is the entry point. */
export function iterativeInspect(root: unknown, options: InspectOptions): unknown {
  const rootValue = plain(root, options, []);
  if (rootValue === null || typeof rootValue !== 'object') return rootValue;
  const open = new Set<object>();
  const stack: Frame[] = [];
  const push = (source: object, key: string, parent: Frame | undefined): Frame['target'] => {
    const depth = (parent?.depth ?? 0) + 1;
    if (depth > options.maxDepth) {
      throw new SpecError(
        'SPEC_TOO_DEEP',
        `The document${options.where} is nested deeper than ${options.maxDepth} levels (at ${pointer(stack, key)}).`,
        {
          hint: 'Real OpenAPI documents are far shallower; check the generator, or raise `maxDepth` if the nesting is intended.',
          details: { maxDepth: options.maxDepth },
        },
      );
    }
    if (open.has(source)) {
      throw new SpecError('SPEC_INVALID', `The document${options.where} contains a cycle: ${pointer(stack, key)} contains itself.`, {
        hint: 'Use `$ref` for recursive schemas instead of object references (or YAML aliases) that point at their own ancestors.',
      });
    }
    open.add(source);
    const isArray = Array.isArray(source);
    const { namedMap, freeForm, exampleObject } = childFlags(parent, parent !== undefined && Array.isArray(parent.source), key, isArray);
    const target = options.clone ? (isArray ? [] : {}) : undefined;
    stack.push({
      source,
      target,
      keys: isArray ? undefined : Object.keys(source),
      next: 0,
      depth,
      key,
      namedMap,
      freeForm,
      exampleObject,
    });
    return target;
  };

  const rootTarget = push(rootValue, '', undefined);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const length = frame.keys === undefined ? (frame.source as unknown[]).length : frame.keys.length;
    if (frame.next >= length) {
      open.delete(frame.source);
      stack.pop();
      continue;
    }
    const index = frame.next++;
    const key = frame.keys === undefined ? String(index) : (frame.keys[index] as string);
    const raw = (frame.source as Record<string, unknown>)[key];
    const value = plain(raw, options, stack, key);
    if (
      key === '$ref' &&
      frame.keys !== undefined &&
      typeof value === 'string' &&
      !frame.freeForm &&
      !frame.namedMap &&
      !options.allowRemoteRefs &&
      isRemoteRef(value)
    ) {
      throw new SpecError(
        'SPEC_REMOTE_REF',
        `The document${options.where} has a $ref to another document: "${value}" at ${pointer(stack, key)}.`,
        {
          hint: 'A file source bundles references to local files itself; for other sources, bundle the document into one file (for example with `redocly bundle`), or set `allowRemoteRefs: true` to keep such references as written (they are never fetched).',
          details: { ref: value },
        },
      );
    }
    let copy: unknown = value;
    if (value !== null && typeof value === 'object') copy = push(value, key, frame);
    if (frame.target === undefined) continue;
    if (Array.isArray(frame.target)) {
      frame.target.push(copy === undefined ? null : copy);
    } else if (copy !== undefined) {
      if (key === '__proto__')
        Object.defineProperty(frame.target, key, { value: copy, enumerable: true, writable: true, configurable: true });
      else frame.target[key] = copy;
    }
  }
  return options.clone ? rootTarget : rootValue;
}

/** True for a `$ref` that points outside the document (anything but a same-document fragment). */
export function isRemoteRef(ref: string): boolean {
  return ref !== '' && !ref.startsWith('#');
}

/** Reduce a value to what JSON can hold; `undefined` means "leave out". */
function plain(value: unknown, options: InspectOptions, stack: Frame[], key?: string): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') {
    throw new SpecError(
      'SPEC_INVALID',
      `The document${options.where} holds a BigInt at ${pointer(stack, key)}, which JSON cannot represent.`,
      {
        hint: 'Convert big integers to numbers or strings before handing the document over.',
      },
    );
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

function pointer(stack: readonly Frame[], last?: string): string {
  const parts = stack.slice(1).map((frame) => frame.key);
  if (last !== undefined && stack.length > 0) parts.push(last);
  return parts.length === 0 ? '#' : `#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}
