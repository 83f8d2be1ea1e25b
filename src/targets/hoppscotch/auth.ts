/**
 * Client-neutral auth (../collection/auth.ts) to Hoppscotch auth.
 *
 * @module
 */
import { type ModelAuth, authVariable, modelAuth } from '../collection/index.js';
import type { HoppAuth, HoppOAuth2Grant } from './schema.js';

/**
 * The Hoppscotch auth of an operation (or, with `level: 'collection'`, of
 * the whole collection from the document's `security`): see `modelAuth` for
 * which scheme is taken; written with {@link hoppAuth}.
 */
export function renderAuth(security: unknown, document: Record<string, unknown>, level: 'request' | 'collection'): HoppAuth {
  return hoppAuth(modelAuth(security, document, level));
}

/**
 * Hoppscotch's form of a client-neutral auth, each credential a reference to
 * its auth variable (`<<bearerAuth_token>>`, see `authVariables`).
 */
export function hoppAuth(auth: ModelAuth): HoppAuth {
  const ref = (part: Parameters<typeof authVariable>[1]) => ('scheme' in auth ? `<<${authVariable(auth.scheme, part)}>>` : '');
  switch (auth.type) {
    case 'inherit':
    case 'none':
      return { authType: auth.type, authActive: true };
    case 'basic':
      return { authType: 'basic', authActive: true, username: ref('username'), password: ref('password') };
    case 'bearer':
      return { authType: 'bearer', authActive: true, token: ref('token') };
    case 'digest':
      return {
        authType: 'digest',
        authActive: true,
        username: ref('username'),
        password: ref('password'),
        realm: '',
        nonce: '',
        algorithm: 'MD5',
        qop: 'auth',
        nc: '',
        cnonce: '',
        opaque: '',
        disableRetry: false,
      };
    case 'apiKey':
      return {
        authType: 'api-key',
        authActive: true,
        key: auth.name,
        value: ref('key'),
        addTo: auth.in === 'header' ? 'HEADERS' : 'QUERY_PARAMS',
      };
    case 'oauth2':
      return {
        authType: 'oauth-2',
        authActive: true,
        grantTypeInfo: oauthGrant(auth, ref('clientId'), ref('clientSecret')),
        addTo: 'HEADERS',
      };
  }
}

function oauthGrant(auth: Extract<ModelAuth, { type: 'oauth2' }>, clientID: string, clientSecret: string): HoppOAuth2Grant {
  const { scopes } = auth;
  switch (auth.flow) {
    case 'clientCredentials':
      return {
        grantType: 'CLIENT_CREDENTIALS',
        authEndpoint: auth.tokenUrl,
        clientID,
        clientSecret,
        scopes,
        token: '',
        clientAuthentication: 'IN_BODY',
        tokenRequestParams: [],
        refreshRequestParams: [],
      };
    case 'password':
      return {
        grantType: 'PASSWORD',
        authEndpoint: auth.tokenUrl,
        clientID,
        clientSecret,
        scopes,
        username: '',
        password: '',
        token: '',
        tokenRequestParams: [],
        refreshRequestParams: [],
      };
    case 'implicit':
      return {
        grantType: 'IMPLICIT',
        authEndpoint: auth.authorizationUrl,
        clientID,
        scopes,
        token: '',
        authRequestParams: [],
        refreshRequestParams: [],
      };
    case 'authorizationCode':
      return {
        grantType: 'AUTHORIZATION_CODE',
        authEndpoint: auth.authorizationUrl,
        tokenEndpoint: auth.tokenUrl,
        clientID,
        clientSecret,
        scopes,
        token: '',
        isPKCE: false,
        authRequestParams: [],
        tokenRequestParams: [],
        refreshRequestParams: [],
      };
  }
}
