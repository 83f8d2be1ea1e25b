/**
 * OpenAPI security requirements to Hoppscotch auth.
 *
 * @module
 */
import { readPointer, resolveRef } from './example.js';
import type { HoppAuth, HoppOAuth2Grant } from './schema.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

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
 * Credentials are left empty: they are the user's to fill in.
 */
export function renderAuth(security: unknown, document: Json, level: 'request' | 'collection'): HoppAuth {
  const fallback: HoppAuth = level === 'collection' ? { authType: 'none', authActive: true } : { authType: 'inherit', authActive: true };
  if (!Array.isArray(security)) return fallback;
  const first: unknown = security[0];
  if (first === undefined) return { authType: 'none', authActive: true };
  if (!isObject(first)) return fallback;
  const [name, scopes] = Object.entries(first)[0] ?? [];
  if (name === undefined) return { authType: 'none', authActive: true };
  const schemes = readPointer(document, '#/components/securitySchemes');
  const scheme = resolveRef(isObject(schemes) ? schemes[name] : undefined, document);
  if (!isObject(scheme)) return fallback;
  const scopeText = Array.isArray(scopes) ? scopes.filter((s) => typeof s === 'string').join(' ') : '';
  switch (scheme.type) {
    case 'http': {
      const kind = text(scheme.scheme).toLowerCase();
      if (kind === 'basic') return { authType: 'basic', authActive: true, username: '', password: '' };
      if (kind === 'bearer') return { authType: 'bearer', authActive: true, token: '' };
      if (kind === 'digest') {
        return {
          authType: 'digest',
          authActive: true,
          username: '',
          password: '',
          realm: '',
          nonce: '',
          algorithm: 'MD5',
          qop: 'auth',
          nc: '',
          cnonce: '',
          opaque: '',
          disableRetry: false,
        };
      }
      return fallback;
    }
    case 'apiKey': {
      if (scheme.in !== 'header' && scheme.in !== 'query') return fallback;
      return {
        authType: 'api-key',
        authActive: true,
        key: text(scheme.name),
        value: '',
        addTo: scheme.in === 'header' ? 'HEADERS' : 'QUERY_PARAMS',
      };
    }
    case 'oauth2':
      return {
        authType: 'oauth-2',
        authActive: true,
        grantTypeInfo: oauthGrant(isObject(scheme.flows) ? scheme.flows : {}, scopeText),
        addTo: 'HEADERS',
      };
    case 'openIdConnect':
      return { authType: 'oauth-2', authActive: true, grantTypeInfo: authorizationCode('', '', scopeText), addTo: 'HEADERS' };
    default:
      return fallback;
  }
}

function authorizationCode(authEndpoint: string, tokenEndpoint: string, scopes: string): HoppOAuth2Grant {
  return {
    grantType: 'AUTHORIZATION_CODE',
    authEndpoint,
    tokenEndpoint,
    clientID: '',
    clientSecret: '',
    scopes,
    token: '',
    isPKCE: false,
    authRequestParams: [],
    tokenRequestParams: [],
    refreshRequestParams: [],
  };
}

function oauthGrant(flows: Json, scopes: string): HoppOAuth2Grant {
  const flow = (name: string): Json | undefined => (isObject(flows[name]) ? flows[name] : undefined);
  const code = flow('authorizationCode');
  if (code) return authorizationCode(text(code.authorizationUrl), text(code.tokenUrl), scopes);
  const client = flow('clientCredentials');
  if (client) {
    return {
      grantType: 'CLIENT_CREDENTIALS',
      authEndpoint: text(client.tokenUrl),
      clientID: '',
      clientSecret: '',
      scopes,
      token: '',
      clientAuthentication: 'IN_BODY',
      tokenRequestParams: [],
      refreshRequestParams: [],
    };
  }
  const password = flow('password');
  if (password) {
    return {
      grantType: 'PASSWORD',
      authEndpoint: text(password.tokenUrl),
      clientID: '',
      clientSecret: '',
      scopes,
      username: '',
      password: '',
      token: '',
      tokenRequestParams: [],
      refreshRequestParams: [],
    };
  }
  const implicit = flow('implicit');
  if (implicit) {
    return {
      grantType: 'IMPLICIT',
      authEndpoint: text(implicit.authorizationUrl),
      clientID: '',
      scopes,
      token: '',
      authRequestParams: [],
      refreshRequestParams: [],
    };
  }
  return authorizationCode('', '', scopes);
}
