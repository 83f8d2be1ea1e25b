/**
 * Zod schemas and types of the Hoppscotch collection file format: collection
 * v12 (and v11, which lacks collection-level scripts), REST request `"17"`,
 * saved responses (original request `"6"`). `parseCollection` (parse.ts)
 * validates a file with them.
 *
 * Fields that Hoppscotch fills in when they are missing get the same default
 * here; a field of the wrong type is an error (Hoppscotch would blank it
 * silently, which a sync must not do to the user's data). Unknown keys pass
 * and are kept.
 *
 * @module
 */
import { z } from 'zod';

const text = () => z.string().default('');
const flag = (value: boolean) => z.boolean().default(value);

/** A query parameter or header row of a request, folder or collection. */
export const HoppKeyValueSchema = z.looseObject({
  key: text(),
  value: text(),
  active: flag(true),
  description: text(),
});
/** A query parameter or header row: `{ key, value, active, description }`. */
export type HoppKeyValue = z.infer<typeof HoppKeyValueSchema>;

/** A request variable, filling a `<<name>>` placeholder of the endpoint. */
export const HoppRequestVariableSchema = z.looseObject({ key: text(), value: text(), active: flag(true) });
/** A request variable: `{ key, value, active }`. */
export type HoppRequestVariable = z.infer<typeof HoppRequestVariableSchema>;

/** A collection or folder variable (collection v10 and later). */
export const HoppCollectionVariableSchema = z.looseObject({
  key: z.string(),
  initialValue: z.string(),
  currentValue: z.string(),
  secret: z.boolean(),
});
/** A collection or folder variable: `{ key, initialValue, currentValue, secret }`. */
export type HoppCollectionVariable = z.infer<typeof HoppCollectionVariableSchema>;

const token = () => z.string().default('');
const oauthParam = z.looseObject({ id: z.number(), key: z.string(), value: z.string(), active: z.boolean() });
const oauthSentParam = oauthParam.extend({ sendIn: z.enum(['headers', 'url', 'body']).default('headers') });
const tokenType = z.enum(['access_token', 'id_token']).optional();

/** The `grantTypeInfo` of an `oauth-2` auth, one shape per grant type. */
export const HoppOAuth2GrantSchema = z.discriminatedUnion('grantType', [
  z.looseObject({
    grantType: z.literal('AUTHORIZATION_CODE'),
    authEndpoint: z.string(),
    tokenEndpoint: z.string(),
    clientID: z.string(),
    clientSecret: z.string().optional(),
    scopes: z.string().optional(),
    token: token(),
    isPKCE: z.boolean(),
    codeVerifierMethod: z.enum(['plain', 'S256']).optional(),
    refreshToken: z.string().optional(),
    authRequestParams: z.array(oauthParam).default([]),
    tokenRequestParams: z.array(oauthSentParam).default([]),
    refreshRequestParams: z.array(oauthSentParam).default([]),
    tokenType,
  }),
  z.looseObject({
    grantType: z.literal('CLIENT_CREDENTIALS'),
    authEndpoint: z.string(),
    clientID: z.string(),
    clientSecret: z.string().optional(),
    scopes: z.string().optional(),
    token: token(),
    clientAuthentication: z.enum(['AS_BASIC_AUTH_HEADERS', 'IN_BODY']),
    tokenRequestParams: z.array(oauthSentParam).default([]),
    refreshRequestParams: z.array(oauthSentParam).default([]),
    tokenType,
  }),
  z.looseObject({
    grantType: z.literal('PASSWORD'),
    authEndpoint: z.string(),
    clientID: z.string(),
    clientSecret: z.string().optional(),
    scopes: z.string().optional(),
    username: z.string(),
    password: z.string(),
    token: token(),
    tokenRequestParams: z.array(oauthSentParam).default([]),
    refreshRequestParams: z.array(oauthSentParam).default([]),
    tokenType,
  }),
  z.looseObject({
    grantType: z.literal('IMPLICIT'),
    authEndpoint: z.string(),
    clientID: z.string(),
    scopes: z.string().optional(),
    token: token(),
    authRequestParams: z.array(oauthParam).default([]),
    refreshRequestParams: z.array(oauthSentParam).default([]),
    tokenType,
  }),
]);
/** The `grantTypeInfo` of an `oauth-2` auth. */
export type HoppOAuth2Grant = z.infer<typeof HoppOAuth2GrantSchema>;

const addTo = z.enum(['HEADERS', 'QUERY_PARAMS']).default('HEADERS');

/** Authorization of a request, folder or collection (request `"17"`, collection v12). */
export const HoppAuthSchema = z.discriminatedUnion('authType', [
  z.looseObject({ authType: z.literal('none'), authActive: z.boolean() }),
  z.looseObject({ authType: z.literal('inherit'), authActive: z.boolean() }),
  z.looseObject({ authType: z.literal('basic'), authActive: z.boolean(), username: text(), password: text() }),
  z.looseObject({ authType: z.literal('bearer'), authActive: z.boolean(), token: text() }),
  z.looseObject({ authType: z.literal('oauth-2'), authActive: z.boolean(), grantTypeInfo: HoppOAuth2GrantSchema, addTo }),
  z.looseObject({ authType: z.literal('api-key'), authActive: z.boolean(), key: text(), value: text(), addTo }),
  z.looseObject({
    authType: z.literal('aws-signature'),
    authActive: z.boolean(),
    accessKey: text(),
    secretKey: text(),
    region: text(),
    serviceName: text(),
    serviceToken: z.string().optional(),
    addTo,
  }),
  z.looseObject({
    authType: z.literal('digest'),
    authActive: z.boolean(),
    username: text(),
    password: text(),
    realm: text(),
    nonce: text(),
    algorithm: z.enum(['MD5', 'MD5-sess']).default('MD5'),
    qop: z.enum(['auth', 'auth-int']).default('auth'),
    nc: text(),
    cnonce: text(),
    opaque: text(),
    disableRetry: flag(false),
  }),
  z.looseObject({
    authType: z.literal('hawk'),
    authActive: z.boolean(),
    authId: text(),
    authKey: text(),
    algorithm: z.enum(['sha256', 'sha1']).default('sha256'),
    includePayloadHash: flag(false),
  }),
  z.looseObject({
    authType: z.literal('akamai-eg'),
    authActive: z.boolean(),
    accessToken: text(),
    clientToken: text(),
    clientSecret: text(),
  }),
  z.looseObject({
    authType: z.literal('jwt'),
    authActive: z.boolean(),
    secret: text(),
    privateKey: text(),
    algorithm: z
      .enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'])
      .default('HS256'),
    payload: z.string().default('{}'),
    addTo,
    isSecretBase64Encoded: flag(false),
    headerPrefix: z.string().default('Bearer '),
    paramName: z.string().default('token'),
    jwtHeaders: z.string().default('{}'),
  }),
]);
/** Authorization of a request, folder or collection, discriminated by `authType`. */
export type HoppAuth = z.infer<typeof HoppAuthSchema>;

/** The text content types a request body may declare with a string body. */
export const HOPP_TEXT_CONTENT_TYPES = [
  'application/json',
  'application/ld+json',
  'application/hal+json',
  'application/vnd.api+json',
  'application/xml',
  'text/xml',
  'binary',
  'text/html',
  'text/plain',
] as const;

const formField = z.union([
  z.looseObject({
    key: z.string(),
    active: z.boolean(),
    contentType: z.string().optional(),
    isFile: z.literal(false),
    value: z.string(),
  }),
  z.looseObject({
    key: z.string(),
    active: z.boolean(),
    contentType: z.string().optional(),
    isFile: z.literal(true),
    value: z.array(z.null()),
  }),
]);
/** One field of a `multipart/form-data` body. A file field holds no file in a file. */
export type HoppFormField = z.infer<typeof formField>;

/** A request body, discriminated by `contentType`. */
export const HoppBodySchema = z.discriminatedUnion('contentType', [
  z.looseObject({ contentType: z.null(), body: z.null() }),
  z.looseObject({
    contentType: z.literal('multipart/form-data'),
    body: z.array(formField),
    showIndividualContentType: z.boolean().optional(),
    isBulkEditing: z.boolean().optional(),
  }),
  z.looseObject({ contentType: z.literal('application/octet-stream'), body: z.null() }),
  z.looseObject({ contentType: z.literal('application/x-www-form-urlencoded'), body: z.string(), isBulkEditing: z.boolean().optional() }),
  z.looseObject({ contentType: z.enum(HOPP_TEXT_CONTENT_TYPES), body: z.string() }),
]);
/** A request body. */
export type HoppBody = z.infer<typeof HoppBodySchema>;

/** The request a saved response was recorded for (version `"6"`). */
export const HoppOriginalRequestSchema = z.looseObject({
  v: z.literal('6'),
  name: z.string(),
  method: z.string(),
  endpoint: z.string(),
  headers: z.array(HoppKeyValueSchema),
  params: z.array(HoppKeyValueSchema),
  body: HoppBodySchema,
  auth: HoppAuthSchema,
  requestVariables: z.array(HoppRequestVariableSchema),
});
/** The request a saved response was recorded for. */
export type HoppOriginalRequest = z.infer<typeof HoppOriginalRequestSchema>;

/** A saved (example) response of a request. */
export const HoppResponseSchema = z.looseObject({
  name: z.string(),
  originalRequest: HoppOriginalRequestSchema,
  status: z.string(),
  code: z.number().int().nullable().default(null),
  headers: z.array(z.looseObject({ key: z.string(), value: z.string() })),
  body: z.string(),
});
/** A saved (example) response: `{ name, originalRequest, status, code, headers, body }`. */
export type HoppResponse = z.infer<typeof HoppResponseSchema>;

/** A REST request, version `"17"`. */
export const HoppRequestSchema = z.looseObject({
  v: z.literal('17'),
  id: z.string().optional(),
  _ref_id: z.string().optional(),
  name: z.string(),
  method: z.string(),
  endpoint: z.string(),
  params: z.array(HoppKeyValueSchema),
  headers: z.array(HoppKeyValueSchema),
  preRequestScript: text(),
  testScript: text(),
  auth: HoppAuthSchema,
  body: HoppBodySchema,
  requestVariables: z.array(HoppRequestVariableSchema),
  responses: z.record(z.string(), HoppResponseSchema),
  description: z.string().nullable().default(null),
});
/** A REST request, version `"17"`. */
export type HoppRequest = z.infer<typeof HoppRequestSchema>;

interface CollectionFields {
  id?: string;
  _ref_id?: string;
  name: string;
  requests: HoppRequest[];
  auth: HoppAuth;
  headers: HoppKeyValue[];
  variables: HoppCollectionVariable[];
  description: string | null;
}

/** A collection or folder of version 11: no collection-level scripts, v11 folders only. */
export interface HoppCollectionV11 extends CollectionFields {
  v: 11;
  folders: HoppCollectionV11[];
}

/** A collection or folder of version 12 (the newest): folders of v11 or v12. */
export interface HoppCollectionV12 extends CollectionFields {
  v: 12;
  preRequestScript: string;
  testScript: string;
  folders: HoppCollection[];
}

/** A collection or folder (folders are collections nested in `folders`). Check `v` to tell the versions apart. */
export type HoppCollection = HoppCollectionV12 | HoppCollectionV11;

/** The versions of collection this library reads and writes. */
export const HOPP_COLLECTION_VERSIONS = [11, 12] as const;
/** The newest collection version ({@link HoppCollectionV12}). */
export const HOPP_COLLECTION_VERSION = 12;
/** The REST request version this library reads and writes. */
export const HOPP_REQUEST_VERSION = '17';

const collectionFields = {
  id: z.string().optional(),
  _ref_id: z.string().optional(),
  name: z.string(),
  requests: z.array(HoppRequestSchema),
  auth: HoppAuthSchema,
  headers: z.array(HoppKeyValueSchema),
  variables: z.array(HoppCollectionVariableSchema),
  description: z.string().nullable().default(null),
};

/** Schema of a v11 collection or folder. */
export const HoppCollectionV11Schema: z.ZodType<HoppCollectionV11> = z.looseObject({
  v: z.literal(11),
  ...collectionFields,
  get folders() {
    return z.array(HoppCollectionV11Schema);
  },
}) as unknown as z.ZodType<HoppCollectionV11>;

/** Schema of a v12 collection or folder. */
export const HoppCollectionV12Schema: z.ZodType<HoppCollectionV12> = z.looseObject({
  v: z.literal(12),
  ...collectionFields,
  preRequestScript: text(),
  testScript: text(),
  get folders() {
    return z.array(HoppCollectionSchema);
  },
}) as unknown as z.ZodType<HoppCollectionV12>;

/** Schema of a collection of either supported version, chosen by `v`. */
export const HoppCollectionSchema: z.ZodType<HoppCollection> = z.lazy(() =>
  z.union([HoppCollectionV12Schema, HoppCollectionV11Schema]),
) as z.ZodType<HoppCollection>;
