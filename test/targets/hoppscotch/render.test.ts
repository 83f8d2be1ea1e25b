import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../../src/errors.js';
import {
  allRequests,
  parseCollection,
  renderCollection,
  type HoppCollection,
  type HoppRequest,
} from '../../../src/targets/hoppscotch/index.js';
import { npmFixture } from '../../support/npm-fixtures.js';

function doc(paths: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Test API', version: '1' },
    servers: [{ url: 'https://api.example.com/v1/' }],
    paths,
    ...extra,
  };
}

function only(collection: HoppCollection): HoppRequest {
  const requests = allRequests(collection);
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

describe('renderCollection: collection, folders, names', () => {
  const document = doc(
    {
      '/pets': {
        get: { tags: ['pets'], summary: 'List pets', operationId: 'listPets' },
        post: { tags: ['pets', 'dogs'], operationId: 'createPet' },
        trace: { summary: 'dropped' },
      },
      '/health': { get: {} },
      '/dogs/{dogId}': {
        get: { tags: ['dogs'], operationId: 'getDog', parameters: [{ name: 'dogId', in: 'path', required: true, example: 7 }] },
      },
      '/unused': { get: { tags: ['misc'], summary: '  ' } },
    },
    {
      info: { title: 'Test API', version: '1', description: 'About it' },
      tags: [{ name: 'empty' }, { name: 'pets', description: 'Pet things' }, { name: 'dogs', parent: 'pets', description: 'Dog things' }],
    },
  );

  it('maps the document to a collection with a seeded baseUrl variable', () => {
    const { collection } = renderCollection(document);
    expect(collection).toMatchObject({
      v: 12,
      name: 'Test API',
      description: 'About it',
      auth: { authType: 'none', authActive: true },
      preRequestScript: '',
      testScript: '',
    });
    expect(collection.variables).toEqual([{ key: 'baseUrl', initialValue: 'https://api.example.com/v1', currentValue: '', secret: false }]);
  });

  it('nests folders by tag parent, puts multi-tag operations once into the deepest tag, untagged at the root, and drops empty folders', () => {
    const { collection, operations } = renderCollection(document);
    expect(collection.folders.map((f) => f.name)).toEqual(['pets', 'misc']);
    const pets = collection.folders[0]!;
    expect(pets.description).toBe('Pet things');
    expect(pets.auth).toEqual({ authType: 'inherit', authActive: true });
    expect(pets.requests.map((r) => r.name)).toEqual(['List pets']);
    expect(pets.folders.map((f) => [f.name, f.description, f.requests.map((r) => r.name)])).toEqual([
      ['dogs', 'Dog things', ['createPet', 'getDog']],
    ]);
    expect(collection.requests.map((r) => [r.name, r.id])).toEqual([['Untitled Request', 'GET /health']]);
    expect(operations).toEqual({
      '/requests/0': 'GET /health',
      '/folders/0/requests/0': 'listPets',
      '/folders/0/folders/0/requests/0': 'createPet',
      '/folders/0/folders/0/requests/1': 'getDog',
      '/folders/1/requests/0': 'GET /unused',
    });
    expect(allRequests(collection).some((r) => r.name === 'dropped')).toBe(false);
  });

  it('writes path parameters as <<variables>> with requestVariables', () => {
    const dog = renderCollection(document).collection.folders[0]!.folders[0]!.requests[1]!;
    expect(dog.endpoint).toBe('<<baseUrl>>/dogs/<<dogId>>');
    expect(dog.requestVariables).toEqual([{ key: 'dogId', value: '7', active: true }]);
  });

  it('renders v11 without collection scripts, and another base URL variable name', () => {
    const { collection } = renderCollection(document, { collectionVersion: 11, baseUrlVariable: 'apiRoot' });
    expect(collection.v).toBe(11);
    expect('preRequestScript' in collection).toBe(false);
    expect(collection.folders[0]?.folders[0]?.v).toBe(11);
    expect(collection.variables[0]?.key).toBe('apiRoot');
    expect(collection.requests[0]?.endpoint).toBe('<<apiRoot>>/health');
  });

  it('is deterministic: the same input gives byte-identical JSON', () => {
    expect(JSON.stringify(renderCollection(structuredClone(document)))).toBe(JSON.stringify(renderCollection(document)));
  });

  it('refuses what is not OpenAPI 3 and bad options, with TARGET_INVALID', () => {
    for (const attempt of [
      () => renderCollection({ swagger: '2.0', paths: {} }),
      () => renderCollection('x'),
      () => renderCollection(document, { collectionVersion: 10 as 12 }),
      () => renderCollection(document, { baseUrlVariable: 'no spaces' }),
    ]) {
      try {
        attempt();
        expect.unreachable('should throw');
      } catch (error) {
        expect(isSyncError(error) && error.code).toBe('TARGET_INVALID');
      }
    }
  });
});

describe('renderCollection: parameters', () => {
  it('takes values in the order example, examples, x-example, default, schema.default', () => {
    const parameters = [
      { name: 'a', in: 'query', example: 'ex', examples: { one: { value: 'exs' } }, schema: { default: 'sd' } },
      { name: 'b', in: 'query', examples: { one: { summary: 'no value' }, two: { value: 'second' } }, 'x-example': 'xe' },
      { name: 'c', in: 'query', 'x-example': 'xe', default: 'd' },
      { name: 'd', in: 'query', default: 3, schema: { default: 4 } },
      { name: 'e', in: 'query', schema: { type: 'array', default: ['x', 'y'] } },
      { name: 'f', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'g', in: 'query', required: true, schema: { type: 'string' }, description: 'needed' },
    ];
    const request = only(renderCollection(doc({ '/q': { get: { parameters } } })).collection);
    expect(request.params).toEqual([
      { key: 'a', value: 'ex', active: true, description: '' },
      { key: 'b', value: 'second', active: true, description: '' },
      { key: 'c', value: 'xe', active: true, description: '' },
      { key: 'd', value: '3', active: true, description: '' },
      { key: 'e', value: 'x,y', active: true, description: '' },
      { key: 'f', value: '', active: false, description: '' },
      { key: 'g', value: '', active: true, description: 'needed' },
    ]);
  });

  it('merges path-item parameters into operations (the operation wins by in and name) and turns cookies into one Cookie header', () => {
    const document = doc(
      {
        '/items/{id}': {
          parameters: [
            { name: 'id', in: 'path', required: true, example: 'from-path-item' },
            { name: 'X-Tenant', in: 'header', example: 'acme' },
            { $ref: '#/components/parameters/Limit' },
          ],
          get: {
            parameters: [
              { name: 'id', in: 'path', required: true, example: 'from-operation' },
              { name: 'session', in: 'cookie', example: 'abc' },
              { name: 'theme', in: 'cookie', example: 'dark' },
              { name: 'Accept', in: 'header', example: 'text/plain' },
            ],
          },
        },
      },
      { components: { parameters: { Limit: { name: 'limit', in: 'query', example: 10 } } } },
    );
    const request = only(renderCollection(document).collection);
    expect(request.requestVariables).toEqual([{ key: 'id', value: 'from-operation', active: true }]);
    expect(request.params).toEqual([{ key: 'limit', value: '10', active: true, description: '' }]);
    expect(request.headers).toEqual([
      { key: 'X-Tenant', value: 'acme', active: true, description: '' },
      { key: 'Cookie', value: 'session=abc; theme=dark', active: true, description: 'Cookie parameters: session, theme' },
    ]);
  });

  it('resolves server variables with their defaults, and gives absolute path-level servers their own variable', () => {
    const document = doc(
      {
        '/a': { get: {} },
        '/b': { servers: [{ url: 'https://b.example.com' }], get: {} },
        '/c': { get: { servers: [{ url: '/relative' }] } },
      },
      {
        servers: [
          {
            url: '{scheme}://{host}/api',
            variables: { scheme: { default: 'https' }, host: { default: 'example.com', enum: ['example.com'] } },
          },
        ],
      },
    );
    const { collection } = renderCollection(document);
    expect(collection.variables.map((v) => [v.key, v.initialValue])).toEqual([
      ['baseUrl', 'https://example.com/api'],
      ['baseUrl_b', 'https://b.example.com'],
    ]);
    expect(collection.requests.map((r) => r.endpoint)).toEqual(['<<baseUrl>>/a', '<<baseUrl_b>>/b', '<<baseUrl>>/c']);
    expect(renderCollection(doc({ '/a': { get: {} } }, { servers: undefined })).collection.variables[0]?.initialValue).toBe('');
  });

  it('names one variable per distinct server, readable, unique and independent of where operations sit', () => {
    const document = doc({
      '/repos/{repo}/assets': { servers: [{ url: 'https://uploads.github.com' }], post: { operationId: 'upload' } },
      '/repos/{repo}/other': { post: { operationId: 'upload2', servers: [{ url: 'https://uploads.github.com/' }] } },
      '/faxes': {
        get: { operationId: 'faxes', servers: [{ url: 'https://fax.twilio.com/{v}', variables: { v: { default: '2010-04-01' } } }] },
      },
      '/same': { get: { operationId: 'same', servers: [{ url: 'https://api.example.com/v1/' }] } },
      '/x': { get: { operationId: 'x', servers: [{ url: 'https://files.a.example' }] } },
      '/y': { get: { operationId: 'y', servers: [{ url: 'http://files.b.example:8080' }] } },
      '/local': { get: { operationId: 'local', servers: [{ url: 'http://127.0.0.1:4010' }] } },
      '/v2': { get: { operationId: 'v2', servers: [{ url: 'https://www.example.com/v2' }] } },
      '/v3': { get: { operationId: 'v3', servers: [{ url: 'https://www.example.com/v3' }] } },
    });
    const { collection } = renderCollection(document);
    expect(collection.variables.map((v) => [v.key, v.initialValue, v.currentValue, v.secret])).toEqual([
      // The document's server, then the others in URL order.
      ['baseUrl', 'https://api.example.com/v1', '', false],
      ['baseUrl_127_0_0_1_4010', 'http://127.0.0.1:4010', '', false],
      ['baseUrl_files_b_example_8080', 'http://files.b.example:8080', '', false],
      ['baseUrl_fax', 'https://fax.twilio.com/2010-04-01', '', false],
      ['baseUrl_files_a_example', 'https://files.a.example', '', false],
      ['baseUrl_uploads', 'https://uploads.github.com', '', false],
      ['baseUrl_www_v2', 'https://www.example.com/v2', '', false],
      ['baseUrl_www_v3', 'https://www.example.com/v3', '', false],
    ]);
    const endpoints = Object.fromEntries(allRequests(collection).map((r) => [r.id, r.endpoint]));
    expect(endpoints).toEqual({
      upload: '<<baseUrl_uploads>>/repos/<<repo>>/assets',
      upload2: '<<baseUrl_uploads>>/repos/<<repo>>/other',
      faxes: '<<baseUrl_fax>>/faxes',
      same: '<<baseUrl>>/same',
      x: '<<baseUrl_files_a_example>>/x',
      y: '<<baseUrl_files_b_example_8080>>/y',
      local: '<<baseUrl_127_0_0_1_4010>>/local',
      v2: '<<baseUrl_www_v2>>/v2',
      v3: '<<baseUrl_www_v3>>/v3',
    });
    // Another base URL variable name carries over; removing the other operations renames nothing.
    const alone = renderCollection(doc({ '/repos/{repo}/assets': (document.paths as Record<string, unknown>)['/repos/{repo}/assets'] }), {
      baseUrlVariable: 'api',
    }).collection;
    expect(alone.variables.map((v) => v.key)).toEqual(['api', 'api_uploads']);
  });

  it('gives every path variable a value: example, examples, default, schema example or enum, else a <name> placeholder', () => {
    const path = (name: string, extra: Record<string, unknown>) => ({ name, in: 'path', required: true, ...extra });
    const document = doc({
      '/a/{a}/{b}/{c}/{d}/{e}/{f}': {
        get: {
          parameters: [
            path('a', { example: 'ex', schema: { type: 'string', default: 'no' } }),
            path('b', { schema: { type: 'integer', default: 3 } }),
            path('c', { schema: { type: 'string', enum: [null, 'toys', 'food'] } }),
            path('d', { schema: { type: 'string', example: 'schema-example' } }),
            path('e', { examples: { one: { value: 42 } } }),
            path('f', { schema: { type: 'string' } }),
          ],
        },
      },
    });
    expect(only(renderCollection(document).collection).requestVariables).toEqual([
      { key: 'a', value: 'ex', active: true },
      { key: 'b', value: '3', active: true },
      { key: 'c', value: 'toys', active: true },
      { key: 'd', value: 'schema-example', active: true },
      { key: 'e', value: '42', active: true },
      { key: 'f', value: '<f>', active: true },
    ]);
  });
});

describe('renderCollection: bodies and responses', () => {
  const pet = {
    type: 'object',
    required: ['name'],
    properties: {
      id: { type: 'integer', readOnly: true },
      name: { type: 'string', example: 'Rex' },
      born: { type: 'string', format: 'date' },
    },
  };

  it('prefers JSON, generates the body from the schema, and names the other media types', () => {
    const document = doc(
      {
        '/pets': {
          post: {
            requestBody: {
              content: { 'application/xml': { schema: pet }, 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
            },
          },
        },
      },
      { components: { schemas: { Pet: pet } } },
    );
    const request = only(renderCollection(document).collection);
    expect(request.body.contentType).toBe('application/json');
    expect(JSON.parse(request.body.body as string)).toEqual({ name: 'Rex', born: '2024-01-01' });
    expect(request.description).toBe('Other request media types: application/xml.');
  });

  it('encodes a plain string example as a JSON string and keeps JSON text as written', () => {
    const body = (example: unknown) =>
      only(renderCollection(doc({ '/x': { put: { requestBody: { content: { 'application/json': { example } } } } } })).collection).body
        .body;
    expect(body('hello')).toBe('"hello"');
    expect(body('{"a": 1}')).toBe('{"a": 1}');
  });

  it('turns forms into fields: multipart as an array (files as file fields), urlencoded as key: value lines', () => {
    const form = {
      type: 'object',
      properties: { name: { type: 'string', example: 'Rex' }, photo: { type: 'string', format: 'binary' }, age: { type: 'integer' } },
    };
    const multipart = only(
      renderCollection(doc({ '/f': { post: { requestBody: { content: { 'multipart/form-data': { schema: form } } } } } })).collection,
    );
    expect(multipart.body).toEqual({
      contentType: 'multipart/form-data',
      body: [
        { key: 'name', active: true, isFile: false, value: 'Rex' },
        { key: 'photo', active: true, isFile: true, value: [] },
        { key: 'age', active: true, isFile: false, value: '0' },
      ],
    });
    const urlencoded = only(
      renderCollection(doc({ '/f': { post: { requestBody: { content: { 'application/x-www-form-urlencoded': { schema: form } } } } } }))
        .collection,
    );
    expect(urlencoded.body).toEqual({ contentType: 'application/x-www-form-urlencoded', body: 'name: Rex\nphoto: \nage: 0' });
    const binary = only(renderCollection(doc({ '/f': { post: { requestBody: { content: { 'image/png': {} } } } } })).collection);
    expect(binary.body).toEqual({ contentType: 'application/octet-stream', body: null });
  });

  it('saves response examples, named by description or code', () => {
    const responses = {
      '200': {
        description: 'A pet',
        content: { 'application/json': { examples: { rex: { value: { name: 'Rex' } }, fido: { $ref: '#/components/examples/Fido' } } } },
      },
      '404': { description: '', content: { 'application/json': { example: { error: 'nope' } } } },
      default: { description: 'Oops', content: { 'text/plain': { example: 'boom' } } },
      '204': { description: 'Nothing' },
    };
    const document = doc(
      { '/pets/{id}': { get: { summary: 'Get pet', parameters: [{ name: 'id', in: 'path', required: true }], responses } } },
      { components: { examples: { Fido: { value: { name: 'Fido' } } } } },
    );
    const request = only(renderCollection(document).collection);
    // An integer-like name ("404") sorts first in any JavaScript object: compare as a set.
    expect(Object.keys(request.responses).sort()).toEqual(['404', 'A pet (fido)', 'A pet (rex)', 'Oops']);
    expect(request.responses['A pet (fido)']).toMatchObject({
      status: 'OK',
      code: 200,
      body: '{\n  "name": "Fido"\n}',
      headers: [{ key: 'content-type', value: 'application/json' }],
    });
    expect(request.responses['404']).toMatchObject({ status: 'Not Found', code: 404 });
    expect(request.responses.Oops).toMatchObject({ code: null, body: 'boom' });
    expect(request.responses['404']?.originalRequest).toMatchObject({
      v: '6',
      name: 'Get pet',
      method: 'GET',
      endpoint: '<<baseUrl>>/pets/<<id>>',
      requestVariables: [{ key: 'id' }],
    });
  });
});

describe('renderCollection: auth', () => {
  const components = {
    securitySchemes: {
      basic: { type: 'http', scheme: 'basic' },
      bearer: { type: 'http', scheme: 'Bearer', bearerFormat: 'JWT' },
      header: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      query: { type: 'apiKey', in: 'query', name: 'api_key' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'sid' },
      oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'Read' } } } },
      oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://auth.example.com/.well-known/openid-configuration' },
    },
  };
  const authOf = (security: unknown, documentSecurity?: unknown) => {
    const { collection } = renderCollection(
      doc(
        { '/x': { get: security === undefined ? {} : { security } } },
        { components, ...(documentSecurity === undefined ? {} : { security: documentSecurity }) },
      ),
    );
    return { request: only(collection).auth, collection: collection.auth };
  };

  it('inherits when nothing is declared, and is none for [] or an optional {}', () => {
    expect(authOf(undefined).request).toEqual({ authType: 'inherit', authActive: true });
    expect(authOf([]).request).toEqual({ authType: 'none', authActive: true });
    expect(authOf([{}, { basic: [] }]).request).toEqual({ authType: 'none', authActive: true });
  });

  it('maps the first scheme of the first requirement, credentials referring to its secret auth variables', () => {
    expect(authOf([{ basic: [] }, { bearer: [] }]).request).toEqual({
      authType: 'basic',
      authActive: true,
      username: '<<basic_username>>',
      password: '<<basic_password>>',
    });
    expect(authOf([{ bearer: [], basic: [] }]).request).toEqual({ authType: 'bearer', authActive: true, token: '<<bearer_token>>' });
    expect(authOf([{ header: [] }]).request).toEqual({
      authType: 'api-key',
      authActive: true,
      key: 'X-API-Key',
      value: '<<header_key>>',
      addTo: 'HEADERS',
    });
    expect(authOf([{ query: [] }]).request).toMatchObject({ authType: 'api-key', key: 'api_key', addTo: 'QUERY_PARAMS' });
    expect(authOf([{ cookie: [] }]).request).toEqual({ authType: 'inherit', authActive: true });
    expect(authOf([{ oauth: ['read'] }]).request).toMatchObject({
      authType: 'oauth-2',
      addTo: 'HEADERS',
      grantTypeInfo: {
        grantType: 'CLIENT_CREDENTIALS',
        authEndpoint: 'https://auth.example.com/token',
        scopes: 'read',
        clientAuthentication: 'IN_BODY',
        clientID: '<<oauth_clientId>>',
        clientSecret: '<<oauth_clientSecret>>',
      },
    });
    expect(authOf([{ oidc: ['openid'] }]).request).toMatchObject({
      authType: 'oauth-2',
      grantTypeInfo: { grantType: 'AUTHORIZATION_CODE', scopes: 'openid', isPKCE: false },
    });
  });

  it('puts document-level security on the collection', () => {
    expect(authOf(undefined, [{ bearer: [] }]).collection).toEqual({ authType: 'bearer', authActive: true, token: '<<bearer_token>>' });
    expect(authOf(undefined).collection).toEqual({ authType: 'none', authActive: true });
  });
});

describe('renderCollection: the petstore of @readme/oas-examples', () => {
  it('gives the folders, requests, endpoints, variables and auth Hoppscotch users expect', async () => {
    const root = await npmFixture('@readme/oas-examples', '8.2.2');
    const document = JSON.parse(await readFile(join(root, '3.0/json/petstore.json'), 'utf8')) as unknown;
    const { collection, operations } = renderCollection(document);
    expect(parseCollection(JSON.parse(JSON.stringify(collection)))).toEqual(collection);
    expect(collection.name).toBe('Swagger Petstore');
    expect(collection.variables[0]).toEqual({
      key: 'baseUrl',
      initialValue: 'http://petstore.swagger.io/v2',
      currentValue: '',
      secret: false,
    });
    expect(collection.folders.map((f) => [f.name, f.description, f.requests.length])).toEqual([
      ['pet', 'Everything about your Pets', 8],
      ['store', 'Access to Petstore orders', 4],
      ['user', 'Operations about user', 8],
    ]);
    expect(Object.keys(operations)).toHaveLength(20);
    const byId = new Map(allRequests(collection).map((r) => [r.id, r]));
    expect(byId.get('getPetById')).toMatchObject({
      name: 'Find pet by ID',
      method: 'GET',
      endpoint: '<<baseUrl>>/pet/<<petId>>',
      requestVariables: [{ key: 'petId', value: '<petId>', active: true }],
      auth: { authType: 'api-key', key: 'api_key', addTo: 'HEADERS' },
    });
    expect(byId.get('findPetsByStatus')).toMatchObject({
      endpoint: '<<baseUrl>>/pet/findByStatus',
      params: [{ key: 'status', active: true }],
    });
    expect(byId.get('addPet')?.auth).toMatchObject({
      authType: 'oauth-2',
      grantTypeInfo: { grantType: 'IMPLICIT', authEndpoint: 'http://petstore.swagger.io/oauth/dialog', scopes: 'write:pets read:pets' },
    });
    expect(byId.get('deletePet')?.headers.map((h) => h.key)).toEqual(['api_key']);
    expect(byId.get('updatePetWithForm')?.body.contentType).toBe('application/x-www-form-urlencoded');
    expect(byId.get('uploadFile')?.body.contentType).toBe('multipart/form-data');
    expect(byId.get('placeOrder')?.auth).toEqual({ authType: 'inherit', authActive: true });
  });
});
