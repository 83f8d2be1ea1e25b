/**
 * Client-neutral request bodies (../collection/body.ts) to Hoppscotch bodies.
 *
 * @module
 */
import type { ModelBody } from '../collection/index.js';
import { HOPP_TEXT_CONTENT_TYPES, type HoppBody } from './schema.js';

export { mediaTypeRank, orderedMediaTypes } from '../collection/index.js';

/**
 * Hoppscotch's form of a request body:
 * - JSON-like: Hoppscotch's own JSON variants (`ld+json`, `hal+json`,
 *   `vnd.api+json`) keep their type, other `+json` types become `application/json`;
 * - `multipart/form-data`: form fields (binary ones as file fields);
 * - `application/x-www-form-urlencoded`: `key: value` lines;
 * - XML (`+xml` types as `application/xml`), `text/plain`, `text/html`: the text;
 * - anything else: `application/octet-stream` with no body.
 */
export function hoppBody(body: ModelBody): HoppBody {
  switch (body.kind) {
    case 'none':
      return { contentType: null, body: null };
    case 'json': {
      const contentType = (HOPP_TEXT_CONTENT_TYPES as readonly string[]).includes(body.mediaType)
        ? (body.mediaType as (typeof HOPP_TEXT_CONTENT_TYPES)[number])
        : 'application/json';
      return { contentType, body: body.text };
    }
    case 'form':
      return {
        contentType: 'multipart/form-data',
        body: body.fields.map(({ name, value, file }) =>
          file ? { key: name, active: true, isFile: true, value: [] } : { key: name, active: true, isFile: false, value },
        ),
      };
    case 'urlencoded':
      return {
        contentType: 'application/x-www-form-urlencoded',
        body: body.fields.map(({ name, value }) => `${name}: ${value}`).join('\n'),
      };
    case 'text': {
      const contentType = body.mediaType.endsWith('+xml')
        ? 'application/xml'
        : (body.mediaType as 'application/xml' | 'text/xml' | 'text/plain' | 'text/html');
      return { contentType, body: body.text };
    }
    case 'binary':
      return { contentType: 'application/octet-stream', body: null };
  }
}
