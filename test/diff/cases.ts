/**
 * Small hand-made document pairs, each meant to trigger given rules. The
 * oracle test runs oasdiff on every pair and compares its rule ids with ours.
 * Schema mutations are written once and placed in every context (parameter,
 * request body, request property, response body, response property).
 */

type Json = Record<string, unknown>;

/** One pair and the rule ids it is meant to produce. */
export interface DiffCase {
  name: string;
  /** Rule ids our differ must report for this pair. */
  expect: string[];
  base: Json;
  remote: Json;
}

/** A minimal OpenAPI 3.0 document. */
export function doc(paths: Json, extra: Json = {}): Json {
  return { openapi: '3.0.3', info: { title: 'case', version: '1.0.0' }, paths, ...extra };
}

const ok = (schema: Json = { type: 'object', properties: { id: { type: 'string' } } }): Json => ({
  '200': { description: 'ok', content: { 'application/json': { schema } } },
});

/** An operation with sensible defaults. */
export function op(parts: Json = {}): Json {
  return { operationId: 'getPet', responses: ok(), ...parts };
}

const pets = (operation: Json, extra: Json = {}): Json => doc({ '/pets': { get: operation } }, extra);
const postPets = (operation: Json, extra: Json = {}): Json => doc({ '/pets': { post: operation } }, extra);

const param = (schema: Json, more: Json = {}): Json => ({ name: 'p', in: 'query', schema, ...more });
const body = (schema: Json, required = true): Json => ({ required, content: { 'application/json': { schema } } });
const obj = (properties: Json, required: string[] = []): Json => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});

const A = obj({ a: { type: 'string' } }, ['a']);
const B = obj({ b: { type: 'integer' } }, ['b']);

/** Schema mutations: base fragment, remote fragment, the rule id tail it should produce. */
const MUTATIONS: ReadonlyArray<readonly [name: string, base: Json, remote: Json, tail: string]> = [
  ['type', { type: 'string' }, { type: 'integer' }, 'type-changed'],
  ['format', { type: 'integer' }, { type: 'integer', format: 'int64' }, 'type-changed'],
  ['enum added', { type: 'string', enum: ['a'] }, { type: 'string', enum: ['a', 'b'] }, 'enum-value-added'],
  ['enum removed', { type: 'string', enum: ['a', 'b'] }, { type: 'string', enum: ['a'] }, 'enum-value-removed'],
  ['became enum', { type: 'string' }, { type: 'string', enum: ['a'] }, 'became-enum'],
  ['nullable', { type: 'string' }, { type: 'string', nullable: true }, 'became-nullable'],
  ['not nullable', { type: 'string', nullable: true }, { type: 'string' }, 'became-not-nullable'],
  ['default added', { type: 'integer' }, { type: 'integer', default: 1 }, 'default-value-added'],
  ['default changed', { type: 'integer', default: 1 }, { type: 'integer', default: 2 }, 'default-value-changed'],
  ['default removed', { type: 'integer', default: 1 }, { type: 'integer' }, 'default-value-removed'],
  ['pattern added', { type: 'string' }, { type: 'string', pattern: '^a$' }, 'pattern-added'],
  ['pattern removed', { type: 'string', pattern: '^a$' }, { type: 'string' }, 'pattern-removed'],
  ['pattern changed', { type: 'string', pattern: '^a$' }, { type: 'string', pattern: '^b$' }, 'pattern-changed'],
  ['pattern generalized', { type: 'string', pattern: '^a$' }, { type: 'string', pattern: '.*' }, 'pattern-generalized'],
  ['max set', { type: 'integer' }, { type: 'integer', maximum: 10 }, 'max-set'],
  ['max increased', { type: 'integer', maximum: 10 }, { type: 'integer', maximum: 20 }, 'max-increased'],
  ['max decreased', { type: 'integer', maximum: 20 }, { type: 'integer', maximum: 10 }, 'max-decreased'],
  ['min set', { type: 'integer' }, { type: 'integer', minimum: 1 }, 'min-set'],
  ['min increased', { type: 'integer', minimum: 1 }, { type: 'integer', minimum: 2 }, 'min-increased'],
  ['min decreased', { type: 'integer', minimum: 2 }, { type: 'integer', minimum: 1 }, 'min-decreased'],
  ['max length set', { type: 'string' }, { type: 'string', maxLength: 10 }, 'max-length-set'],
  ['max length increased', { type: 'string', maxLength: 10 }, { type: 'string', maxLength: 20 }, 'max-length-increased'],
  ['max length decreased', { type: 'string', maxLength: 20 }, { type: 'string', maxLength: 10 }, 'max-length-decreased'],
  ['max length unset', { type: 'string', maxLength: 10 }, { type: 'string' }, 'max-length-unset'],
  ['min length set', { type: 'string' }, { type: 'string', minLength: 3 }, 'min-length-increased'],
  ['min length unset', { type: 'string', minLength: 3 }, { type: 'string' }, 'min-length-decreased'],
  ['min length increased', { type: 'string', minLength: 1 }, { type: 'string', minLength: 3 }, 'min-length-increased'],
  ['min length decreased', { type: 'string', minLength: 3 }, { type: 'string', minLength: 1 }, 'min-length-decreased'],
  [
    'min items set',
    { type: 'array', items: { type: 'string' } },
    { type: 'array', items: { type: 'string' }, minItems: 2 },
    'min-items-increased',
  ],
  [
    'min items increased',
    { type: 'array', items: { type: 'string' }, minItems: 1 },
    { type: 'array', items: { type: 'string' }, minItems: 2 },
    'min-items-increased',
  ],
  [
    'min items decreased',
    { type: 'array', items: { type: 'string' }, minItems: 2 },
    { type: 'array', items: { type: 'string' }, minItems: 1 },
    'min-items-decreased',
  ],
  [
    'min items unset',
    { type: 'array', items: { type: 'string' }, minItems: 2 },
    { type: 'array', items: { type: 'string' } },
    'min-items-decreased',
  ],
  [
    'max items increased',
    { type: 'array', items: { type: 'string' }, maxItems: 2 },
    { type: 'array', items: { type: 'string' }, maxItems: 3 },
    'max-items-increased',
  ],
  [
    'max items decreased',
    { type: 'array', items: { type: 'string' }, maxItems: 3 },
    { type: 'array', items: { type: 'string' }, maxItems: 2 },
    'max-items-decreased',
  ],
  ['one of added', { oneOf: [A] }, { oneOf: [A, B] }, 'one-of-added'],
  ['one of removed', { oneOf: [A, B] }, { oneOf: [A] }, 'one-of-removed'],
  ['any of added', { anyOf: [A] }, { anyOf: [A, B] }, 'any-of-added'],
  ['any of removed', { anyOf: [A, B] }, { anyOf: [A] }, 'any-of-removed'],
  [
    'all of added',
    { allOf: [obj({ a: { type: 'string' } })] },
    { allOf: [obj({ a: { type: 'string' } }), obj({ b: { type: 'string' } })] },
    'all-of-added',
  ],
  [
    'all of removed',
    { allOf: [obj({ a: { type: 'string' } }), obj({ b: { type: 'string' } })] },
    { allOf: [obj({ a: { type: 'string' } })] },
    'all-of-removed',
  ],
  ['deprecated', { type: 'string' }, { type: 'string', deprecated: true }, 'deprecated'],
  ['reactivated', { type: 'string', deprecated: true }, { type: 'string' }, 'reactivated'],
];

type Context = readonly [prefix: string, wrap: (schema: Json) => Json];

const CONTEXTS: readonly Context[] = [
  ['request-parameter', (s) => pets(op({ parameters: [param(s)] }))],
  ['request-body', (s) => postPets(op({ requestBody: body(s) }))],
  ['request-property', (s) => postPets(op({ requestBody: body(obj({ p: s })) }))],
  ['response-body', (s) => pets(op({ responses: ok(s) }))],
  ['response-property', (s) => pets(op({ responses: ok(obj({ p: s })) }))],
];

/** Rule ids whose meaning needs a special spelling in one context. */
const SPELLING: Readonly<Record<string, string>> = {
  'response-body-enum-value-removed': 'response-mediatype-enum-value-removed',
};

function schemaCases(known: ReadonlySet<string>): DiffCase[] {
  const out: DiffCase[] = [];
  for (const [prefix, wrap] of CONTEXTS) {
    for (const [name, base, remote, tail] of MUTATIONS) {
      const id = SPELLING[`${prefix}-${tail}`] ?? `${prefix}-${tail}`;
      // A parameter's deprecation lives on the parameter, not its schema: no rule for the schema's flag.
      const schemaFlag = prefix === 'request-parameter' && (tail === 'deprecated' || tail === 'reactivated');
      const expect = known.has(id) && !schemaFlag ? [id] : [];
      out.push({ name: `${prefix}: ${name}`, expect, base: wrap(base), remote: wrap(remote) });
    }
  }
  return out;
}

const PROPERTY_CASES: DiffCase[] = [
  [
    'new optional request property',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string' } }),
    'new-optional-request-property',
  ],
  [
    'new required request property',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string' } }, ['b']),
    'new-required-request-property',
  ],
  [
    'new required request property with default',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string', default: 'x' } }, ['b']),
    'new-required-request-property-with-default',
  ],
  [
    'request property removed',
    obj({ a: { type: 'string' }, b: { type: 'string' } }),
    obj({ a: { type: 'string' } }),
    'request-property-removed',
  ],
  [
    'request property became required',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' } }, ['a']),
    'request-property-became-required',
  ],
  [
    'request property became required with default',
    obj({ a: { type: 'string', default: 'x' } }),
    obj({ a: { type: 'string', default: 'x' } }, ['a']),
    'request-property-became-required-with-default',
  ],
  [
    'request property became optional',
    obj({ a: { type: 'string' } }, ['a']),
    obj({ a: { type: 'string' } }),
    'request-property-became-optional',
  ],
  // A read-only property is not sent by clients: none of the request property rules apply.
  [
    'new required read-only request property',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string', readOnly: true } }, ['b']),
    '',
  ],
  [
    'read-only request property removed',
    obj({ a: { type: 'string' }, b: { type: 'string', readOnly: true } }),
    obj({ a: { type: 'string' } }),
    '',
  ],
  [
    'nested request property added',
    obj({ a: obj({ x: { type: 'string' } }) }),
    obj({ a: obj({ x: { type: 'string' }, y: { type: 'string' } }) }),
    'new-optional-request-property',
  ],
  [
    'request array item property added',
    obj({ a: { type: 'array', items: obj({ x: { type: 'string' } }) } }),
    obj({ a: { type: 'array', items: obj({ x: { type: 'string' }, y: { type: 'integer' } }) } }),
    'new-optional-request-property',
  ],
].map(([name, base, remote, id]) => ({
  name: name as string,
  expect: id === '' ? [] : [id as string],
  base: postPets(op({ requestBody: body(base as Json) })),
  remote: postPets(op({ requestBody: body(remote as Json) })),
}));

const RESPONSE_PROPERTY_CASES: DiffCase[] = [
  [
    'response optional property added',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string' } }),
    'response-optional-property-added',
  ],
  [
    'response required property added',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string' } }, ['b']),
    'response-required-property-added',
  ],
  [
    'response optional property removed',
    obj({ a: { type: 'string' }, b: { type: 'string' } }),
    obj({ a: { type: 'string' } }),
    'response-optional-property-removed',
  ],
  [
    'response required property removed',
    obj({ a: { type: 'string' }, b: { type: 'string' } }, ['b']),
    obj({ a: { type: 'string' } }),
    'response-required-property-removed',
  ],
  [
    'response optional write-only property added',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string', writeOnly: true } }),
    'response-optional-write-only-property-added',
  ],
  [
    'response required write-only property added',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' }, b: { type: 'string', writeOnly: true } }, ['b']),
    'response-required-write-only-property-added',
  ],
  [
    'response optional write-only property removed',
    obj({ a: { type: 'string' }, b: { type: 'string', writeOnly: true } }),
    obj({ a: { type: 'string' } }),
    'response-optional-write-only-property-removed',
  ],
  [
    'response required write-only property removed',
    obj({ a: { type: 'string' }, b: { type: 'string', writeOnly: true } }, ['b']),
    obj({ a: { type: 'string' } }),
    'response-required-write-only-property-removed',
  ],
  [
    'response property became optional',
    obj({ a: { type: 'string' } }, ['a']),
    obj({ a: { type: 'string' } }),
    'response-property-became-optional',
  ],
  [
    'response property became required',
    obj({ a: { type: 'string' } }),
    obj({ a: { type: 'string' } }, ['a']),
    'response-property-became-required',
  ],
  [
    'response property through a changed component',
    { $ref: '#/components/schemas/Pet' },
    { $ref: '#/components/schemas/Pet' },
    'response-optional-property-added',
  ],
].map(([name, base, remote, id]) => ({
  name: name as string,
  expect: [id as string],
  base: pets(op({ responses: ok(base as Json) }), { components: { schemas: { Pet: obj({ a: { type: 'string' } }) } } }),
  remote: pets(op({ responses: ok(remote as Json) }), {
    components: { schemas: { Pet: obj({ a: { type: 'string' }, z: { type: 'string' } }) } },
  }),
}));

const p = (more: Json = {}): Json => ({ name: 'q', in: 'query', schema: { type: 'string' }, ...more });

const OPERATION_CASES: DiffCase[] = [
  {
    name: 'endpoint added',
    expect: ['endpoint-added'],
    base: pets(op()),
    remote: doc({ '/pets': { get: op(), post: op({ operationId: 'addPet' }) } }),
  },
  {
    name: 'path removed without deprecation',
    expect: ['api-path-removed-without-deprecation'],
    base: doc({ '/pets': { get: op() }, '/cats': { get: op({ operationId: 'getCat' }) } }),
    remote: pets(op()),
  },
  {
    name: 'path removed with deprecation',
    expect: ['api-path-removed-with-deprecation'],
    base: doc({ '/pets': { get: op() }, '/cats': { get: op({ operationId: 'getCat', deprecated: true }) } }),
    remote: pets(op()),
  },
  {
    name: 'operation removed without deprecation',
    expect: ['api-removed-without-deprecation'],
    base: doc({ '/pets': { get: op(), post: op({ operationId: 'addPet' }) } }),
    remote: pets(op()),
  },
  {
    name: 'operation removed with deprecation',
    expect: ['api-removed-with-deprecation'],
    base: doc({ '/pets': { get: op(), post: op({ operationId: 'addPet', deprecated: true }) } }),
    remote: pets(op()),
  },
  { name: 'endpoint deprecated', expect: ['endpoint-deprecated'], base: pets(op()), remote: pets(op({ deprecated: true })) },
  {
    name: 'endpoint deprecated with sunset',
    expect: ['endpoint-deprecated-with-sunset'],
    base: pets(op()),
    remote: pets(op({ deprecated: true, 'x-sunset': '2099-01-01' })),
  },
  { name: 'endpoint reactivated', expect: ['endpoint-reactivated'], base: pets(op({ deprecated: true })), remote: pets(op()) },
  { name: 'operation id added', expect: ['api-operation-id-added'], base: pets(op({ operationId: undefined })), remote: pets(op()) },
  { name: 'operation id replaced', expect: ['api-operation-id-removed'], base: pets(op()), remote: pets(op({ operationId: 'fetchPet' })) },
  { name: 'tag added', expect: ['api-tag-added'], base: pets(op({ tags: ['a'] })), remote: pets(op({ tags: ['a', 'b'] })) },
  { name: 'tag removed', expect: ['api-tag-removed'], base: pets(op({ tags: ['a', 'b'] })), remote: pets(op({ tags: ['a'] })) },
  {
    name: 'path parameter renamed is the same endpoint',
    expect: [],
    base: doc({ '/pets/{id}': { get: op({ parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }) } }),
    remote: doc({ '/pets/{id}': { get: op({ parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }) } }),
  },
  // parameters
  {
    name: 'new required parameter',
    expect: ['new-required-request-parameter'],
    base: pets(op()),
    remote: pets(op({ parameters: [p({ required: true })] })),
  },
  { name: 'new optional parameter', expect: ['new-optional-request-parameter'], base: pets(op()), remote: pets(op({ parameters: [p()] })) },
  { name: 'parameter removed', expect: ['request-parameter-removed'], base: pets(op({ parameters: [p()] })), remote: pets(op()) },
  {
    name: 'deprecated parameter removed',
    expect: ['request-parameter-removed-with-deprecation'],
    base: pets(op({ parameters: [p({ deprecated: true })] })),
    remote: pets(op()),
  },
  {
    name: 'parameter became required',
    expect: ['request-parameter-became-required'],
    base: pets(op({ parameters: [p()] })),
    remote: pets(op({ parameters: [p({ required: true })] })),
  },
  {
    name: 'parameter became optional',
    expect: ['request-parameter-became-optional'],
    base: pets(op({ parameters: [p({ required: true })] })),
    remote: pets(op({ parameters: [p()] })),
  },
  {
    name: 'parameter deprecated',
    expect: ['request-parameter-deprecated'],
    base: pets(op({ parameters: [p()] })),
    remote: pets(op({ parameters: [p({ deprecated: true })] })),
  },
  {
    name: 'parameter reactivated',
    expect: ['request-parameter-reactivated'],
    base: pets(op({ parameters: [p({ deprecated: true })] })),
    remote: pets(op({ parameters: [p()] })),
  },
  {
    name: 'parameter location changed',
    expect: ['request-parameter-removed', 'new-optional-request-parameter'],
    base: pets(op({ parameters: [p()] })),
    remote: pets(op({ parameters: [p({ in: 'header' })] })),
  },
  {
    name: 'path-level parameter added',
    expect: ['new-required-request-parameter'],
    base: doc({ '/pets': { get: op() } }),
    remote: doc({ '/pets': { parameters: [p({ in: 'header', name: 'X-Tenant', required: true })], get: op() } }),
  },
  {
    name: 'parameter through a $ref',
    expect: ['request-parameter-became-required'],
    base: pets(op({ parameters: [{ $ref: '#/components/parameters/Q' }] }), { components: { parameters: { Q: p() } } }),
    remote: pets(op({ parameters: [{ $ref: '#/components/parameters/Q' }] }), { components: { parameters: { Q: p({ required: true }) } } }),
  },
  // request body
  {
    name: 'required body added',
    expect: ['request-body-added-required'],
    base: postPets(op()),
    remote: postPets(op({ requestBody: body(obj({})) })),
  },
  {
    name: 'optional body added',
    expect: ['request-body-added-optional'],
    base: postPets(op()),
    remote: postPets(op({ requestBody: body(obj({}), false) })),
  },
  { name: 'body removed', expect: ['request-body-removed'], base: postPets(op({ requestBody: body(obj({})) })), remote: postPets(op()) },
  {
    name: 'body became required',
    expect: ['request-body-became-required'],
    base: postPets(op({ requestBody: body(obj({}), false) })),
    remote: postPets(op({ requestBody: body(obj({})) })),
  },
  {
    name: 'body became optional',
    expect: ['request-body-became-optional'],
    base: postPets(op({ requestBody: body(obj({})) })),
    remote: postPets(op({ requestBody: body(obj({}), false) })),
  },
  {
    name: 'body media type added',
    expect: ['request-body-media-type-added'],
    base: postPets(op({ requestBody: body(obj({})) })),
    remote: postPets(
      op({ requestBody: { required: true, content: { 'application/json': { schema: obj({}) }, 'application/xml': { schema: obj({}) } } } }),
    ),
  },
  {
    name: 'body media type removed',
    expect: ['request-body-media-type-removed'],
    base: postPets(
      op({ requestBody: { required: true, content: { 'application/json': { schema: obj({}) }, 'application/xml': { schema: obj({}) } } } }),
    ),
    remote: postPets(op({ requestBody: body(obj({})) })),
  },
  // responses
  {
    name: 'success status added',
    expect: ['response-success-status-added'],
    base: pets(op()),
    remote: pets(op({ responses: { ...ok(), '201': { description: 'created' } } })),
  },
  {
    name: 'success status removed',
    expect: ['response-success-status-removed'],
    base: pets(op({ responses: { ...ok(), '201': { description: 'created' } } })),
    remote: pets(op()),
  },
  {
    name: 'non-success status added',
    expect: ['response-non-success-status-added'],
    base: pets(op()),
    remote: pets(op({ responses: { ...ok(), '404': { description: 'missing' } } })),
  },
  {
    name: 'non-success status removed',
    expect: ['response-non-success-status-removed'],
    base: pets(op({ responses: { ...ok(), '404': { description: 'missing' } } })),
    remote: pets(op()),
  },
  {
    name: 'response media type added',
    expect: ['response-media-type-added'],
    base: pets(op()),
    remote: pets(
      op({
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: obj({}) }, 'text/plain': { schema: { type: 'string' } } } },
        },
      }),
    ),
  },
  {
    name: 'response media type removed',
    expect: ['response-media-type-removed'],
    base: pets(
      op({
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: obj({}) }, 'text/plain': { schema: { type: 'string' } } } },
        },
      }),
    ),
    remote: pets(op()),
  },
  {
    name: 'required response header removed',
    expect: ['required-response-header-removed'],
    base: pets(op({ responses: { '200': { description: 'ok', headers: { 'X-Rate': { required: true, schema: { type: 'integer' } } } } } })),
    remote: pets(op({ responses: { '200': { description: 'ok' } } })),
  },
  {
    name: 'optional response header removed',
    expect: ['optional-response-header-removed'],
    base: pets(op({ responses: { '200': { description: 'ok', headers: { 'X-Rate': { schema: { type: 'integer' } } } } } })),
    remote: pets(op({ responses: { '200': { description: 'ok' } } })),
  },
  {
    name: 'response header became optional',
    expect: ['response-header-became-optional'],
    base: pets(op({ responses: { '200': { description: 'ok', headers: { 'X-Rate': { required: true, schema: { type: 'integer' } } } } } })),
    remote: pets(op({ responses: { '200': { description: 'ok', headers: { 'X-Rate': { schema: { type: 'integer' } } } } } })),
  },
];

const schemes = {
  securitySchemes: {
    key: { type: 'apiKey', in: 'header', name: 'X-Key' },
    oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://x/token', scopes: { read: 'r', write: 'w' } } } },
  },
};

const SECURITY_CASES: DiffCase[] = [
  {
    name: 'operation security added',
    expect: ['api-security-added'],
    base: pets(op(), { components: schemes }),
    remote: pets(op({ security: [{ key: [] }] }), { components: schemes }),
  },
  {
    name: 'operation security removed',
    expect: ['api-security-removed'],
    base: pets(op({ security: [{ key: [] }] }), { components: schemes }),
    remote: pets(op(), { components: schemes }),
  },
  {
    name: 'operation security scope added',
    expect: ['api-security-scope-added'],
    base: pets(op({ security: [{ oauth: ['read'] }] }), { components: schemes }),
    remote: pets(op({ security: [{ oauth: ['read', 'write'] }] }), { components: schemes }),
  },
  {
    name: 'operation security scope removed',
    expect: ['api-security-scope-removed'],
    base: pets(op({ security: [{ oauth: ['read', 'write'] }] }), { components: schemes }),
    remote: pets(op({ security: [{ oauth: ['read'] }] }), { components: schemes }),
  },
  {
    name: 'global security added',
    expect: ['api-global-security-added'],
    base: pets(op(), { components: schemes }),
    remote: pets(op(), { components: schemes, security: [{ key: [] }] }),
  },
  {
    name: 'global security removed',
    expect: ['api-global-security-removed'],
    base: pets(op(), { components: schemes, security: [{ key: [] }] }),
    remote: pets(op(), { components: schemes }),
  },
  {
    name: 'global security scope added',
    expect: ['api-global-security-scope-added'],
    base: pets(op(), { components: schemes, security: [{ oauth: ['read'] }] }),
    remote: pets(op(), { components: schemes, security: [{ oauth: ['read', 'write'] }] }),
  },
  {
    name: 'global security scope removed',
    expect: ['api-global-security-scope-removed'],
    base: pets(op(), { components: schemes, security: [{ oauth: ['read', 'write'] }] }),
    remote: pets(op(), { components: schemes, security: [{ oauth: ['read'] }] }),
  },
  {
    name: 'security scheme component added',
    expect: ['api-security-component-added'],
    base: pets(op(), { components: { securitySchemes: { key: schemes.securitySchemes.key } } }),
    remote: pets(op(), { components: schemes }),
  },
  {
    name: 'security scheme component removed',
    expect: ['api-security-component-removed'],
    base: pets(op(), { components: schemes }),
    remote: pets(op(), { components: { securitySchemes: { key: schemes.securitySchemes.key } } }),
  },
  {
    name: 'schema component removed',
    expect: ['api-schema-removed'],
    base: pets(op(), { components: { schemas: { A: { type: 'string' }, B: { type: 'string' } } } }),
    remote: pets(op(), { components: { schemas: { A: { type: 'string' } } } }),
  },
  {
    name: 'webhook added',
    expect: ['webhook-added'],
    base: { ...pets(op()), openapi: '3.1.0', webhooks: {} },
    remote: { ...pets(op()), openapi: '3.1.0', webhooks: { petAdded: { post: op({ operationId: 'petAdded' }) } } },
  },
  {
    name: 'webhook removed',
    expect: ['webhook-removed'],
    base: { ...pets(op()), openapi: '3.1.0', webhooks: { petAdded: { post: op({ operationId: 'petAdded' }) } } },
    remote: { ...pets(op()), openapi: '3.1.0', webhooks: {} },
  },
];

const listOf = (name: string): Json => ({ type: 'array', items: { $ref: `#/components/schemas/${name}` } });
const petsOrCats = (pet: Json, cat: Json): Json =>
  pets(op({ responses: ok({ anyOf: [listOf('Pet'), listOf('Cat')] }) }), { components: { schemas: { Pet: pet, Cat: cat } } });
const petA = obj({ a: { type: 'string' } });
const catC = obj({ c: { type: 'string' } });

const COMPOSITION_CASES: DiffCase[] = [
  {
    // Inline subschemas without a title pair up when equal once refs are followed;
    // when two of them changed, they are reported as replaced.
    name: 'two inline anyOf subschemas whose referenced schemas changed',
    expect: ['response-body-any-of-added', 'response-body-any-of-removed'],
    base: petsOrCats(petA, catC),
    remote: petsOrCats(obj({ a: { type: 'string' }, b: { type: 'string' } }), obj({ c: { type: 'string' }, e: { type: 'string' } })),
  },
  {
    // The changed one is the single leftover on each side: paired, and a description is no rule.
    name: 'one inline anyOf subschema whose referenced schema changed only its description',
    expect: [],
    base: petsOrCats(petA, catC),
    remote: petsOrCats({ ...petA, description: 'a pet' }, catC),
  },
  {
    // Equality for pairing includes descriptions: two leftovers are replaced, not compared.
    name: 'two inline anyOf subschemas whose referenced schemas changed only their descriptions',
    expect: ['response-body-any-of-added', 'response-body-any-of-removed'],
    base: petsOrCats(petA, catC),
    remote: petsOrCats({ ...petA, description: 'a pet' }, { ...catC, description: 'a cat' }),
  },
  {
    name: 'one of two inline anyOf subschemas changed',
    expect: ['response-optional-property-added'],
    base: petsOrCats(petA, catC),
    remote: petsOrCats(obj({ a: { type: 'string' }, b: { type: 'string' } }), catC),
  },
  {
    name: 'one inline oneOf subschema changed on each side is the same subschema',
    expect: ['response-optional-property-added'],
    base: pets(op({ responses: ok({ oneOf: [obj({ a: { type: 'string' } })] }) })),
    remote: pets(op({ responses: ok({ oneOf: [obj({ a: { type: 'string' }, b: { type: 'string' } })] }) })),
  },
  {
    name: 'titled oneOf subschemas pair by title',
    expect: ['response-property-became-optional'],
    base: pets(
      op({
        responses: ok({
          oneOf: [
            { ...obj({ a: { type: 'string' } }, ['a']), title: 'A' },
            { ...obj({ b: { type: 'string' } }), title: 'B' },
          ],
        }),
      }),
    ),
    remote: pets(
      op({
        responses: ok({
          oneOf: [
            { ...obj({ b: { type: 'string' } }), title: 'B' },
            { ...obj({ a: { type: 'string' } }), title: 'A' },
          ],
        }),
      }),
    ),
  },
];

/** Every case, given the set of rule ids we implement (to expect only those). */
export function allCases(known: ReadonlySet<string>): DiffCase[] {
  return [
    ...OPERATION_CASES,
    ...SECURITY_CASES,
    ...PROPERTY_CASES,
    ...RESPONSE_PROPERTY_CASES,
    ...COMPOSITION_CASES,
    ...schemaCases(known),
  ];
}
