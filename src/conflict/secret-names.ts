/**
 * Which names mark a secret: one list for members of objects, headers and
 * parameters, paths, and `key=value` pairs inside text.
 *
 * @module
 */

/** Names (lower case, letters and digits only) that always hold secrets; docs/ai-resolver.md lists them (a test checks). */
export const SECRET_KEY_NAMES: readonly string[] = [
  'auth',
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'pwd',
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
  'credential',
  'credentials',
];

/** Endings that mark a secret too: `accessToken`, `x-auth-token`, `db_password`, `x-api-key`, `aws_secret_access_key`. */
export const SECRET_KEY_ENDINGS: readonly string[] = ['token', 'secret', 'password', 'passwd', 'apikey', 'accesskey', 'privatekey'];

/**
 * Every secret name and ending holds one of these (a test checks): the scanner
 * of `key=value` pairs in text looks only at keys that hold a stem, and asks
 * {@link isSecretKey} about those.
 */
// Stryker disable next-line StringLiteral: the stems only narrow which keys the scanner asks isSecretKey about; an empty stem narrows nothing and the result is the same
export const SECRET_KEY_STEMS: readonly string[] = [
  'pass',
  'pwd',
  'secret',
  'token',
  'key',
  'auth',
  'bearer',
  'cookie',
  'credential',
  'session',
  'current',
];

const NAMES = new Set(SECRET_KEY_NAMES);

/**
 * True when a property or header named `key` holds a secret: auth,
 * authorization, password, passwd, pwd, token, apiKey/api_key/x-api-key,
 * secret, bearer, cookie, client_secret, currentValue, credential and the
 * like. Case, `-`, `_` and `.` are ignored; names ending in token, secret,
 * password, passwd, apikey, accesskey or privatekey count too.
 */
export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return NAMES.has(normal) || SECRET_KEY_ENDINGS.some((ending) => normal.endsWith(ending));
}
