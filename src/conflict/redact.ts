/**
 * Hiding secrets before a fragment leaves the process (for the AI resolver).
 *
 * @module
 */
import { valueAtSegments } from '../merge/index.js';

/** What replaces a secret value in anything sent out. */
export const REDACTED = '[REDACTED]';

/** Key names (lower case, letters and digits only) that always hold secrets. */
const SECRET_KEYS = new Set([
  'auth',
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'passphrase',
  'token',
  'apikey',
  'secret',
  'bearer',
  'cookie',
  'setcookie',
  'clientsecret',
  'currentvalue',
  'privatekey',
  'sessionid',
  'credentials',
]);

/** Endings that mark a secret too: `accessToken`, `x-auth-token`, `db_password`, `x-api-key`. */
const SECRET_ENDINGS = ['token', 'secret', 'password', 'apikey'];

/** In a sensitive object (`secret: true`, or a key/value pair named like a secret) only these fields stay visible. */
const VISIBLE_IN_SENSITIVE = new Set(['key', 'name', 'in', 'active', 'enabled', 'secret', 'type']);

const MAX_DEPTH = 200;

/**
 * True when a property or header named `key` holds a secret: auth,
 * authorization, password, token, apiKey/api_key/x-api-key, secret, bearer,
 * cookie, client_secret, currentValue and the like. Case, `-` and `_` are
 * ignored; names ending in token, secret, password or apikey count too.
 */
export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normal === '') return false;
  return SECRET_KEYS.has(normal) || SECRET_ENDINGS.some((ending) => normal.endsWith(ending));
}

/**
 * A copy of `value` with secrets replaced by {@link REDACTED}: members whose
 * key is a secret name ({@link isSecretKey}), and in objects that carry
 * `secret: true` or name a secret in `key`/`name` (a header
 * `{ key: 'Authorization', value }`, a parameter `{ name: 'api_key', example }`)
 * every field except key, name, in, active, enabled, secret and type.
 * Booleans and nulls stay (a `secret: true` flag is not a secret).
 * `redacted` says whether anything was hidden.
 */
export function redactSecrets(value: unknown): { value: unknown; redacted: boolean } {
  let redacted = false;
  const walk = (current: unknown, depth: number): unknown => {
    if (typeof current !== 'object' || current === null) return current;
    if (depth > MAX_DEPTH) {
      redacted = true;
      return REDACTED;
    }
    if (Array.isArray(current)) return current.map((item) => walk(item, depth + 1));
    const sensitive = isSensitiveObject(current);
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(current)) {
      if (member !== undefined && member !== null && typeof member !== 'boolean' && (isSecretKey(key) || (sensitive && !VISIBLE_IN_SENSITIVE.has(key)))) {
        copy[key] = REDACTED;
        redacted = true;
      } else {
        copy[key] = walk(member, depth + 1);
      }
    }
    return copy;
  };
  return { value: walk(value, 0), redacted };
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
      if (isSensitiveObject(ancestor) && !VISIBLE_IN_SENSITIVE.has(segments[depth] ?? '')) return true;
    }
  }
  return false;
}

function isSensitiveObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (record['secret'] === true) return true;
  const label = typeof record['key'] === 'string' ? record['key'] : record['name'];
  return typeof label === 'string' && isSecretKey(label);
}
