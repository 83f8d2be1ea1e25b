/**
 * Hiding secrets before a fragment leaves the process (for the AI resolver).
 *
 * @module
 */
import { REDACTED, redactText } from './redact-text.js';
import { isSecretKey } from './secret-names.js';
import { isRecord, valueAtSegments } from '../json/index.js';

export { REDACTED, redactText, redactionPatterns, type RedactionPattern } from './redact-text.js';
export { isSecretKey } from './secret-names.js';

/** In a sensitive object (`secret: true`, or a key/value pair named like a secret) only these fields stay visible. */
const VISIBLE_IN_SENSITIVE = new Set(['key', 'name', 'in', 'active', 'enabled', 'secret', 'type']);

const MAX_DEPTH = 200;

/**
 * A copy of `value` with secrets replaced by {@link REDACTED}: members whose
 * key is a secret name ({@link isSecretKey}), and in objects that carry
 * `secret: true` or name a secret in `key`/`name` (a header
 * `{ key: 'Authorization', value }`, a parameter `{ name: 'api_key', example }`)
 * every field except key, name, in, active, enabled, secret and type.
 * Booleans and nulls stay (a `secret: true` flag is not a secret).
 * Every other string, and every object key, is scanned for secrets inside
 * text ({@link redactionPatterns}: token shapes, `Bearer` credentials, URL
 * userinfo, `password=…` pairs, PEM private keys), and only the secret span is
 * replaced. `redacted` says whether anything was hidden.
 */
export function redactSecrets(value: unknown): { value: unknown; redacted: boolean } {
  let redacted = false;
  const scan = (text: string): string => {
    const found = redactText(text);
    redacted ||= found.redacted;
    return found.text;
  };
  const walk = (current: unknown, depth: number): unknown => {
    if (typeof current === 'string') return scan(current);
    if (typeof current !== 'object' || current === null) return current;
    if (depth > MAX_DEPTH) {
      redacted = true;
      return REDACTED;
    }
    if (Array.isArray(current)) return current.map((item) => walk(item, depth + 1));
    const sensitive = isSensitiveObject(current);
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(current)) {
      const hide =
        member !== undefined &&
        member !== null &&
        typeof member !== 'boolean' &&
        (isSecretKey(key) || (sensitive && !VISIBLE_IN_SENSITIVE.has(key)));
      if (hide) redacted = true;
      setMember(copy, freeKey(copy, scan(key)), hide ? REDACTED : walk(member, depth + 1));
    }
    return copy;
  };
  return { value: walk(value, 0), redacted };
}

/** `key`, or when a redacted key already took that name, `key (2)`, `key (3)`, …: no member is lost. */
function freeKey(target: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(target, key)) return key;
  for (let count = 2; ; count += 1) {
    const candidate = `${key} (${count})`;
    if (!Object.hasOwn(target, candidate)) return candidate;
  }
}

/** An own member even for `__proto__`, which plain assignment would take as the prototype. */
function setMember(target: Record<string, unknown>, key: string, member: unknown): void {
  Object.defineProperty(target, key, { value: member, enumerable: true, writable: true, configurable: true });
}

/**
 * True when the place a pointer names is secret in itself: a segment of the
 * path is a secret name, or an ancestor in any of `docs` is a sensitive
 * object and the path goes through one of its hidden fields.
 */
export function isSecretLocation(segments: readonly string[], docs: readonly unknown[]): boolean {
  if (segments.some((segment) => isSecretKey(segment))) return true;
  for (const doc of docs) {
    for (let depth = 0; depth < segments.length; depth += 1) {
      const ancestor = valueAtSegments(doc, segments.slice(0, depth));
      if (ancestor === undefined) break;
      // Stryker disable next-line StringLiteral: depth < segments.length, so the segment is always there
      if (isSensitiveObject(ancestor) && !VISIBLE_IN_SENSITIVE.has(segments[depth] ?? '')) return true;
    }
  }
  return false;
}

function isSensitiveObject(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value['secret'] === true) return true;
  const label = typeof value['key'] === 'string' ? value['key'] : value['name'];
  return typeof label === 'string' && isSecretKey(label);
}
