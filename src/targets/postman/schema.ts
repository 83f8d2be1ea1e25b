/**
 * The Postman Collection v2.1 file format, as far as the Postman target reads
 * and writes it: types for every part it touches, and a zod schema that
 * checks those parts and keeps everything else as it is (unknown keys pass
 * through untouched, so a sync never drops what a newer Postman wrote).
 *
 * Format: https://schema.getpostman.com/json/collection/v2.1.0/collection.json
 *
 * @module
 */
import { z } from 'zod';

/** The `info.schema` of a Postman Collection v2.1 file. */
export const POSTMAN_SCHEMA_URL = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

/** A description: plain text (Markdown), or the object form Postman also writes. */
export type PostmanDescription = string | { content?: string; type?: string; version?: unknown } | null;

/** A header, query parameter or urlencoded field. `disabled: true` is an entry the user unchecked. */
export interface PostmanKeyValue {
  key: string | null;
  value?: string | null;
  disabled?: boolean;
  description?: PostmanDescription;
  [extra: string]: unknown;
}

/** A variable: of the collection, a folder, or a path variable of a URL (`:id`). */
export interface PostmanVariable {
  id?: string;
  key?: string;
  value?: unknown;
  type?: string;
  name?: string;
  description?: PostmanDescription;
  disabled?: boolean;
  [extra: string]: unknown;
}

/** A URL in object form. `raw` is what the app shows; the parts are what runners use. */
export interface PostmanUrl {
  raw?: string;
  protocol?: string;
  host?: string | string[];
  path?: string | string[];
  port?: string;
  query?: PostmanKeyValue[];
  hash?: string;
  variable?: PostmanVariable[];
  [extra: string]: unknown;
}

/** One attribute of an auth method, e.g. `{ key: "token", value: "{{bearerToken}}", type: "string" }`. */
export interface PostmanAuthAttribute {
  key: string;
  value?: unknown;
  type?: string;
  [extra: string]: unknown;
}

/** Auth of a collection, folder or request. `type: "noauth"` is none; no `auth` at all inherits the parent's. */
export interface PostmanAuth {
  type: string;
  [method: string]: PostmanAuthAttribute[] | string | unknown;
}

/** A form-data field: text, or a file (`type: "file"`, `src`). */
export interface PostmanFormField {
  key: string;
  value?: string;
  src?: string | string[] | null;
  type?: 'text' | 'file' | string;
  contentType?: string;
  disabled?: boolean;
  description?: PostmanDescription;
  [extra: string]: unknown;
}

/** A request body. */
export interface PostmanBody {
  mode?: 'raw' | 'urlencoded' | 'formdata' | 'file' | 'graphql' | string;
  raw?: string;
  urlencoded?: PostmanKeyValue[];
  formdata?: PostmanFormField[];
  file?: { src?: string | null; content?: string };
  graphql?: Record<string, unknown>;
  options?: Record<string, unknown>;
  disabled?: boolean;
  [extra: string]: unknown;
}

/** A request. */
export interface PostmanRequest {
  url?: PostmanUrl | string;
  method?: string;
  header?: PostmanKeyValue[] | string;
  body?: PostmanBody | null;
  auth?: PostmanAuth | null;
  description?: PostmanDescription;
  [extra: string]: unknown;
}

/** A script: JavaScript as lines (`exec`), run before the request (`prerequest`) or after it (`test`). */
export interface PostmanScript {
  id?: string;
  type?: string;
  exec?: string[] | string;
  src?: unknown;
  name?: string;
  [extra: string]: unknown;
}

/** A pre-request or test script attached to a collection, folder or request. */
export interface PostmanEvent {
  id?: string;
  listen: 'prerequest' | 'test' | string;
  script?: PostmanScript;
  disabled?: boolean;
  [extra: string]: unknown;
}

/** A saved response (an "example" in the app). */
export interface PostmanResponse {
  id?: string;
  name?: string;
  originalRequest?: PostmanRequest;
  status?: string;
  code?: number;
  header?: PostmanKeyValue[] | string | null;
  body?: string | null;
  cookie?: unknown[];
  responseTime?: unknown;
  _postman_previewlanguage?: string | null;
  [extra: string]: unknown;
}

/** A request item. */
export interface PostmanItem {
  id?: string;
  name?: string;
  description?: PostmanDescription;
  request: PostmanRequest | string;
  response?: PostmanResponse[];
  event?: PostmanEvent[];
  variable?: PostmanVariable[];
  protocolProfileBehavior?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A folder. */
export interface PostmanFolder {
  id?: string;
  name?: string;
  description?: PostmanDescription;
  item: Array<PostmanItem | PostmanFolder>;
  event?: PostmanEvent[];
  variable?: PostmanVariable[];
  auth?: PostmanAuth | null;
  [extra: string]: unknown;
}

/** The `info` block of a collection. */
export interface PostmanInfo {
  _postman_id?: string;
  name: string;
  description?: PostmanDescription;
  schema: string;
  version?: unknown;
  [extra: string]: unknown;
}

/** A Postman Collection v2.1 file. */
export interface PostmanCollection {
  info: PostmanInfo;
  item: Array<PostmanItem | PostmanFolder>;
  event?: PostmanEvent[];
  variable?: PostmanVariable[];
  auth?: PostmanAuth | null;
  [extra: string]: unknown;
}

/** Whether an entry of an `item` array is a folder (it has its own `item` array) rather than a request. */
export function isPostmanFolder(entry: PostmanItem | PostmanFolder): entry is PostmanFolder {
  return Array.isArray((entry as PostmanFolder).item);
}

// ------------------------------------------------------------------ zod

const description = z.union([z.string(), z.looseObject({ content: z.string().optional() }), z.null()]).optional();
const keyValue = z.looseObject({
  key: z.string().nullable(),
  value: z.string().nullable().optional(),
  disabled: z.boolean().optional(),
  description,
});
const variable = z.looseObject({
  id: z.string().optional(),
  key: z.string().optional(),
  disabled: z.boolean().optional(),
  description,
});
const url = z.union([
  z.string(),
  z.looseObject({
    raw: z.string().optional(),
    host: z.union([z.string(), z.array(z.string())]).optional(),
    path: z.union([z.string(), z.array(z.string())]).optional(),
    query: z.array(keyValue).optional(),
    variable: z.array(variable).optional(),
  }),
]);
const auth = z
  .looseObject({ type: z.string() })
  .superRefine((value, context) => {
    const attributes = (value as Record<string, unknown>)[value.type];
    if (attributes === undefined) return;
    const ok = Array.isArray(attributes) && attributes.every((a) => a !== null && typeof a === 'object' && typeof a.key === 'string');
    if (!ok) context.addIssue({ code: 'custom', path: [value.type], message: `an array of { key, value } attributes` });
  })
  .nullable()
  .optional();
const body = z
  .looseObject({
    mode: z.string().optional(),
    raw: z.string().optional(),
    urlencoded: z.array(keyValue).optional(),
    formdata: z.array(z.looseObject({ key: z.string(), disabled: z.boolean().optional() })).optional(),
    disabled: z.boolean().optional(),
  })
  .nullable()
  .optional();
const request = z.union([
  z.string(),
  z.looseObject({
    url: url.optional(),
    method: z.string().optional(),
    header: z.union([z.array(keyValue), z.string()]).optional(),
    body,
    auth,
    description,
  }),
]);
const event = z.looseObject({
  listen: z.string(),
  script: z.looseObject({ exec: z.union([z.array(z.string()), z.string()]).optional() }).optional(),
  disabled: z.boolean().optional(),
});
const response = z.looseObject({
  name: z.string().optional(),
  code: z.number().optional(),
  body: z.string().nullable().optional(),
});
/** A request item (checked without its folder context; {@link parsePostmanCollection} walks the tree). */
export const PostmanItemSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  description,
  request,
  response: z.array(response).optional(),
  event: z.array(event).optional(),
  variable: z.array(variable).optional(),
});

/** A folder, its `item` entries unchecked (each is checked as a folder or an item on its own). */
export const PostmanFolderSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  description,
  item: z.array(z.unknown()),
  event: z.array(event).optional(),
  variable: z.array(variable).optional(),
  auth,
});

/** The top level of a collection, its `item` entries unchecked (see {@link PostmanFolderSchema}). */
export const PostmanCollectionSchema = z.looseObject({
  info: z.looseObject({ _postman_id: z.string().optional(), name: z.string(), description, schema: z.string() }),
  item: z.array(z.unknown()),
  event: z.array(event).optional(),
  variable: z.array(variable).optional(),
  auth,
});
