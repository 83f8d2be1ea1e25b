/**
 * Example values from OpenAPI 3.0 / 3.1 schemas, for request bodies,
 * parameters and saved responses. Pure and deterministic: the same schema
 * always gives the same value (no dates of today, no random ids).
 *
 * @module
 */

/** Options of {@link exampleFromSchema}. */
export interface ExampleOptions {
  /** The whole OpenAPI document, to resolve internal `$ref`s (`#/components/...`). */
  document?: unknown;
  /**
   * `request` leaves out `readOnly` properties (a client does not send
   * them); `response` leaves out `writeOnly` ones. Default `request`.
   */
  direction?: 'request' | 'response';
  /** Nesting depth after which objects become `{}` and arrays `[]`. Default 8. */
  maxDepth?: number;
  /**
   * How many schema nodes one example may expand; past it, objects become
   * `{}` and arrays `[]`. Keeps wide, deeply referenced schemas from
   * exploding. Default 2000.
   */
  maxNodes?: number;
}

/** Sample values of string formats. */
const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com',
  'uri-reference': '/path',
  iri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  byte: 'ZXhhbXBsZQ==',
  binary: '',
  password: 'password',
  regex: '.*',
  'json-pointer': '/',
};

type Schema = Record<string, unknown>;

interface State {
  readonly document: unknown;
  readonly direction: 'request' | 'response';
  readonly maxDepth: number;
  /** `$ref`s being expanded on the current path, for cycle protection. */
  readonly stack: ReadonlySet<string>;
  readonly depth: number;
  /** Nodes left to expand; shared by the whole example. */
  readonly budget: { left: number };
}

/**
 * An example value for a schema. In order of preference: the schema's own
 * `example`, its first `examples` entry (3.1), `const`, `default`, the first
 * `enum` value; then a value built from its type:
 * - `$ref` (internal only) is followed; a reference to a schema already
 *   being expanded (a cycle) gives `{}` or `[]`, never recursion;
 * - `allOf` merges the object examples of its parts; `oneOf` and `anyOf`
 *   use the first branch;
 * - 3.1 type arrays use the first type other than `null`; `nullable` is ignored;
 * - strings use a sample for known formats (`date-time`, `uuid`, `email`, ...), else `"string"`;
 * - numbers use `minimum` when given, else 0; booleans `true`;
 * - arrays hold one example item; objects every property in schema order
 *   (minus `readOnly` in requests, `writeOnly` in responses), or one
 *   `additionalProperty` for a map;
 * - past `maxDepth` or `maxNodes`, objects are `{}` and arrays `[]`.
 * Returns `undefined` for a missing schema.
 */
export function exampleFromSchema(schema: unknown, options: ExampleOptions = {}): unknown {
  return generate(schema, {
    document: options.document,
    direction: options.direction ?? 'request',
    maxDepth: options.maxDepth ?? 8,
    stack: new Set(),
    depth: 0,
    budget: { left: options.maxNodes ?? 2000 },
  });
}

/**
 * Follow an internal `$ref` (`#/a/b`) in `document`, repeatedly, with a
 * limit against reference chains that loop. Returns the value unchanged when
 * it is not a reference, and `undefined` when the target is missing or remote.
 */
export function resolveRef(value: unknown, document: unknown): unknown {
  let current = value;
  for (let hops = 0; hops < 32; hops++) {
    const ref = refOf(current);
    if (ref === undefined) return current;
    current = pointerGet(document, ref);
  }
  return undefined;
}

function refOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const ref = (value as Schema).$ref;
  return typeof ref === 'string' ? ref : undefined;
}

/**
 * Where {@link pointerGet} notes what it read while {@link trackReads} runs:
 * each pointer once, with the value it led to.
 */
let reads: Map<string, unknown> | undefined;

/**
 * Run `fn` and return, with its result, every document pointer it read
 * through {@link resolveRef} or {@link readPointer} and the value each led
 * to. A render that read the same pointers and found the same values (by
 * identity) in another document would render the same.
 */
export function trackReads<T>(fn: () => T): { value: T; reads: Map<string, unknown> } {
  const outer = reads;
  const mine = new Map<string, unknown>();
  reads = mine;
  try {
    return { value: fn(), reads: mine };
  } finally {
    reads = outer;
    if (outer !== undefined) for (const [ref, value] of mine) outer.set(ref, value);
  }
}

/** The value at an internal JSON Pointer reference (`#/components/...`) of `document`; noted while {@link trackReads} runs. */
export function readPointer(document: unknown, ref: string): unknown {
  return pointerGet(document, ref);
}

function pointerGet(document: unknown, ref: string): unknown {
  const value = lookUp(document, ref);
  if (reads !== undefined && !reads.has(ref)) reads.set(ref, value);
  return value;
}

/** The segments of each pointer met so far, decoded (documents repeat the same few thousand refs). */
const segmentCache = new Map<string, string[] | undefined>();

function segmentsOf(ref: string): string[] | undefined {
  let segments = segmentCache.get(ref);
  if (segments !== undefined || segmentCache.has(ref)) return segments;
  if (!ref.startsWith('#')) segments = undefined;
  else if (ref === '#') segments = [];
  else if (!ref.startsWith('#/')) segments = undefined;
  else
    segments = ref
      .slice(2)
      .split('/')
      .map((raw) => decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segmentCache.size < 50_000) segmentCache.set(ref, segments);
  return segments;
}

function lookUp(document: unknown, ref: string): unknown {
  const segments = segmentsOf(ref);
  if (segments === undefined) return undefined;
  let current = document;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function generate(input: unknown, state: State): unknown {
  if (input === true) return 'string';
  if (!isSchema(input)) return undefined;
  state.budget.left -= 1;
  const ref = refOf(input);
  if (ref !== undefined) {
    if (state.stack.has(ref)) return emptyFor(pointerGet(state.document, ref));
    const target = pointerGet(state.document, ref);
    if (target === undefined) return undefined;
    return generate(target, { ...state, stack: new Set([...state.stack, ref]) });
  }
  const schema = input;
  if ('example' in schema && schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema && schema.const !== undefined) return schema.const;
  if ('default' in schema && schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((v) => v !== null) ?? schema.enum[0];

  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return mergeAll(schema, state);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const branch = branches.find((b) => !isNullSchema(b, state.document)) ?? branches[0];
      return generate(withSiblings(schema, key, branch), state);
    }
  }

  switch (typeOf(schema)) {
    case 'string':
      return typeof schema.format === 'string' ? (FORMAT_SAMPLES[schema.format] ?? 'string') : 'string';
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 0;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      if (state.depth >= state.maxDepth || state.budget.left <= 0) return [];
      const item = generate(schema.items, { ...state, depth: state.depth + 1 });
      return item === undefined ? [] : [item];
    }
    case 'object':
      return objectExample(schema, state);
    default:
      return undefined;
  }
}

/** The schema's type: its `type` (first non-null of a 3.1 array), else guessed from its keywords. */
function typeOf(schema: Schema): string | undefined {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (isSchema(schema.properties) || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  if (typeof schema.format === 'string') return 'string';
  return undefined;
}

function isNullSchema(value: unknown, document: unknown): boolean {
  const schema = resolveRef(value, document);
  return (
    isSchema(schema) && (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.length === 1 && schema.type[0] === 'null'))
  );
}

/** A branch of a oneOf/anyOf, with the parent's other keywords (e.g. `properties` beside `oneOf`). */
function withSiblings(schema: Schema, key: string, branch: unknown): Schema {
  const rest: Schema = { ...schema };
  delete rest[key];
  if (Object.keys(rest).length === 0 || typeOf(rest) === undefined) return isSchema(branch) ? branch : {};
  return { allOf: [rest, branch] };
}

function mergeAll(schema: Schema, state: State): unknown {
  const parts = schema.allOf as unknown[];
  const rest: Schema = { ...schema };
  delete rest.allOf;
  const values = [...parts, ...(Object.keys(rest).length > 0 ? [rest] : [])].map((part) => generate(part, state));
  const objects = values.filter((v): v is Schema => isSchema(v));
  if (objects.length === 0) return values.find((v) => v !== undefined);
  return Object.assign({}, ...objects) as Schema;
}

function objectExample(schema: Schema, state: State): unknown {
  if (state.depth >= state.maxDepth || state.budget.left <= 0) return {};
  const next: State = { ...state, depth: state.depth + 1 };
  const out: Schema = {};
  if (isSchema(schema.properties)) {
    for (const [name, raw] of Object.entries(schema.properties)) {
      const property = resolveRef(raw, state.document);
      if (isSchema(property)) {
        if (state.direction === 'request' && property.readOnly === true) continue;
        if (state.direction === 'response' && property.writeOnly === true) continue;
      }
      const value = generate(raw, next);
      if (value !== undefined) out[name] = value;
    }
  }
  if (Object.keys(out).length === 0 && isSchema(schema.additionalProperties)) {
    const value = generate(schema.additionalProperties, next);
    if (value !== undefined) out.additionalProp = value;
  }
  return out;
}

function emptyFor(target: unknown): unknown {
  return isSchema(target) && typeOf(target) === 'array' ? [] : {};
}
