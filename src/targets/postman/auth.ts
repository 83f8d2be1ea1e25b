/**
 * Postman auth: the format keeps an auth method's settings as a list of
 * `{ key, value, type }` attributes under the method's name
 * (`{ type: "bearer", bearer: [{ key: "token", value: "{{bearerToken}}", type: "string" }] }`).
 * Here they are built from a plain record.
 *
 * @module
 */
import type { PostmanAuth, PostmanAuthAttribute } from './schema.js';

/** An auth method's settings as a record, e.g. `{ type: "bearer", values: { token: "{{bearerToken}}" } }`. */
export interface AuthValues {
  /** The Postman auth type: `noauth`, `bearer`, `basic`, `apikey`, `oauth2`, `digest`, … */
  type: string;
  /** The method's attributes by key, in the order they are written. */
  values: Record<string, unknown>;
}

/** A Postman auth with these settings, each attribute typed as the app types it (`string`, `boolean`, else `any`). `noauth` has none. */
export function postmanAuth(settings: AuthValues): PostmanAuth {
  if (settings.type === 'noauth') return { type: 'noauth' };
  const attributes: PostmanAuthAttribute[] = Object.entries(settings.values).map(([key, value]) => ({
    key,
    value,
    type: attributeType(value),
  }));
  return { type: settings.type, [settings.type]: attributes };
}

function attributeType(value: unknown): string {
  return typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'any';
}
