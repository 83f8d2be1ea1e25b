import { createHash } from 'node:crypto';
import { isFrozenTree } from './freeze.js';

type Frame =
  | { array: true; items: readonly unknown[]; next: number; owner: object }
  | { array: false; record: Record<string, unknown>; keys: string[]; next: number; wrote: boolean; owner: object };

/**
 * A canonical JSON text of a value: object keys sorted by code unit, no
 * whitespace, `undefined` members skipped (and `null` inside arrays), as
 * `JSON.stringify` would. Two documents that differ only in key order or
 * formatting (or JSON versus YAML of the same data) give the same text.
 *
 * Iterative, so any nesting depth is safe; throws a `TypeError` on a cycle.
 */
export function canonicalJson(value: unknown): string {
  try {
    const text = fastCanonical(value, 0);
    return text === undefined ? 'null' : text;
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    return iterativeCanonical(value);
  }
}

const TOO_DEEP = Symbol('too deep');
/** Nesting the recursive fast path handles; deeper values (or cycles) take the iterative path. */
const FAST_DEPTH = 512;
const keyCache = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (keyCache.size < 10_000) keyCache.set(key, quoted);
  }
  return quoted;
}

/** The common case, recursive and allocation-light: string concatenation, cached keys. */
function fastCanonical(raw: unknown, depth: number): string | undefined {
  const value = toJsonValue(raw);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(value); // throws a TypeError, as JSON.stringify does
    default:
      return undefined;
  }
  if (depth > FAST_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += fastCanonical(value[i], depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = fastCanonical(record[key], depth + 1);
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoteKey(key) + item;
  }
  return `${out}}`;
}

/** Any depth, with cycle detection: the fallback of {@link canonicalJson}. */
function iterativeCanonical(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();

  const emit = (raw: unknown, inArray: boolean, converted = false): boolean => {
    const item = converted ? raw : toJsonValue(raw);
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') {
      if (inArray) out.push('null');
      return inArray;
    }
    if (item === null || typeof item !== 'object') {
      out.push(JSON.stringify(item));
      return true;
    }
    if (open.has(item)) throw new TypeError('canonicalJson: the value contains a cycle.');
    open.add(item);
    if (Array.isArray(item)) {
      out.push('[');
      stack.push({ array: true, items: item, next: 0, owner: item });
    } else {
      out.push('{');
      const record = item as Record<string, unknown>;
      stack.push({ array: false, record, keys: Object.keys(record).sort(), next: 0, wrote: false, owner: item });
    }
    return true;
  };

  if (!emit(value, false)) return 'null';
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.array) {
      if (frame.next >= frame.items.length) {
        out.push(']');
        open.delete(frame.owner);
        stack.pop();
        continue;
      }
      if (frame.next > 0) out.push(',');
      emit(frame.items[frame.next++], true);
      continue;
    }
    if (frame.next >= frame.keys.length) {
      out.push('}');
      open.delete(frame.owner);
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.next++] as string;
    const item = toJsonValue(frame.record[key]);
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out.push(frame.wrote ? ',' : '', JSON.stringify(key), ':');
    frame.wrote = true;
    emit(item, false, true);
  }
  return out.join('');
}

function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

/** Characters buffered before they go to the hash: short enough to stay a flat string, long enough to keep native calls few. */
const CHUNK = 16_384;

/** Where {@link writeCanonical} puts its text. */
interface Sink {
  buffer: string;
  flush(text: string | Uint8Array): void;
}

/**
 * The canonical text of `value` appended to `sink`, flushed in chunks of
 * about {@link CHUNK} characters. Same text as {@link fastCanonical} (the
 * value already converted with `toJSON`); returns false for a value JSON
 * leaves out. Chunks, because building one string of a whole large
 * document and hashing it is several times slower (docs/engine.md).
 */
function writeCanonical(sink: Sink, value: unknown, depth: number, frozen = false): boolean {
  if (value === null) {
    sink.buffer += 'null';
    return true;
  }
  switch (typeof value) {
    case 'string':
      sink.buffer += JSON.stringify(value);
      if (sink.buffer.length > CHUNK) flushSink(sink);
      return true;
    case 'number':
    case 'boolean':
      sink.buffer += JSON.stringify(value);
      return true;
    case 'object':
      break;
    case 'bigint':
      JSON.stringify(value); // throws a TypeError, as JSON.stringify does
      return false;
    default:
      return false;
  }
  if (depth > FAST_DEPTH) throw TOO_DEEP;
  if (depth <= MEMO_DEPTH) {
    frozen ||= isFrozenTree(value);
    if (frozen && depth === MEMO_DEPTH) return writeMemo(sink, value as object);
  }
  if (Array.isArray(value)) {
    sink.buffer += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) sink.buffer += ',';
      let item: unknown = value[i];
      if (item !== null && typeof item === 'object' && typeof (item as { toJSON?: unknown }).toJSON === 'function')
        item = (item as { toJSON: () => unknown }).toJSON();
      if (!writeCanonical(sink, item, depth + 1, frozen)) sink.buffer += 'null';
    }
    sink.buffer += ']';
    return true;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Many objects already list their keys in order: check before sorting.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  sink.buffer += '{';
  let first = true;
  for (const key of keys) {
    let item = record[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (item !== null && typeof item === 'object' && typeof (item as { toJSON?: unknown }).toJSON === 'function') {
      item = (item as { toJSON: () => unknown }).toJSON();
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    }
    sink.buffer += first ? quoteKey(key) : `,${quoteKey(key)}`;
    first = false;
    writeCanonical(sink, item, depth + 1, frozen);
  }
  sink.buffer += '}';
  if (sink.buffer.length > CHUNK) flushSink(sink);
  return true;
}

/**
 * The depth (the document is 0) at which the canonical text of each part of
 * a frozen tree is kept: operations (`/paths/{path}/{method}`) and
 * components (`/components/schemas/{name}`) in an OpenAPI document. One
 * level only, so the texts kept add up to the document's text once.
 */
const MEMO_DEPTH = 3;

/**
 * Canonical texts of parts of frozen trees (see {@link MEMO_DEPTH}). A part
 * of a frozen tree never changes, and the engine shares the parts a new
 * version did not change with the version before, so hashing a new version
 * serialises only what changed. Weak: a text lives as long as its part.
 */
const memo = new WeakMap<object, Buffer>();

/**
 * Append the canonical text of `value`, a part of a frozen tree, kept in
 * {@link memo} as UTF-8 bytes: outside the JavaScript heap, so keeping them
 * costs the garbage collector nothing (kept as strings, they made the first
 * hash of a document almost twice as slow), and they go to the hash as
 * they are.
 */
function writeMemo(sink: Sink, value: object): boolean {
  let bytes = memo.get(value);
  if (bytes === undefined) {
    const chunks: Buffer[] = [];
    const own: Sink = { buffer: '', flush: (chunk) => chunks.push(Buffer.from(chunk as string)) };
    // Below the memo depth: no further lookups (`frozen` stays true, the depth keeps growing).
    writeCanonical(own, value, MEMO_DEPTH + 1, true);
    chunks.push(Buffer.from(own.buffer));
    bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    memo.set(value, bytes);
  }
  flushSink(sink);
  sink.flush(bytes);
  return true;
}

function flushSink(sink: Sink): void {
  if (sink.buffer === '') return;
  sink.flush(sink.buffer);
  sink.buffer = '';
}

/**
 * The canonical hash of a document: SHA-256 of {@link canonicalJson}, as
 * `sha256:<hex>`. Stable across key order, whitespace and JSON versus YAML.
 * The text is streamed into the hash in chunks, never built whole.
 */
export function canonicalHash(value: unknown): string {
  const hash = createHash('sha256');
  const sink: Sink = { buffer: '', flush: (text) => hash.update(text) };
  try {
    if (!writeCanonical(sink, toJsonValue(value), 0)) sink.buffer += 'null';
    flushSink(sink);
    return `sha256:${hash.digest('hex')}`;
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    // Deep nesting or a cycle: the iterative path (which reports cycles).
    return `sha256:${createHash('sha256').update(iterativeCanonical(value)).digest('hex')}`;
  }
}
