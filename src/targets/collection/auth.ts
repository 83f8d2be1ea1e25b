/**
 * OpenAPI security requirements to client-neutral auth.
 *
 * @module
 */
import { readPointer, resolveRef } from './example.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The OAuth 2 flows a collection request can be set up for. */
export type ModelOAuthFlow = 'authorizationCode' | 'clientCredentials' | 'password' | 'implicit';

/**
 * The auth of a request or collection, client-neutral. `scheme` is the name
 * of the security scheme it comes from (`components.securitySchemes`), the
 * stem of its auth variables (see {@link authVariables}). Credentials are
 * never part of it: they are the user's to fill in.
 */
export type ModelAuth =
  | { type: 'inherit' }
  | { type: 'none' }
  | { type: 'basic' | 'bearer' | 'digest'; scheme: string }
  | { type: 'apiKey'; scheme: string; name: string; in: 'header' | 'query' }
  | { type: 'oauth2'; scheme: string; flow: ModelOAuthFlow; authorizationUrl: string; tokenUrl: string; scopes: string };

/**
 * The auth of an operation (or, with `level: 'collection'`, of the whole
 * collection from the document's `security`):
 * - no `security` declared: `inherit` (a collection gets `none`);
 * - `security: []`, or a first requirement `{}` (auth optional): `none`;
 * - else the first scheme of the first requirement: http `basic` and
 *   `bearer` (and `digest`), `apiKey` in a header or the query, `oauth2`
 *   (first flow of authorizationCode, clientCredentials, password,
 *   implicit) and `openIdConnect` (authorization code, endpoints left
 *   empty for the user: the discovery document is not fetched);
 * - a scheme that cannot be expressed (an apiKey in a cookie, mutualTLS, an
 *   unknown or missing scheme): `inherit` (a collection gets `none`).
 */
export function modelAuth(security: unknown, document: Json, level: 'request' | 'collection'): ModelAuth {
  const fallback: ModelAuth = level === 'collection' ? { type: 'none' } : { type: 'inherit' };
  if (!Array.isArray(security)) return fallback;
  const first: unknown = security[0];
  if (first === undefined) return { type: 'none' };
  if (!isObject(first)) return fallback;
  const [name, scopes] = Object.entries(first)[0] ?? [];
  if (name === undefined) return { type: 'none' };
  const schemes = readPointer(document, '#/components/securitySchemes');
  const scheme = resolveRef(isObject(schemes) ? schemes[name] : undefined, document);
  if (!isObject(scheme)) return fallback;
  const scopeText = Array.isArray(scopes) ? scopes.filter((s) => typeof s === 'string').join(' ') : '';
  switch (scheme.type) {
    case 'http': {
      const kind = text(scheme.scheme).toLowerCase();
      return kind === 'basic' || kind === 'bearer' || kind === 'digest' ? { type: kind, scheme: name } : fallback;
    }
    case 'apiKey':
      if (scheme.in !== 'header' && scheme.in !== 'query') return fallback;
      return { type: 'apiKey', scheme: name, name: text(scheme.name), in: scheme.in };
    case 'oauth2':
      return { type: 'oauth2', scheme: name, ...oauthFlow(isObject(scheme.flows) ? scheme.flows : {}), scopes: scopeText };
    case 'openIdConnect':
      return { type: 'oauth2', scheme: name, flow: 'authorizationCode', authorizationUrl: '', tokenUrl: '', scopes: scopeText };
    default:
      return fallback;
  }
}

/** The first flow of authorizationCode, clientCredentials, password, implicit; authorization code with no URLs when there is none. */
function oauthFlow(flows: Json): { flow: ModelOAuthFlow; authorizationUrl: string; tokenUrl: string } {
  for (const flow of ['authorizationCode', 'clientCredentials', 'password', 'implicit'] as const) {
    const found = flows[flow];
    if (isObject(found)) return { flow, authorizationUrl: text(found.authorizationUrl), tokenUrl: text(found.tokenUrl) };
  }
  return { flow: 'authorizationCode', authorizationUrl: '', tokenUrl: '' };
}

/** The credential parts of an auth, each the suffix of an auth variable (see {@link authVariables}). */
export type AuthPart = 'username' | 'password' | 'token' | 'key' | 'clientId' | 'clientSecret';

/**
 * The variable that holds one credential of a security scheme:
 * `<scheme>_<part>`, the scheme name made variable-safe (`bearerAuth_token`,
 * `basic_password`, `api_key_key`).
 */
export function authVariable(scheme: string, part: AuthPart): string {
  const safe = scheme.replace(/[^\w.-]/g, '_');
  return `${/^[A-Za-z_]/.test(safe) ? safe : `_${safe}`}_${part}`;
}

/**
 * The credential variables an auth needs, in order: `username` and
 * `password` (basic, digest), `token` (bearer), `key` (apiKey), `clientId`
 * and `clientSecret` (oauth2); none for `inherit` and `none`. A client
 * writes them as collection (or environment) variables, secret and empty,
 * and refers to them from the auth, so the user fills each in once.
 */
export function authVariables(auth: ModelAuth): string[] {
  switch (auth.type) {
    case 'inherit':
    case 'none':
      return [];
    case 'basic':
    case 'digest':
      return [authVariable(auth.scheme, 'username'), authVariable(auth.scheme, 'password')];
    case 'bearer':
      return [authVariable(auth.scheme, 'token')];
    case 'apiKey':
      return [authVariable(auth.scheme, 'key')];
    case 'oauth2':
      return [authVariable(auth.scheme, 'clientId'), authVariable(auth.scheme, 'clientSecret')];
  }
}
