/**
 * The pieces of identity matching on their own: `requestShape`,
 * `operationHints`, `withoutRepeat`, and `matchRequests` on requests that
 * carry one id several times (a Hoppscotch "Duplicate").
 * test/targets/hoppscotch/identity.test.ts, the identity property test and
 * the identity scenarios cover the matching as a whole.
 */
import { describe, expect, it } from 'vitest';
import {
  attachIdentities,
  matchRequests,
  operationHints,
  renderCollection,
  requestShape,
  type HoppCollection,
  type HoppRequest,
  type OperationHint,
  type StoredHint,
} from '../../../src/targets/hoppscotch/index.js';
import { withoutRepeat } from '../../../src/targets/hoppscotch/match.js';

type Shaped = Parameters<typeof requestShape>[0];
const shape = (request: Partial<Record<keyof Shaped, unknown>>): string => requestShape(request as Shaped);
const keys = (...names: string[]) => names.map((key) => ({ key, value: '', active: true }));
const json = (body: string, contentType: string | null = 'application/json') => ({ contentType, body });

describe('requestShape', () => {
  it('is the sorted path variable and query names, the body type and the sorted form field names', () => {
    expect(
      shape({
        requestVariables: keys('petId', 'ownerId'),
        params: keys('limit', 'after'),
        body: { contentType: 'multipart/form-data', body: keys('photo', 'caption') },
      }),
    ).toBe('ownerId,petId|after,limit|multipart/form-data|caption,photo');
  });

  it('is empty parts for a request without lists or body', () => {
    expect(shape({})).toBe('|||');
    expect(shape({ requestVariables: [], params: [], body: { contentType: null, body: null } })).toBe('|||');
  });

  it('takes the top-level field names of a JSON object body, sorted', () => {
    expect(shape({ body: json('{"name":"Rex","age":3,"tags":{"x":1}}') })).toBe('||application/json|age,name,tags');
    expect(shape({ body: json('{"b":1}', 'application/vnd.api+json') })).toBe('||application/vnd.api+json|b');
  });

  it('has no field names for a JSON body that is not an object, not JSON, or not declared JSON', () => {
    expect(shape({ body: json('[{"a":1}]') })).toBe('||application/json|');
    expect(shape({ body: json('null') })).toBe('||application/json|');
    expect(shape({ body: json('"text"') })).toBe('||application/json|');
    expect(shape({ body: json('{"a": <<value>>') })).toBe('||application/json|');
    expect(shape({ body: json('{"a":1}', 'text/plain') })).toBe('||text/plain|');
    expect(shape({ body: json('{"a":1}', null) })).toBe('|||');
  });

  it('reads a JSON body up to 64 KiB, and no longer one', () => {
    const sized = (length: number) => {
      const head = '{"a":"';
      return `${head}${'x'.repeat(length - head.length - 2)}"}`;
    };
    expect(sized(65_536)).toHaveLength(65_536);
    expect(shape({ body: json(sized(65_536)) })).toBe('||application/json|a');
    expect(shape({ body: json(sized(65_537)) })).toBe('||application/json|');
  });
});

const rendered = renderCollection({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  servers: [{ url: 'https://api.example.com/v1' }],
  paths: {
    '/pets': { get: { operationId: 'listPets', summary: 'List pets' }, post: { summary: 'Add a pet' } },
    '/search?kind=pets': { get: { summary: 'Search' } },
  },
}).collection;
const requestNamed = (name: string): HoppRequest => {
  const found = [...rendered.requests, ...rendered.folders.flatMap((folder) => folder.requests)].find((request) => request.name === name);
  if (found === undefined) throw new Error(`no request ${name}`);
  return structuredClone(found);
};

describe('operationHints', () => {
  it('gives every request with an id its endpoint as written and with the leading variable replaced by its value', () => {
    const hints = operationHints(rendered);
    expect(hints.map((hint) => [hint.key, hint.method, hint.name, hint.endpoints])).toEqual(
      expect.arrayContaining([
        ['listPets', 'GET', 'List pets', ['<<baseUrl>>/pets', 'https://api.example.com/v1/pets']],
        ['POST /pets', 'POST', 'Add a pet', ['<<baseUrl>>/pets', 'https://api.example.com/v1/pets']],
      ]),
    );
    expect(hints).toHaveLength(3);
    expect(hints.every((hint) => hint.shape === '|||')).toBe(true);
  });

  it('gives no second spelling for an empty or unknown variable, or an endpoint not starting with one', () => {
    const collection = structuredClone(rendered);
    collection.variables = collection.variables.map((variable) => ({ ...variable, initialValue: '' }));
    const extra = { ...requestNamed('Add a pet'), id: 'own', endpoint: 'https://x.example.com/<<baseUrl>>/pets' };
    const unknown = { ...requestNamed('Add a pet'), id: 'other', endpoint: '<<elsewhere>>/pets' };
    const withoutId = { ...requestNamed('Add a pet'), endpoint: '/mine' };
    delete (withoutId as Partial<HoppRequest>).id;
    collection.requests = [...collection.requests, extra, unknown, withoutId];
    const hints = operationHints(collection);
    expect(hints.find((hint) => hint.key === 'listPets')?.endpoints).toEqual(['<<baseUrl>>/pets']);
    const ownVariable = structuredClone(rendered);
    ownVariable.requests = [extra, unknown];
    expect(operationHints(ownVariable).map((hint) => hint.endpoints)).toEqual([
      ['https://x.example.com/<<baseUrl>>/pets'],
      ['<<elsewhere>>/pets'],
    ]);
    expect(hints.map((hint) => hint.key)).not.toContain(undefined);
    expect(hints).toHaveLength(5);
  });

  it('computes the shape of the request it stands for', () => {
    const collection = structuredClone(rendered);
    const request = {
      ...requestNamed('Add a pet'),
      id: 'addPet',
      body: { contentType: 'application/json', body: '{"name":"Rex"}' },
    } as HoppRequest;
    collection.requests = [request];
    expect(operationHints(collection)[0]?.shape).toBe(requestShape(request));
    expect(operationHints(collection)[0]?.shape).toBe('||application/json|name');
  });

  it('names the id written before query and fragment were kept, for identities without an operationId only', () => {
    const hints = operationHints(rendered);
    expect(hints.find((hint) => hint.name === 'Search')?.legacyId).toBe('GET /search');
    expect(hints.find((hint) => hint.key === 'POST /pets')?.legacyId).toBeUndefined();
    expect(hints.find((hint) => hint.key === 'listPets')?.legacyId).toBeUndefined();
    const repeat = structuredClone(rendered);
    repeat.requests = [
      { ...requestNamed('Search'), id: 'GET /search?kind=pets#2' },
      { ...requestNamed('Search'), id: 'searchPets' },
    ];
    expect(operationHints(repeat).map((hint) => hint.legacyId)).toEqual(['GET /search', undefined]);
  });
});

describe('withoutRepeat', () => {
  it('drops a trailing #n only', () => {
    expect(withoutRepeat('GET /pets#2')).toBe('GET /pets');
    expect(withoutRepeat('GET /pets#12')).toBe('GET /pets');
    expect(withoutRepeat('POST /#X-Amz-Target=Feed#3')).toBe('POST /#X-Amz-Target=Feed');
    expect(withoutRepeat('GET /pets#2a')).toBe('GET /pets#2a');
    expect(withoutRepeat('GET /pets')).toBe('GET /pets');
  });
});

describe('matchRequests: one id on several requests', () => {
  const at = (request: HoppRequest, index: number) => ({ path: `/requests/${index}`, request });
  const hints = operationHints(rendered);

  it('gives the id to the request that is most like the operation', () => {
    const original = requestNamed('List pets');
    const duplicate = { ...requestNamed('List pets'), name: 'List pets (copy)', endpoint: '<<baseUrl>>/pets/mine' };
    const result = matchRequests([duplicate, original].map(at), (id) => id === 'listPets', hints, []);
    expect(result).toEqual({ keys: [undefined, 'listPets'], ambiguities: [] });
  });

  it('gives it to none of two that are equally like it, and reports them', () => {
    const result = matchRequests([requestNamed('List pets'), requestNamed('List pets')].map(at), (id) => id === 'listPets', hints, []);
    expect(result).toEqual({
      keys: [undefined, undefined],
      ambiguities: [
        {
          key: 'listPets',
          requests: [
            { path: '/requests/0', name: 'List pets' },
            { path: '/requests/1', name: 'List pets' },
          ],
        },
      ],
    });
  });

  it('never gives an id one request carries to another, and takes no empty id', () => {
    const copy = { ...requestNamed('List pets'), name: 'List pets' };
    delete (copy as Partial<HoppRequest>).id;
    expect(matchRequests([requestNamed('List pets'), copy].map(at), (id) => id === 'listPets', hints, []).keys).toEqual([
      'listPets',
      undefined,
    ]);
    const empty = { ...requestNamed('List pets'), id: '' };
    expect(matchRequests([empty].map(at), () => true, hints, []).keys).toEqual(['listPets']);
    expect(matchRequests([empty].map(at), () => true, [], []).keys).toEqual([undefined]);
  });

  it('gives an id that no operation describes to the first that carries it', () => {
    const mine = { ...requestNamed('List pets'), id: 'mine' };
    expect(matchRequests([mine, mine].map(at), () => true, hints, []).keys).toEqual(['mine', undefined]);
  });
});

describe('attachIdentities', () => {
  it('never gives a request the identity another request already carries', () => {
    const local = structuredClone(rendered) as HoppCollection;
    const first = local.requests[0] as HoppRequest;
    const copy = structuredClone(first);
    delete (copy as Partial<HoppRequest>).id;
    first.endpoint = '<<baseUrl>>/v9/elsewhere';
    local.requests.push(copy);
    const attached = attachIdentities(local, rendered);
    expect(attached.requests.map((r) => r.id)).toEqual([first.id, ...local.requests.slice(1, -1).map((r) => r.id), undefined]);
  });

  it('keeps the very request objects whose identity is already right', () => {
    const local = structuredClone(rendered) as HoppCollection;
    const moved = local.requests[0] as HoppRequest;
    delete (moved as Partial<HoppRequest>).id;
    const attached = attachIdentities(local, rendered);
    expect(attached.requests[0]).not.toBe(moved);
    expect(attached.requests[0]?.id).toBe(rendered.requests[0]?.id);
    expect(attached.requests).toHaveLength(3);
    expect(attached.requests.slice(1)).toEqual(local.requests.slice(1));
    attached.requests.slice(1).forEach((request, r) => expect(request).toBe(local.requests[r + 1]));
  });
});

describe('matchRequests: the signals', () => {
  const hint = (key: string, method: string, endpoint: string, name: string, legacyId?: string): OperationHint => ({
    key,
    method,
    name,
    endpoints: [endpoint],
    shape: '|||',
    ...(legacyId === undefined ? {} : { legacyId }),
  });
  const request = (name: string, method: string, endpoint: string, id?: string) =>
    ({
      name,
      method,
      endpoint,
      params: [],
      requestVariables: [],
      body: { contentType: null, body: null },
      ...(id === undefined ? {} : { id }),
    }) as unknown as HoppRequest;
  const keysOf = (requests: HoppRequest[], hints: OperationHint[], stored: StoredHint[] = []) =>
    matchRequests(
      requests.map((r, i) => ({ path: `/requests/${i}`, request: r })),
      () => false,
      hints,
      stored,
    ).keys;
  const list = hint('listPets', 'GET', '<<baseUrl>>/pets', 'List pets');

  it('takes the same endpoint with the same method, whatever the name', () => {
    expect(keysOf([request('Mine', 'get', 'https://old.example.com/pets')], [list])).toEqual(['listPets']);
    expect(keysOf([request('List pets', 'POST', '<<baseUrl>>/pets')], [list])).toEqual([undefined]);
  });

  it('takes the path without its query only together with the name, and never between two different queries', () => {
    expect(keysOf([request('List pets', 'GET', '<<baseUrl>>/pets?page=2')], [list])).toEqual(['listPets']);
    expect(keysOf([request('Mine', 'GET', '<<baseUrl>>/pets?page=2')], [list])).toEqual([undefined]);
    const search = hint('search', 'GET', '<<baseUrl>>/search?kind=pets', 'Search');
    expect(keysOf([request('Search', 'GET', '<<baseUrl>>/search?kind=cats')], [search])).toEqual([undefined]);
    expect(keysOf([request('Search', 'GET', '<<baseUrl>>/search')], [search])).toEqual(['search']);
  });

  it('takes the stored place only together with the stored name, whatever the method and endpoint', () => {
    const stored: StoredHint[] = [{ path: '/requests/0', key: 'listPets', name: 'All my pets', endpoint: 'GET /pets', legacy: false }];
    expect(keysOf([request('All my pets', 'PUT', '/elsewhere')], [list], stored)).toEqual(['listPets']);
    expect(keysOf([request('Other', 'PUT', '/elsewhere')], [list], stored)).toEqual([undefined]);
    expect(keysOf([request('Other', 'GET', '/elsewhere')], [list], stored)).toEqual([undefined]);
    expect(keysOf([request('Other', 'PUT', '/elsewhere'), request('All my pets', 'PUT', '/elsewhere')], [list], stored)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('takes an id written before query and fragment were kept, with the method', () => {
    const search = hint('GET /search?kind=pets', 'GET', '<<baseUrl>>/search?kind=pets', 'Search', 'GET /search');
    expect(keysOf([request('Mine', 'GET', '/moved', 'GET /search')], [search])).toEqual(['GET /search?kind=pets']);
    expect(keysOf([request('Mine', 'GET', '/moved', 'GET /search#2')], [search])).toEqual(['GET /search?kind=pets']);
    expect(keysOf([request('Mine', 'POST', '/moved', 'GET /search')], [search])).toEqual([undefined]);
  });

  it('reads the method and endpoint of a stored record, and only the path of a version 1 record', () => {
    const renamed = hint('addPet', 'POST', '<<baseUrl>>/pets', 'Add a pet');
    const stored = (endpoint: string, legacy: boolean): StoredHint[] => [
      { path: '/requests/5', key: 'addPet', name: 'Create', endpoint, legacy },
    ];
    // The record knows the request as `Create` at POST /animals: a request named so at that endpoint is it.
    expect(keysOf([request('Create', 'POST', '/animals')], [renamed], stored('post /animals', false))).toEqual(['addPet']);
    expect(keysOf([request('Create', 'GET', '/animals')], [renamed], stored('post /animals', false))).toEqual([undefined]);
    expect(keysOf([request('Create', 'POST', '/animals?x=1')], [renamed], stored('POST /animals', true))).toEqual(['addPet']);
    // A version 1 record wrote the path without its query: with another name it is not enough.
    expect(keysOf([request('Mine', 'POST', '/animals')], [renamed], stored('POST /animals', true))).toEqual([undefined]);
    expect(keysOf([request('Mine', 'POST', '/animals')], [renamed], stored('POST /animals', false))).toEqual(['addPet']);
    expect(keysOf([request('Create', 'POST', '/animals')], [renamed], stored('/animals', false))).toEqual([undefined]);
  });

  it('gives a request its next best operation once its best went to a better request', () => {
    const first = hint('first', 'GET', '<<baseUrl>>/pets', 'First');
    const second = hint('second', 'GET', '<<baseUrl>>/pets?page=1', 'Second');
    // B is at the place the record has for `second`, under the name it has there; its endpoint is `first`'s.
    const stored: StoredHint[] = [{ path: '/requests/1', key: 'second', name: 'Other', endpoint: 'GET /pets?page=1', legacy: false }];
    expect(keysOf([request('First', 'GET', '/pets'), request('Other', 'GET', '/pets')], [first, second], stored)).toEqual([
      'first',
      'second',
    ]);
    const storedFirst: StoredHint[] = [{ ...stored[0]!, path: '/requests/0' }];
    expect(keysOf([request('Other', 'GET', '/pets'), request('First', 'GET', '/pets')], [first, second], storedFirst)).toEqual([
      'second',
      'first',
    ]);
    expect(keysOf([request('Other', 'GET', '/pets')], [first, second], storedFirst)).toEqual(['first']);
    expect(keysOf([request('Other', 'GET', '/pets')], [second, first], storedFirst)).toEqual(['first']);
  });

  it('tells operations on one path shape apart by parameter names, the stored place and the shape', () => {
    const sinks = hint('sinks', 'GET', '<<baseUrl>>/v2/<<sinkName>>', 'Get');
    const exclusions = hint('exclusions', 'GET', '<<baseUrl>>/v2/<<name>>', 'Get');
    expect(keysOf([request('Get', 'GET', '/v2/{sinkName}')], [sinks, exclusions])).toEqual(['sinks']);
    expect(keysOf([request('Get', 'GET', '/v2/:name')], [exclusions, sinks])).toEqual(['exclusions']);
    // Two requests alike in every way but the place: the one at the stored place (under the stored name) is it.
    const stored: StoredHint[] = [{ path: '/requests/1', key: 'listPets', name: 'List pets', endpoint: 'GET /pets', legacy: false }];
    expect(keysOf([request('List pets', 'GET', '/pets'), request('List pets', 'GET', '/pets')], [list], stored)).toEqual([
      undefined,
      'listPets',
    ]);
    // ... or but the shape: the one with the operation's shape is it.
    const paged = { ...list, shape: '|limit||' };
    const withLimit = { ...request('List pets', 'GET', '/pets'), params: [{ key: 'limit', value: '', active: true }] } as HoppRequest;
    expect(keysOf([request('List pets', 'GET', '/pets'), withLimit], [paged])).toEqual([undefined, 'listPets']);
  });

  it('ignores an id that is not a string', () => {
    expect(keysOf([{ ...request('List pets', 'GET', '/pets'), id: 5 } as unknown as HoppRequest], [list])).toEqual(['listPets']);
  });

  it('matches each request to its own best operation when several could be it', () => {
    const first = hint('first', 'GET', '<<baseUrl>>/pets', 'First');
    const second = hint('second', 'GET', '<<baseUrl>>/pets?page=1', 'Second');
    expect(keysOf([request('Second', 'GET', '/pets?page=1'), request('First', 'GET', '/pets')], [first, second])).toEqual([
      'second',
      'first',
    ]);
    expect(keysOf([request('First', 'GET', '/pets?page=1'), request('Second', 'GET', '/pets')], [first, second])).toEqual([
      'second',
      'first',
    ]);
  });
});
