/**
 * `renderWithCache` (src/targets/hoppscotch/render.ts): reusing the requests
 * of operations rendered before must never change the output. Checked on
 * two real versions of GitHub's REST API description (shared with
 * `shareUnchanged` the way the engine does) and on random edits of small
 * synthetic OpenAPI 3.0 documents full of `$ref`s.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze, shareUnchanged } from '../../../src/json/freeze.js';
import {
  RENDERED_METHODS,
  renderCollection,
  renderWithCache,
  type RenderOptions,
  type RequestCache,
} from '../../../src/targets/hoppscotch/render.js';
import type { HoppCollection, HoppRequest } from '../../../src/targets/hoppscotch/schema.js';
import { npmFixture } from '../../support/npm-fixtures.js';

type Doc = any;

/** Every request of a collection, depth first (folders' requests, then subfolders), as the objects themselves. */
function requestsOf(collection: HoppCollection): HoppRequest[] {
  const out: HoppRequest[] = [];
  const walk = (folder: { requests: HoppRequest[]; folders: unknown[] }): void => {
    out.push(...folder.requests);
    for (const child of folder.folders) walk(child as { requests: HoppRequest[]; folders: unknown[] });
  };
  walk(collection);
  return out;
}

/** Every operation object of a document (path items resolved through an internal `$ref`). */
function operationsOf(document: Doc): object[] {
  const out: object[] = [];
  for (const raw of Object.values((document.paths ?? {}) as Record<string, Doc>)) {
    let item = raw;
    if (item !== null && typeof item === 'object' && typeof item.$ref === 'string') {
      item = (item.$ref as string)
        .slice(2)
        .split('/')
        .reduce((node: Doc, segment: string) => (node === null || typeof node !== 'object' ? undefined : node[segment]), document);
    }
    if (item === null || typeof item !== 'object') continue;
    for (const method of RENDERED_METHODS) if (item[method] !== null && typeof item[method] === 'object') out.push(item[method] as object);
  }
  return out;
}

/** Compare a render with the reference render, collection and operations map. */
function expectSameRender(actual: ReturnType<typeof renderCollection>, expected: ReturnType<typeof renderCollection>): void {
  expect(JSON.stringify(actual.operations)).toBe(JSON.stringify(expected.operations));
  expect(JSON.stringify(actual.collection)).toBe(JSON.stringify(expected.collection));
}

// ---------------------------------------------------------------- GitHub

const FILE = 'generated/api.github.com.json';

describe('renderWithCache on GitHub’s REST API, @octokit/openapi 23.0.1 → 23.0.2', () => {
  let oldText = '';
  let newText = '';
  beforeAll(async () => {
    const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '23.0.1'), npmFixture('@octokit/openapi', '23.0.2')]);
    [oldText, newText] = await Promise.all([readFile(join(oldDir, FILE), 'utf8'), readFile(join(newDir, FILE), 'utf8')]);
    expect(oldText).not.toBe(newText);
  });

  /** Render 23.0.1 frozen with a cache, then 23.0.2 shared with it and frozen; returns both and the uncached reference. */
  function incremental(options: RenderOptions) {
    const cache: RequestCache = new WeakMap();
    const v1 = deepFreeze(JSON.parse(oldText) as Doc);
    const first = renderWithCache(v1, options, cache);
    expectSameRender(first, renderCollection(JSON.parse(oldText), options));
    const v2 = deepFreeze(shareUnchanged(v1, JSON.parse(newText) as Doc));
    expect(v2).not.toBe(v1);
    // The two releases differ in `info` only: everything else is shared.
    expect(v2.paths).toBe(v1.paths);
    const second = renderWithCache(v2, options, cache);
    const reference = renderCollection(JSON.parse(newText), options);
    return { first, second, reference };
  }

  function reusedShare(first: HoppCollection, second: HoppCollection): { reused: number; total: number } {
    const before = new Set<object>(requestsOf(first));
    const after = requestsOf(second);
    return { reused: after.filter((r) => before.has(r)).length, total: after.length };
  }

  it('gives the same collection as an uncached render of 23.0.2 (validate: false) and reuses most requests', () => {
    const { first, second, reference } = incremental({ validate: false });
    expectSameRender(second, reference);
    expect(second.collection).toEqual(reference.collection);
    const { reused, total } = reusedShare(first.collection, second.collection);
    expect(total).toBeGreaterThan(500);
    expect(reused).toBeGreaterThan(total / 2);
  }, 60_000);

  it('also across a bigger step with changed operations (19.0.0 → 23.0.2): same output, some requests rendered again', async () => {
    const olderText = await readFile(join(await npmFixture('@octokit/openapi', '19.0.0'), FILE), 'utf8');
    const options: RenderOptions = { validate: false };
    const cache: RequestCache = new WeakMap();
    const v1 = deepFreeze(JSON.parse(olderText) as Doc);
    const first = renderWithCache(v1, options, cache);
    const v2 = deepFreeze(shareUnchanged(v1, JSON.parse(newText) as Doc));
    const second = renderWithCache(v2, options, cache);
    expectSameRender(second, renderCollection(JSON.parse(newText), options));
    const { reused, total } = reusedShare(first.collection, second.collection);
    expect(reused).toBeGreaterThan(0);
    expect(reused).toBeLessThan(total);
  }, 60_000);

  it('gives the same collection with the default options (validated)', () => {
    const { first, second, reference } = incremental({});
    expectSameRender(second, reference);
    const { reused, total } = reusedShare(first.collection, second.collection);
    expect(reused).toBeGreaterThan(total / 2);
  }, 60_000);
});

// ---------------------------------------------------------------- synthetic documents

interface Knobs {
  idType: 'integer' | 'string';
  idExample: number | string;
  petName: string;
  limit: number;
  traceIn: 'header' | 'query' | 'cookie';
  apiKeyIn: 'header' | 'query' | 'cookie';
  listSecurity: 'apiKey' | 'bearer' | 'oauth' | 'alias' | 'missing';
  itemServers: boolean;
  docSecurity: boolean;
}

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta');
const knobs: fc.Arbitrary<Knobs> = fc.record({
  idType: fc.constantFrom('integer', 'string'),
  idExample: fc.oneof(fc.integer({ min: 0, max: 99 }), word),
  petName: word,
  limit: fc.integer({ min: 1, max: 50 }),
  traceIn: fc.constantFrom('header', 'query', 'cookie'),
  apiKeyIn: fc.constantFrom('header', 'query', 'cookie'),
  listSecurity: fc.constantFrom('apiKey', 'bearer', 'oauth', 'alias', 'missing'),
  itemServers: fc.boolean(),
  docSecurity: fc.boolean(),
});

const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } });

/** A small OpenAPI 3.0 document: operations reach components through `$ref`s (schemas through other schemas, a cycle too). */
function buildDoc(k: Knobs): Doc {
  const doc: Doc = {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1', description: 'A pet store' },
    servers: [{ url: 'https://api.example.com/{v}', variables: { v: { default: 'v1' } } }],
    ...(k.docSecurity ? { security: [{ apiKey: [] }] } : {}),
    tags: [{ name: 'pets', description: 'Pets' }, { name: 'users' }],
    paths: {
      '/pets': {
        parameters: [{ $ref: '#/components/parameters/Trace' }],
        get: {
          operationId: 'listPets',
          tags: ['pets'],
          summary: 'List pets',
          parameters: [{ $ref: '#/components/parameters/Limit' }],
          security: [{ [k.listSecurity]: ['read'] }],
          responses: {
            '200': { description: 'ok', content: json('#/components/schemas/PetList') },
            default: { $ref: '#/components/responses/Error' },
          },
        },
        post: {
          operationId: 'createPet',
          tags: ['pets'],
          requestBody: { $ref: '#/components/requestBodies/NewPet' },
          security: [{ bearer: [] }],
          responses: {
            '201': {
              description: 'created',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/Pet' },
                  examples: { rex: { $ref: '#/components/examples/Rex' } },
                },
              },
            },
          },
        },
      },
      '/pets/{petId}': {
        parameters: [{ $ref: '#/components/parameters/PetId' }],
        ...(k.itemServers ? { servers: [{ url: 'https://pets.example.com/' }] } : {}),
        get: {
          operationId: 'getPet',
          tags: ['pets'],
          responses: { '200': { description: 'ok', content: json('#/components/schemas/Pet') } },
        },
        put: {
          operationId: 'updatePet',
          tags: ['pets'],
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/PetForm' } },
              'application/json': { schema: { $ref: '#/components/schemas/Pet' } },
            },
          },
          security: [{ oauth: ['write'] }],
          responses: { '204': { description: 'none' } },
        },
        delete: { operationId: 'deletePet', security: [], responses: { '204': { description: 'gone' } } },
      },
      '/users/{userId}': {
        get: {
          operationId: 'getUser',
          tags: ['users'],
          parameters: [
            { name: 'userId', in: 'path', required: true, schema: { $ref: '#/components/schemas/Id' } },
            { name: 'session', in: 'cookie', schema: { type: 'string', default: 's1' } },
          ],
          security: [{ apiKey: [] }],
          responses: { '200': { description: 'ok', content: json('#/components/schemas/User') } },
        },
        patch: {
          tags: ['users'],
          requestBody: { content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/PetForm' } } } },
          responses: { '200': { $ref: '#/components/responses/Error' } },
        },
      },
      '/shared': { $ref: '#/components/x-pathItems/Shared' },
    },
    components: {
      schemas: {
        Id: { type: k.idType, example: k.idExample },
        Pet: {
          type: 'object',
          required: ['name'],
          properties: {
            id: { $ref: '#/components/schemas/Id' },
            name: { type: 'string', example: k.petName },
            owner: { $ref: '#/components/schemas/User' },
            tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
          },
        },
        PetForm: { type: 'object', properties: { name: { type: 'string' }, photo: { type: 'string', format: 'binary' } } },
        PetList: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
        User: {
          type: 'object',
          properties: {
            id: { $ref: '#/components/schemas/Id' },
            email: { type: 'string', format: 'email' },
            pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
          },
        },
        Tag: { type: 'string', enum: ['a', 'b'] },
        Error: { type: 'object', properties: { message: { type: 'string' }, code: { type: 'integer', minimum: 400 } } },
      },
      parameters: {
        Trace: { name: 'X-Trace', in: k.traceIn, schema: { type: 'string' }, example: 'abc' },
        Limit: { name: 'limit', in: 'query', schema: { type: 'integer' }, examples: { ten: { $ref: '#/components/examples/Limit' } } },
        PetId: { name: 'petId', in: 'path', required: true, schema: { $ref: '#/components/schemas/Id' } },
      },
      examples: { Rex: { value: { id: 1, name: 'Rex' } }, Limit: { value: k.limit } },
      requestBodies: { NewPet: { content: json('#/components/schemas/Pet') } },
      responses: {
        Error: {
          description: 'error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { message: 'nope' } } },
        },
      },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: k.apiKeyIn, name: 'X-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
        oauth: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'r', write: 'w' } } },
        },
        alias: { $ref: '#/components/securitySchemes/bearer' },
      },
      'x-pathItems': {
        Shared: {
          parameters: [{ $ref: '#/components/parameters/Trace' }],
          get: {
            operationId: 'shared',
            security: [{ alias: [] }],
            responses: { '200': { description: 'ok', content: json('#/components/schemas/Tag') } },
          },
        },
      },
    },
  };
  return doc;
}

interface EditArgs {
  pick: number;
  word: string;
  n: number;
}

/** A path item of the document by index (of its current paths). */
const pathAt = (d: Doc, pick: number): string => {
  const paths = Object.keys(d.paths);
  return paths[pick % paths.length] as string;
};
const opsOf = (item: Doc): string[] =>
  item === null || typeof item !== 'object' ? [] : RENDERED_METHODS.filter((m) => item[m] !== undefined);

const SCHEMES = [
  { type: 'http', scheme: 'basic' },
  { type: 'http', scheme: 'digest' },
  { type: 'apiKey', in: 'query', name: 'key' },
  { type: 'apiKey', in: 'cookie', name: 'key' },
  { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com' },
  { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://auth.example.com', scopes: {} } } },
  { type: 'mutualTLS' },
];

/** Random edits of a document, in place. */
const EDITS: Record<string, (d: Doc, a: EditArgs) => void> = {
  schemaPropertyType: (d, a) => {
    d.components.schemas.Pet.properties.name = a.n % 2 === 0 ? { type: 'integer', example: a.n } : { type: 'boolean' };
  },
  schemaExample: (d, a) => {
    d.components.schemas.Id.example = a.n % 3 === 0 ? a.word : a.n;
  },
  schemaType: (d) => {
    d.components.schemas.Id.type = d.components.schemas.Id.type === 'string' ? 'integer' : 'string';
    delete d.components.schemas.Id.example;
  },
  nestedSchema: (d, a) => {
    d.components.schemas.User.properties.email = {
      type: 'string',
      format: a.n % 2 === 0 ? 'uuid' : 'date',
      example: a.n % 3 === 0 ? a.word : undefined,
    };
    if (d.components.schemas.User.properties.email.example === undefined) delete d.components.schemas.User.properties.email.example;
  },
  tagEnum: (d, a) => {
    d.components.schemas.Tag.enum = [a.word];
  },
  errorSchema: (d, a) => {
    d.components.schemas.Error.properties.code.minimum = a.n;
  },
  retargetRef: (d) => {
    if (d.paths['/pets']?.get === undefined) return;
    d.paths['/pets'].get.responses['200'].content['application/json'].schema.$ref = '#/components/schemas/Pet';
  },
  removeSchema: (d, a) => {
    const names = Object.keys(d.components.schemas);
    delete d.components.schemas[names[a.pick % names.length] as string];
  },
  formSchema: (d) => {
    d.components.schemas.PetForm.properties.photo = { type: 'array', items: { type: 'string', format: 'binary' } };
  },
  securitySchemeType: (d, a) => {
    const names = ['apiKey', 'bearer', 'oauth', 'alias'];
    d.components.securitySchemes[names[a.pick % names.length] as string] = SCHEMES[a.n % SCHEMES.length];
  },
  removeSecurityScheme: (d, a) => {
    const names = Object.keys(d.components.securitySchemes);
    delete d.components.securitySchemes[names[a.pick % names.length] as string];
  },
  operationSecurity: (d, a) => {
    const ops = opsOf(d.paths['/pets/{petId}']);
    if (ops.length === 0) return;
    if (ops.length > 0)
      d.paths['/pets/{petId}'][ops[a.pick % ops.length] as string].security = [{ [a.n % 2 === 0 ? 'apiKey' : 'oauth']: [a.word] }];
  },
  documentSecurity: (d, a) => {
    if (a.n % 2 === 0) delete d.security;
    else d.security = [{ bearer: [] }];
  },
  parameterComponent: (d, a) => {
    if (a.n % 2 === 0) d.components.parameters.Trace.example = a.word;
    else d.components.parameters.Trace.in = ['header', 'query', 'cookie'][a.pick % 3];
  },
  exampleComponent: (d, a) => {
    if (a.n % 2 === 0) d.components.examples.Rex.value = { id: a.n, name: a.word };
    else d.components.examples.Limit.value = a.n;
  },
  requestBodyComponent: (d, a) => {
    d.components.requestBodies.NewPet.content =
      a.n % 2 === 0 ? { 'text/plain': { schema: { type: 'string', example: a.word } } } : json('#/components/schemas/User');
  },
  responseComponent: (d, a) => {
    d.components.responses.Error.content['application/json'].example = { message: a.word };
  },
  addItemParameter: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    const item = d.paths[pathAt(d, a.pick)];
    if (item.$ref !== undefined) return;
    item.parameters = [...(item.parameters ?? []), { name: `extra-${a.word}`, in: a.n % 2 === 0 ? 'query' : 'header', example: a.n }];
  },
  removeItemParameter: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    const item = d.paths[pathAt(d, a.pick)];
    if (item.$ref !== undefined) return;
    if (Array.isArray(item.parameters) && item.parameters.length > 1) item.parameters.pop();
    else delete item.parameters;
  },
  overrideItemParameter: (d, a) => {
    if (d.paths['/pets/{petId}']?.get === undefined) return;
    d.paths['/pets/{petId}'].get.parameters = [{ name: 'petId', in: 'path', required: true, example: a.word }];
  },
  itemServers: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    const item = d.paths[pathAt(d, a.pick)];
    if (item.$ref !== undefined) return;
    if (a.n % 3 === 0) delete item.servers;
    else item.servers = [{ url: a.n % 3 === 1 ? `https://${a.word}.example.com/` : `/relative/${a.word}` }];
  },
  operationServers: (d, a) => {
    if (d.paths['/pets']?.get === undefined) return;
    d.paths['/pets'].get.servers = [{ url: `https://${a.word}.example.com/{x}`, variables: { x: { default: String(a.n) } } }];
  },
  documentServers: (d, a) => {
    d.servers = [{ url: `https://${a.word}.example.org/` }];
  },
  duplicateOperationId: (d, a) => {
    const targets: Array<[string, string]> = [];
    for (const path of Object.keys(d.paths)) for (const m of opsOf(d.paths[path])) targets.push([path, m]);
    if (targets.length === 0) return;
    const [path, method] = targets[a.pick % targets.length]!;
    d.paths[path][method].operationId = ['listPets', 'getPet', 'shared', 'createPet'][a.n % 4];
  },
  removeOperationId: (d, a) => {
    const ops = opsOf(d.paths['/pets']);
    if (ops.length > 0) delete d.paths['/pets'][ops[a.pick % ops.length] as string].operationId;
  },
  reorderPaths: (d, a) => {
    const entries = Object.entries(d.paths);
    const shift = 1 + (a.pick % Math.max(1, entries.length - 1));
    d.paths = Object.fromEntries(a.n % 2 === 0 ? entries.reverse() : [...entries.slice(shift), ...entries.slice(0, shift)]);
  },
  reorderMethods: (d) => {
    const item = d.paths['/pets/{petId}'];
    if (item === undefined) return;
    d.paths['/pets/{petId}'] = Object.fromEntries(Object.entries(item).reverse());
  },
  deleteOperation: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    const path = pathAt(d, a.pick);
    const ops = opsOf(d.paths[path]);
    if (ops.length > 0) delete d.paths[path][ops[a.n % ops.length] as string];
  },
  deletePath: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    delete d.paths[pathAt(d, a.pick)];
  },
  renamePath: (d, a) => {
    if (Object.keys(d.paths).length === 0) return;
    const old = pathAt(d, a.pick);
    d.paths = Object.fromEntries(Object.entries(d.paths).map(([p, v]) => [p === old ? `/v2${old}` : p, v]));
  },
  changeMethod: (d) => {
    const item = d.paths['/pets/{petId}'];
    if (item?.put !== undefined) {
      item.post = item.put;
      delete item.put;
    }
  },
  changeTags: (d, a) => {
    const ops = opsOf(d.paths['/pets']);
    if (ops.length > 0) d.paths['/pets'][ops[a.pick % ops.length] as string].tags = [a.n % 2 === 0 ? 'users' : a.word];
  },
  changeSummary: (d, a) => {
    const ops = opsOf(d.paths['/users/{userId}']);
    if (ops.length > 0) d.paths['/users/{userId}'][ops[a.pick % ops.length] as string].summary = a.word;
  },
  sharedPathItem: (d, a) => {
    const shared = d.components['x-pathItems'].Shared;
    if (a.n % 2 === 0) shared.parameters = [{ name: 'q', in: 'query', example: a.word }];
    else shared.get.operationId = `shared-${a.word}`;
  },
  pathItemRef: (d) => {
    d.paths['/shared'] = { $ref: '#/components/x-pathItems/Missing' };
  },
  info: (d, a) => {
    d.info.title = a.word;
  },
  tagList: (d, a) => {
    d.tags = [
      { name: 'users', description: a.word },
      { name: 'pets', parent: a.n % 2 === 0 ? 'users' : undefined },
    ];
    if (d.tags[1].parent === undefined) delete d.tags[1].parent;
  },
};

const editArb = fc.record({
  name: fc.constantFrom(...Object.keys(EDITS)),
  args: fc.record({ pick: fc.nat({ max: 20 }), word, n: fc.integer({ min: 0, max: 60 }) }),
});

const optionsArb: fc.Arbitrary<RenderOptions> = fc
  .record({
    version: fc.constantFrom<11 | 12 | undefined>(11, 12, undefined),
    variable: fc.constantFrom<string | undefined>(undefined, 'baseUrl', 'host'),
  })
  .map(({ version, variable }) => {
    const options: RenderOptions = {};
    if (version !== undefined) options.collectionVersion = version;
    if (variable !== undefined) options.baseUrlVariable = variable;
    return options;
  });

function edited(doc: Doc, edits: Array<{ name: string; args: EditArgs }>): Doc {
  const copy = structuredClone(doc) as Doc;
  for (const { name, args } of edits) {
    try {
      EDITS[name]!(copy, args);
    } catch (error) {
      // An earlier edit removed what this one changes (a path, an operation, a schema): skip it.
      if (!(error instanceof TypeError)) throw error;
    }
  }
  // Drop any undefined an edit left, as JSON would.
  return JSON.parse(JSON.stringify(copy)) as Doc;
}

describe('renderWithCache on edited synthetic documents', () => {
  it('renders every version as an uncached render would, with one cache across versions', () => {
    fc.assert(
      fc.property(
        knobs,
        fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(optionsArb, { minLength: 4, maxLength: 4 }),
        (k, versions, options) => {
          const cache: RequestCache = new WeakMap();
          let plain = JSON.parse(JSON.stringify(buildDoc(k))) as Doc;
          let frozen = deepFreeze(structuredClone(plain) as Doc);
          const opts = (i: number): RenderOptions => options[i % options.length]!;
          expectSameRender(renderWithCache(frozen, opts(0), cache), renderCollection(structuredClone(plain), opts(0)));
          // Every operation of a frozen document is cached after a render.
          for (const op of operationsOf(frozen)) expect(cache.get(op)).toBeDefined();
          versions.forEach((edits, i) => {
            plain = edited(plain, edits);
            frozen = deepFreeze(shareUnchanged(frozen, structuredClone(plain) as Doc));
            const cached = renderWithCache(frozen, opts(i + 1), cache);
            const reference = renderCollection(structuredClone(plain), opts(i + 1));
            expectSameRender(cached, reference);
            // And rendering the same frozen document again is stable.
            expectSameRender(renderWithCache(frozen, opts(i + 1), cache), reference);
          });
        },
      ),
      { numRuns: 250 },
    );
  });

  it('reuses exactly the requests whose inputs were not edited', () => {
    const cache: RequestCache = new WeakMap();
    const k: Knobs = {
      idType: 'integer',
      idExample: 7,
      petName: 'alpha',
      limit: 5,
      traceIn: 'header',
      apiKeyIn: 'header',
      listSecurity: 'bearer',
      itemServers: false,
      docSecurity: false,
    };
    const v1 = deepFreeze(buildDoc(k));
    const first = renderWithCache(v1, {}, cache);
    const byId = (c: HoppCollection) => new Map(requestsOf(c).map((r) => [(r as HoppRequest & { id: string }).id, r]));

    // An equal copy: everything reused.
    const same = deepFreeze(shareUnchanged(v1, JSON.parse(JSON.stringify(v1)) as Doc));
    expect(same).toBe(v1);
    const again = renderWithCache(same, {}, cache);
    expect(requestsOf(again.collection).every((r, i) => r === requestsOf(first.collection)[i])).toBe(true);

    // The Error response is read only by listPets (its default response) and the untagged PATCH /users/{userId}.
    const v2doc = JSON.parse(JSON.stringify(v1)) as Doc;
    v2doc.components.responses.Error.content['application/json'].example = { message: 'changed' };
    const v2 = deepFreeze(shareUnchanged(v1, v2doc));
    const second = renderWithCache(v2, {}, cache);
    expectSameRender(second, renderCollection(JSON.parse(JSON.stringify(v2doc)), {}));
    const before = byId(first.collection);
    const after = byId(second.collection);
    const renderedAgain = [...after]
      .filter(([id, r]) => before.get(id) !== r)
      .map(([id]) => id)
      .sort();
    expect(renderedAgain).toEqual(['PATCH /users/{}', 'listPets'].sort());

    // A duplicated operationId after a reorder: a cached request keeps its content under its new unique id.
    const v3doc = JSON.parse(JSON.stringify(v2doc)) as Doc;
    v3doc.paths['/users/{userId}'].get.operationId = 'getPet';
    v3doc.paths = Object.fromEntries(Object.entries(v3doc.paths).reverse());
    const v3 = deepFreeze(shareUnchanged(v2, v3doc));
    const third = renderWithCache(v3, {}, cache);
    expectSameRender(third, renderCollection(JSON.parse(JSON.stringify(v3doc)), {}));
    expect([...byId(third.collection).keys()]).toContain('getPet#2');
  });

  it('does not use or fill the cache for a document that is not a deep-frozen tree', () => {
    fc.assert(
      fc.property(knobs, fc.array(editArb, { maxLength: 3 }), optionsArb, (k, edits, options) => {
        const cache: RequestCache = new WeakMap();
        const doc = edited(buildDoc(k), edits);
        const reference = renderCollection(structuredClone(doc), options);
        // Plain, unfrozen.
        expectSameRender(renderWithCache(doc, options, cache), reference);
        for (const op of operationsOf(doc)) expect(cache.get(op)).toBeUndefined();
        // Frozen all the way down by hand, but not by deepFreeze: still not trusted.
        const handFrozen = structuredClone(doc) as Doc;
        const freeze = (v: unknown): void => {
          if (v !== null && typeof v === 'object') {
            Object.freeze(v);
            for (const c of Object.values(v)) freeze(c);
          }
        };
        freeze(handFrozen);
        expectSameRender(renderWithCache(handFrozen, options, cache), reference);
        for (const op of operationsOf(handFrozen)) expect(cache.get(op)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('ignores a filled cache when an unfrozen document shares frozen operations but changed what they read', () => {
    const cache: RequestCache = new WeakMap();
    const k: Knobs = {
      idType: 'string',
      idExample: 'abc',
      petName: 'beta',
      limit: 3,
      traceIn: 'query',
      apiKeyIn: 'query',
      listSecurity: 'apiKey',
      itemServers: true,
      docSecurity: true,
    };
    const v1 = deepFreeze(buildDoc(k));
    renderWithCache(v1, { validate: false }, cache);
    // A shallow, unfrozen copy: the same (cached) operation objects, other components and path-level parameters.
    const components = structuredClone(v1.components) as Doc;
    components.schemas.Id = { type: 'integer', example: 42 };
    components.securitySchemes.apiKey = { type: 'http', scheme: 'basic' };
    components.parameters.Trace.example = 'changed';
    const mixed: Doc = { ...v1, components };
    const reference = renderCollection(JSON.parse(JSON.stringify(mixed)), { validate: false });
    const result = renderWithCache(mixed, { validate: false }, cache);
    expectSameRender(result, reference);
    expect(JSON.stringify(result.collection)).toContain('42');
    // The same frozen operation object under a frozen document that changed what it reads: re-rendered, not reused.
    const v2doc = structuredClone(v1) as Doc;
    v2doc.components = components;
    const v2 = deepFreeze(shareUnchanged(v1, v2doc));
    expect(v2.paths).toBe(v1.paths);
    expectSameRender(renderWithCache(v2, { validate: false }, cache), reference);
  });
});
