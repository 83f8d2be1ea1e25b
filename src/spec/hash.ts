import { createHash } from 'node:crypto';

/**
 * A canonical JSON text of a value: object keys sorted, no whitespace.
 * Two documents that differ only in key order or formatting (or JSON versus
 * YAML of the same data) give the same text.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    // undefined only appears inside objects, where it is skipped; at the top level it is null.
    out.push(value === undefined ? 'null' : JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i] === undefined ? null : value[i], out);
    }
    out.push(']');
    return;
  }
  const keys = Object.keys(value).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(item, out);
  }
  out.push('}');
}

/**
 * The canonical hash of a document: SHA-256 of {@link canonicalJson}, as
 * `sha256:<hex>`. Stable across key order, whitespace and JSON versus YAML.
 */
export function canonicalHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
