/**
 * Property (issue 16): rendering any OpenAPI document gives a collection
 * that the official Postman SDK reads exactly as written and our own check
 * accepts, and that survives the trip through the keyed form the merge works
 * on (key, then nest again) unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectionOf,
  keyPostmanTree,
  nestPostmanTree,
  parsePostmanCollection,
  renderPostmanCollection,
  treeOf,
} from '../../../src/targets/postman/index.js';
import { propertyRuns } from '../../support/mutation.js';
import { sdkCheck } from '../../support/postman.js';

type Json = Record<string, unknown>;

/** Text with the characters URLs, JSON and Postman treat specially. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('#/foo', 'a&b=c', '{{x}}', ':id', '?q=1', 'Ῥόδος', '用户@例子', '', ' ', '[deprecated] x', '{id}', '%20'),
);
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/);
const schema: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ type: fc.constantFrom('string', 'integer', 'number', 'boolean') }),
  fc.record({ type: fc.constant('string'), format: fc.constantFrom('date-time', 'uuid', 'binary', 'email') }),
  fc.record({ type: fc.constant('string'), enum: fc.array(text, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    type: fc.constant('object'),
    properties: fc.dictionary(name, fc.record({ type: fc.constantFrom('string', 'integer') }), { maxKeys: 3 }),
  }),
  fc.record({ type: fc.constant('array'), items: fc.record({ type: fc.constantFrom('string', 'integer') }) }),
);
const parameter = (location: 'query' | 'header' | 'cookie') =>
  fc.record(
    {
      name,
      in: fc.constant(location),
      required: fc.boolean(),
      description: text,
      schema,
      example: fc.oneof(text, fc.integer(), fc.boolean()),
    },
    { requiredKeys: ['name', 'in', 'schema'] },
  );
const mediaType = fc.constantFrom(
  'application/json',
  'application/vnd.api+json',
  'multipart/form-data',
  'application/x-www-form-urlencoded',
  'application/xml',
  'text/plain',
  'application/octet-stream',
);
const body = fc.record({ content: fc.dictionary(mediaType, fc.record({ schema }, { requiredKeys: [] }), { minKeys: 1, maxKeys: 2 }) });
const responses = fc.dictionary(
  fc.constantFrom('200', '201', '204', '400', '404', 'default'),
  fc.record(
    { description: text, content: fc.record({ 'application/json': fc.record({ example: fc.jsonValue({ maxDepth: 2 }) }) }) },
    { requiredKeys: ['description'] },
  ),
  { maxKeys: 3 },
);
const schemes = fc.constantFrom<Json>(
  { type: 'http', scheme: 'basic' },
  { type: 'http', scheme: 'bearer' },
  { type: 'http', scheme: 'digest' },
  { type: 'apiKey', in: 'header', name: 'X-Key' },
  { type: 'apiKey', in: 'query', name: 'key' },
  { type: 'apiKey', in: 'cookie', name: 'sid' },
  { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'r' } } } },
  {
    type: 'oauth2',
    flows: { authorizationCode: { authorizationUrl: 'https://a.example.com', tokenUrl: 'https://a.example.com/t', scopes: {} } },
  },
  { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com' },
);

const documentArb: fc.Arbitrary<Json> = fc
  .record({
    version: fc.constantFrom('3.0.3', '3.1.0'),
    servers: fc.array(fc.constantFrom('https://api.example.com/v1', 'http://127.0.0.1:8080', '/relative', 'https://{region}.example.com'), {
      maxLength: 2,
    }),
    tags: fc.array(name, { maxLength: 3 }),
    security: fc.option(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 2 }), { nil: undefined }),
    schemes: fc.tuple(schemes, schemes, schemes),
    paths: fc.array(
      fc.record({
        segments: fc.array(
          fc.oneof(
            name,
            name.map((n) => `{${n}}`),
            fc.constantFrom('{a}.json', 'x{y}z'),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        operations: fc.dictionary(
          fc.constantFrom('get', 'post', 'put', 'patch', 'delete', 'head', 'options'),
          fc.record(
            {
              operationId: name,
              summary: text,
              description: text,
              tags: fc.array(name, { maxLength: 2 }),
              deprecated: fc.boolean(),
              parameters: fc.array(fc.oneof(parameter('query'), parameter('header'), parameter('cookie')), { maxLength: 3 }),
              requestBody: body,
              responses,
              security: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 1 }),
            },
            { requiredKeys: ['responses'] },
          ),
          { minKeys: 1, maxKeys: 3 },
        ),
      }),
      { maxLength: 5 },
    ),
  })
  .map((spec) => {
    const requirement = (names: string[]) => names.map((n) => ({ [n]: [] }));
    const paths: Json = {};
    for (const { segments, operations } of spec.paths) {
      const path = `/${segments.join('/')}`;
      const names = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] as string);
      const item: Json = {};
      for (const [method, op] of Object.entries(operations)) {
        const { security, ...operation } = op as Json & { security?: string[] };
        item[method] = {
          ...operation,
          ...(security === undefined ? {} : { security: requirement(security) }),
          parameters: [
            ...names.map((n) => ({ name: n, in: 'path', required: true, schema: { type: 'string' } })),
            ...((operation.parameters as Json[]) ?? []),
          ],
        };
      }
      paths[path] = item;
    }
    return {
      openapi: spec.version,
      info: { title: 'Generated', version: '1' },
      servers: spec.servers.map((url) => (url.includes('{region}') ? { url, variables: { region: { default: 'eu' } } } : { url })),
      tags: spec.tags.map((n) => ({ name: n })),
      ...(spec.security === undefined ? {} : { security: requirement(spec.security) }),
      components: { securitySchemes: { a: spec.schemes[0], b: spec.schemes[1], c: spec.schemes[2] } },
      paths,
    };
  });

describe('renderPostmanCollection on generated documents', () => {
  it('gives a collection the Postman SDK reads as written, that our check accepts and that keys and nests back unchanged', () => {
    fc.assert(
      fc.property(documentArb, (document) => {
        const collection = renderPostmanCollection(document);
        const json = JSON.parse(JSON.stringify(collection)) as unknown;
        expect(parsePostmanCollection(json)).toEqual(collection);
        expect(sdkCheck(json)).toEqual([]);
        const tree = treeOf(collection);
        const { collection: nested } = nestPostmanTree(keyPostmanTree(tree, { trustIds: true }));
        expect(collectionOf(nested)).toEqual(collection);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
