import { canonicalJson } from '../json/index.js';
/**
 * Canonical JSON for the differ: the same text as `canonicalJson` (sorted
 * keys, no whitespace), made faster for plain data, which is what parsed
 * documents hold. Anything else (`undefined` members, `toJSON`, class
 * instances, nesting deeper than {@link MAX_DEPTH}, cycles) is left to
 * `canonicalJson` itself, so the result and the errors are always its own.
 *
 * @module
 */

const MAX_DEPTH = 200;

/** `canonicalJson(value)`, faster for plain data. */
export function canonicalText(value: unknown): string {
  return plainText(value, 0) ?? canonicalJson(value);
}

/** The canonical text of plain data, or `undefined` for anything `canonicalJson` must handle. */
function plainText(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth > MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const item = plainText(value[i], depth + 1);
      if (item === undefined) return undefined;
      text += i === 0 ? item : `,${item}`;
    }
    return `${text}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const record = value as Record<string, unknown>;
  let text = '{';
  let first = true;
  for (const key of sortedKeys(record)) {
    const item = plainText(record[key], depth + 1);
    if (item === undefined) return undefined;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
}

/** `Object.keys(record).sort()`; small key lists are sorted in place (code unit order, as `sort()` does for strings). */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}
