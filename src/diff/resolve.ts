/**
 * Internal `$ref` resolution for the differ: `#/...` pointers into the same
 * document, followed through chains, with a hop limit so a ref that points
 * at itself (directly or through others) cannot loop.
 *
 * @module
 */

/** A JSON object, as the differ sees one. */
export type Obj = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escape one JSON Pointer segment (RFC 6901). */
export function escapeSegment(segment: string): string {
  if (!segment.includes('~')) return segment.includes('/') ? segment.replaceAll('/', '~1') : segment;
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A JSON Pointer from unescaped segments. */
export function pointer(...segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => `/${escapeSegment(String(s))}`).join('');
}

const MAX_HOPS = 32;

/** Follows internal `$ref`s of one document, caching each target. */
export class RefResolver {
  readonly #doc: unknown;
  readonly #cache = new Map<string, unknown>();

  constructor(doc: unknown) {
    this.#doc = doc;
  }

  /**
   * The value a `$ref` chain ends at, and the first ref followed. A ref that
   * cannot be resolved (external, dangling, or a loop) resolves to
   * `undefined`, so it compares like a missing value.
   */
  resolve(value: unknown): { value: unknown; ref?: string } {
    let current = value;
    let first: string | undefined;
    for (let hops = 0; isObj(current) && typeof current.$ref === 'string'; hops++) {
      if (hops >= MAX_HOPS) return first === undefined ? { value: undefined } : { value: undefined, ref: first };
      const ref = current.$ref;
      first ??= ref;
      current = this.#lookup(ref);
    }
    return first === undefined ? { value: current } : { value: current, ref: first };
  }

  /** The resolved value only (as {@link resolve}, without the first ref). */
  deref(value: unknown): unknown {
    let current = value;
    for (let hops = 0; isObj(current) && typeof current.$ref === 'string'; hops++) {
      if (hops >= MAX_HOPS) return undefined;
      current = this.#lookup(current.$ref);
    }
    return current;
  }

  /** The value a single `$ref` string points at (one hop, not followed further). */
  target(ref: string): unknown {
    return this.#lookup(ref);
  }

  #lookup(ref: string): unknown {
    const cached = this.#cache.get(ref);
    if (cached !== undefined || this.#cache.has(ref)) return cached;
    let found: unknown;
    if (ref === '#') found = this.#doc;
    else if (ref.startsWith('#/')) {
      found = this.#doc;
      for (const raw of ref.slice(2).split('/')) {
        let segment = raw;
        if (segment.includes('%')) {
          try {
            segment = decodeURIComponent(segment);
          } catch {
            segment = raw;
          }
        }
        if (segment.includes('~')) segment = segment.replaceAll('~1', '/').replaceAll('~0', '~');
        if (Array.isArray(found)) found = found[Number(segment)];
        else if (isObj(found) && Object.hasOwn(found, segment)) found = found[segment];
        else {
          found = undefined;
          break;
        }
      }
    }
    this.#cache.set(ref, found);
    return found;
  }
}
