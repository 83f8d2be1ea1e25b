/**
 * Request bodies and saved responses: OpenAPI media types to client-neutral
 * bodies and response examples.
 *
 * @module
 */
import { exampleFromSchema, resolveRef } from './example.js';

/**
 * A request body, client-neutral. `mediaType` is the media type it was made
 * from, lower case, without parameters:
 * - `json`: JSON text (an example, else one generated from the schema);
 * - `form` (`multipart/form-data`): one field per schema property, binary ones as files;
 * - `urlencoded`: one field per schema property;
 * - `text` (XML, plain text, HTML): the example if it is a string, else empty;
 * - `binary`: any other media type, no content;
 * - `none`: the operation has no request body.
 */
export type ModelBody =
  | { kind: 'none' }
  | { kind: 'json' | 'text'; mediaType: string; text: string }
  | { kind: 'form'; mediaType: string; fields: Array<{ name: string; value: string; file: boolean }> }
  | { kind: 'urlencoded'; mediaType: string; fields: Array<{ name: string; value: string }> }
  | { kind: 'binary'; mediaType: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The media type part of a content type, lower case, without parameters. */
export function bare(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

function isJson(mediaType: string): boolean {
  const m = bare(mediaType);
  return m === 'application/json' || m.endsWith('+json') || m === '*/*' || m === 'application/*';
}

/**
 * Preference of a media type when an operation offers several; lower is
 * better: JSON (plain first, then `+json`, then wildcards), forms
 * (multipart, then urlencoded), XML, plain text, HTML, anything else.
 */
export function mediaTypeRank(mediaType: string): number {
  const m = bare(mediaType);
  if (m === 'application/json') return 0;
  if (m.endsWith('+json')) return 1;
  if (m === '*/*' || m === 'application/*') return 2;
  if (m === 'multipart/form-data') return 3;
  if (m === 'application/x-www-form-urlencoded') return 4;
  if (m === 'application/xml' || m === 'text/xml' || m.endsWith('+xml')) return 5;
  if (m === 'text/plain') return 6;
  if (m === 'text/html') return 7;
  return 8;
}

/** The media types of a `content` map, best first (ties keep document order). */
export function orderedMediaTypes(content: unknown): string[] {
  if (!isObject(content)) return [];
  return Object.keys(content)
    .map((key, index) => ({ key, index, rank: mediaTypeRank(key) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.key);
}

/** The example of a media type object: `example`, else the first of `examples` (following `$ref`s), else none. */
export function mediaExamples(media: Json, document: Json): Array<{ name: string | undefined; value: unknown }> {
  if (media.example !== undefined) return [{ name: undefined, value: media.example }];
  const out: Array<{ name: string | undefined; value: unknown }> = [];
  if (isObject(media.examples)) {
    for (const [name, raw] of Object.entries(media.examples)) {
      const example = resolveRef(raw, document);
      if (isObject(example) && example.value !== undefined) out.push({ name, value: example.value });
    }
  }
  return out;
}

function serialise(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}

/**
 * JSON text of an example for a JSON body. A string example that already is
 * JSON text is kept as written; any other string is encoded as a JSON
 * string (clients refuse to send a JSON body that does not parse).
 */
function jsonText(value: unknown): string {
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
      return value;
    } catch {
      return JSON.stringify(value);
    }
  }
  return JSON.stringify(value, null, 2);
}

function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** What {@link renderBody} returns: the body, and the media types the body does not show. */
export interface RenderedBody {
  body: ModelBody;
  /** The media type the body was made from, if any. */
  mediaType: string | undefined;
  /** The operation's other request media types, best first. */
  others: string[];
}

/**
 * The body of a request from an operation's `requestBody`: the preferred
 * media type (see {@link mediaTypeRank}) becomes the body (see
 * {@link ModelBody}), the others are returned in `others` (the renderer
 * lists them in the request description).
 */
export function renderBody(requestBody: unknown, document: Json): RenderedBody {
  const resolved = resolveRef(requestBody, document);
  const ordered = isObject(resolved) ? orderedMediaTypes(resolved.content) : [];
  const chosen = ordered[0];
  if (!isObject(resolved) || chosen === undefined) return { body: { kind: 'none' }, mediaType: undefined, others: [] };
  const content = resolved.content as Json;
  const media = isObject(content[chosen]) ? content[chosen] : {};
  return { body: bodyFor(chosen, media, document), mediaType: chosen, others: ordered.slice(1) };
}

function exampleOf(media: Json, document: Json, direction: 'request' | 'response'): unknown {
  const [first] = mediaExamples(media, document);
  if (first !== undefined) return first.value;
  return exampleFromSchema(media.schema, { document, direction });
}

function bodyFor(mediaType: string, media: Json, document: Json): ModelBody {
  const m = bare(mediaType);
  if (isJson(m)) {
    const value = exampleOf(media, document, 'request');
    return { kind: 'json', mediaType: m, text: value === undefined ? '' : jsonText(value) };
  }
  if (m === 'multipart/form-data' || m === 'application/x-www-form-urlencoded') {
    const schema = resolveRef(media.schema, document);
    const value = exampleOf(media, document, 'request');
    const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
    const fields = isObject(value) ? Object.entries(value) : Object.keys(properties).map((key) => [key, undefined] as const);
    if (m === 'multipart/form-data') {
      return {
        kind: 'form',
        mediaType: m,
        fields: fields.map(([name, fieldValue]) =>
          isFileSchema(resolveRef(properties[name], document), document)
            ? { name, value: '', file: true }
            : { name, value: scalar(fieldValue), file: false },
        ),
      };
    }
    return { kind: 'urlencoded', mediaType: m, fields: fields.map(([name, fieldValue]) => ({ name, value: scalar(fieldValue) })) };
  }
  if (m === 'application/xml' || m === 'text/xml' || m === 'text/plain' || m === 'text/html' || m.endsWith('+xml')) {
    const [first] = mediaExamples(media, document);
    return { kind: 'text', mediaType: m, text: typeof first?.value === 'string' ? first.value : '' };
  }
  return { kind: 'binary', mediaType: m };
}

function isFileSchema(schema: unknown, document: Json): boolean {
  if (!isObject(schema)) return false;
  if (schema.format === 'binary' || schema.format === 'base64' || typeof schema.contentMediaType === 'string') return true;
  if (schema.type === 'array') return isFileSchema(resolveRef(schema.items, document), document);
  return false;
}

/** Reason phrases of the status codes a saved response may carry. */
const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  511: 'Network Authentication Required',
};

/** One saved response before it is tied to its request. */
export interface ResponseExample {
  name: string;
  status: string;
  code: number | null;
  headers: Array<{ key: string; value: string }>;
  body: string;
}

/**
 * Saved responses from an operation's `responses`, in document order: one
 * per response example (`example`, or each of `examples`) of the preferred
 * media type. Named by the response `description`, else its status code;
 * with several examples, the example's name follows in parentheses; a name
 * already taken gets ` (2)`, ` (3)`, ... Responses without examples give none.
 */
export function responseExamples(responses: unknown, document: Json): ResponseExample[] {
  if (!isObject(responses)) return [];
  const out: ResponseExample[] = [];
  const taken = new Set<string>();
  for (const [status, raw] of Object.entries(responses)) {
    const response = resolveRef(raw, document);
    if (!isObject(response)) continue;
    const [mediaType] = orderedMediaTypes(response.content);
    if (mediaType === undefined) continue;
    const media = (response.content as Json)[mediaType];
    if (!isObject(media)) continue;
    const examples = mediaExamples(media, document);
    const code = /^[1-5]\d\d$/.test(status) ? Number(status) : null;
    const base = typeof response.description === 'string' && response.description.trim() !== '' ? response.description.trim() : status;
    for (const example of examples) {
      let name = examples.length > 1 && example.name !== undefined ? `${base} (${example.name})` : base;
      for (let n = 2; taken.has(name); n++)
        name = `${examples.length > 1 && example.name !== undefined ? `${base} (${example.name})` : base} (${n})`;
      taken.add(name);
      out.push({
        name,
        status: code === null ? '' : (REASONS[code] ?? ''),
        code,
        headers: [{ key: 'content-type', value: mediaType }],
        body: serialise(example.value),
      });
    }
  }
  return out;
}
