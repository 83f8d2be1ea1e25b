/**
 * `bearerAuth`: the `auth` callback most integrations want, a shared token
 * in `Authorization: Bearer <token>`, compared in constant time.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

// The scheme is case-insensitive (RFC 9110 §11.1); one or more spaces follow it.
const BEARER = /^bearer +(.*)$/is;

/**
 * An `auth` callback for {@link createSyncHandler} that lets a request
 * through when it carries `Authorization: Bearer <token>` with exactly this
 * token. The comparison runs in constant time over SHA-256 digests of equal
 * length, so neither the token's content nor its length leaks through
 * timing.
 *
 * Throws `CONFIG_INVALID` at creation for a token that is not a non-empty
 * string (an unset environment variable gives `undefined`: without this
 * check, `Bearer undefined` would be a valid credential) or that has
 * leading or trailing whitespace (HTTP strips it from header values, so such
 * a token could never match).
 *
 * @example
 * ```ts
 * const handler = createSyncHandler(engine, { auth: bearerAuth(process.env.SYNC_TOKEN) });
 * // clients send: authorization: Bearer <the token>
 * ```
 */
export function bearerAuth(token: string | undefined): (req: IncomingMessage) => boolean {
  if (typeof token !== 'string' || token === '') {
    const got = token === '' ? 'an empty string' : token === null ? 'null' : Array.isArray(token) ? 'an array' : typeof token;
    throw new ConfigError(`Expected the bearer token to be a non-empty string, got ${got}.`, {
      hint: 'Pass the secret itself, e.g. bearerAuth(process.env.SYNC_TOKEN), and check that the environment variable is set.',
    });
  }
  if (token.trim() !== token) {
    throw new ConfigError('Expected the bearer token to have no leading or trailing whitespace, got a token that has some.', {
      hint: 'Trim it (a secret read from a file often ends with a newline).',
    });
  }
  const expected = digest(token);
  return (req) => {
    const value = req.headers.authorization;
    if (typeof value !== 'string') return false;
    const match = BEARER.exec(value);
    if (!match) return false;
    return timingSafeEqual(digest(match[1]!), expected);
  };
}
