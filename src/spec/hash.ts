import { createHash } from 'node:crypto';

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

/**
 * The canonical hash of a document: SHA-256 of {@link canonicalJson}, as
 * `sha256:<hex>`. Stable across key order, whitespace and JSON versus YAML.
 */
export function canonicalHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
