/**
 * Postman auth: the format keeps an auth method's settings as a list of
 * `{ key, value, type }` attributes under the method's name
 * (`{ type: "bearer", bearer: [{ key: "token", value: "{{bearerToken}}", type: "string" }] }`).
 * Here they become a plain record and back; writing back over the file's own
 * auth keeps its attribute order and each attribute's extra fields.
 *
 * @module
 */
import type { PostmanAuth, PostmanAuthAttribute } from './schema.js';

/** An auth method's settings as a record, e.g. `{ type: "bearer", values: { token: "{{bearerToken}}" } }`. */
export interface AuthValues {
  /** The Postman auth type: `noauth`, `bearer`, `basic`, `apikey`, `oauth2`, `digest`, … */
  type: string;
  /** The method's attributes by key. */
  values: Record<string, unknown>;
}

/** The settings of a Postman auth as a record (see {@link AuthValues}). */
export function authValues(auth: PostmanAuth): AuthValues {
  const attributes = auth[auth.type];
  const values: Record<string, unknown> = {};
  if (Array.isArray(attributes)) for (const attribute of attributes as PostmanAuthAttribute[]) values[attribute.key] = attribute.value;
  return { type: auth.type, values };
}

/**
 * A Postman auth with these settings. Attributes of `previous` (the same
 * method, as the file had it) keep their place and their extra fields; new
 * ones follow in the order of `values`. `noauth` has no attributes.
 */
export function postmanAuth(settings: AuthValues, previous?: PostmanAuth | null): PostmanAuth {
  if (settings.type === 'noauth') return { type: 'noauth' };
  const before =
    previous?.type === settings.type && Array.isArray(previous[settings.type]) ? (previous[settings.type] as PostmanAuthAttribute[]) : [];
  const attributes: PostmanAuthAttribute[] = [];
  const seen = new Set<string>();
  for (const attribute of before) {
    if (!Object.hasOwn(settings.values, attribute.key)) continue;
    attributes.push({ ...attribute, value: settings.values[attribute.key], type: attributeType(settings.values[attribute.key]) });
    seen.add(attribute.key);
  }
  for (const [key, value] of Object.entries(settings.values)) {
    if (!seen.has(key)) attributes.push({ key, value, type: attributeType(value) });
  }
  return { type: settings.type, [settings.type]: attributes };
}

function attributeType(value: unknown): string {
  return typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'any';
}
