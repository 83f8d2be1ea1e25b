/**
 * Property (issue 12, item 1): strip ids, delete, rename and move requests
 * at random; every identity `normaliseCollection` finds is the true one, and
 * a request that gets none is one whose operation was reported ambiguous.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HOPP_USER_KEY_PREFIX,
  denormaliseCollection,
  normaliseCollection,
  operationHints,
  renderCollection,
  type HoppCollection,
  type HoppRequest,
  type IdentityAmbiguity,
} from '../../../src/targets/hoppscotch/index.js';
import { propertyRuns } from '../../support/mutation.js';

type Json = Record<string, unknown>;

/** Operations that collide under looser identity rules: AWS fragments and queries, Google path shapes, a trailing-slash twin. */
const POOL: Array<{ path: string; method: string; operation: Json }> = [
  ...['CreateQueue', 'DeleteQueue', 'ListQueues', 'PurgeQueue'].map((name) => ({
    path: `/#X-Amz-Target=Queue.${name}`,
    method: 'post',
    operation: {
      operationId: name,
      tags: ['queue'],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { QueueName: { type: 'string' } } } } } },
    },
  })),
  { path: '/?Action=List', method: 'get', operation: { summary: 'List', tags: ['query'] } },
  { path: '/?Action=Peek', method: 'get', operation: { summary: 'Peek', tags: ['query'] } },
  {
    path: '/v2/{sinkName}',
    method: 'get',
    operation: { operationId: 'sinks.get', summary: 'Get', parameters: [{ name: 'sinkName', in: 'path', required: true }] },
  },
  {
    path: '/v2/{name}',
    method: 'get',
    operation: { operationId: 'exclusions.get', summary: 'Get', parameters: [{ name: 'name', in: 'path', required: true }] },
  },
  {
    path: '/v2/{sinkName}',
    method: 'delete',
    operation: { operationId: 'sinks.delete', summary: 'Delete', parameters: [{ name: 'sinkName', in: 'path', required: true }] },
  },
  {
    path: '/v2/{name}',
    method: 'delete',
    operation: { operationId: 'exclusions.delete', summary: 'Delete', parameters: [{ name: 'name', in: 'path', required: true }] },
  },
  {
    path: '/items/{id}',
    method: 'get',
    operation: { summary: 'Item', tags: ['items'], parameters: [{ name: 'id', in: 'path', required: true }] },
  },
  {
    path: '/items/{id}/',
    method: 'get',
    operation: { summary: 'Item again', tags: ['items'], parameters: [{ name: 'id', in: 'path', required: true }] },
  },
  {
    path: '/pets',
    method: 'get',
    operation: { operationId: 'listPets', summary: 'List', tags: ['items'], parameters: [{ name: 'limit', in: 'query' }] },
  },
];

function documentOf(indexes: readonly number[]): Json {
  const paths: Record<string, Json> = {};
  for (const index of indexes) {
    const { path, method, operation } = POOL[index]!;
    paths[path] = { ...(paths[path] ?? {}), [method]: operation };
  }
  return { openapi: '3.0.3', info: { title: 'Mixed', version: '1' }, paths };
}

interface Edit {
  stripId: boolean;
  remove: boolean;
  rename: boolean;
  /** 0: stay; 1..3: to the root, the first folder, a folder of the user's; at `position`. */
  move: number;
  position: number;
}

const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  stripId: fc.boolean(),
  remove: fc.boolean(),
  rename: fc.boolean(),
  move: fc.nat(3),
  position: fc.nat(20),
});

function* requestsOf(node: HoppCollection): Generator<{ request: HoppRequest; parent: HoppCollection }> {
  for (const folder of node.folders) yield* requestsOf(folder);
  for (const request of node.requests) yield { request, parent: node };
}

/** Apply the edits; each request's true identity rides in its test script, which no edit touches. */
function edited(written: HoppCollection, edits: readonly Edit[]): HoppCollection {
  const collection = structuredClone(written);
  const mine: HoppCollection = {
    ...structuredClone(collection.folders[0] ?? collection),
    name: 'mine',
    folders: [],
    requests: [],
  } as HoppCollection;
  collection.folders.push(mine as never);
  const entries = [...requestsOf(collection)];
  entries.forEach(({ request, parent }, index) => {
    const edit = edits[index % edits.length]!;
    request.testScript = `truth:${request.id}`;
    if (edit.stripId) delete (request as Partial<HoppRequest>).id;
    if (edit.rename) request.name = `renamed ${index % 2}`;
    if (edit.remove || edit.move > 0) parent.requests.splice(parent.requests.indexOf(request), 1);
    if (edit.remove) return;
    if (edit.move > 0) {
      const to = edit.move === 1 ? collection : edit.move === 2 ? (collection.folders[0] as HoppCollection) : mine;
      to.requests.splice(Math.min(edit.position, to.requests.length), 0, request);
    }
  });
  return collection;
}

describe('identity without ids (property)', () => {
  it('finds the true identity of every request, or reports it ambiguous', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(POOL.length - 1), { minLength: 2, maxLength: POOL.length }),
        fc.array(editArbitrary, { minLength: 1, maxLength: POOL.length }),
        fc.boolean(),
        (indexes, edits, withRecord) => {
          const rendered = renderCollection(documentOf(indexes)).collection;
          const { collection: written, record } = denormaliseCollection(normaliseCollection(rendered, { trustIds: true }));
          const local = edited(written, edits);
          const ambiguities: IdentityAmbiguity[] = [];
          const normalised = normaliseCollection(local, {
            ...(withRecord ? { stored: record } : {}),
            rendered: operationHints(rendered),
            onAmbiguity: (a) => ambiguities.push(a),
          });
          const reported = new Set(ambiguities.map((a) => a.key));
          for (const [key, { request }] of Object.entries(normalised.requests)) {
            const truth = String(request.testScript).slice('truth:'.length);
            if (key.startsWith(HOPP_USER_KEY_PREFIX))
              expect(reported.has(truth), `${request.name} (${truth}) got no identity and was not reported`).toBe(true);
            else expect(key).toBe(truth);
          }
          // Nothing renamed: names and endpoints together leave no tie.
          if (edits.every((e) => !e.rename)) expect(ambiguities).toEqual([]);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});
