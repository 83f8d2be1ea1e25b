import { describe, expect, it } from 'vitest';
import { merge3 } from '../../../src/merge/index.js';
import {
  allRequests,
  attachIdentities,
  endpointIdentity,
  hoppscotchIdentityRules,
  endpointPath,
  endpointSignature,
  normaliseEndpoint,
  operationIdentity,
  renderCollection,
  requestKey,
  type HoppCollection,
} from '../../../src/targets/hoppscotch/index.js';
import { matchPointerPattern } from '../../../src/json/index.js';

describe('normaliseEndpoint', () => {
  it('writes every path parameter style alike', () => {
    const forms = [
      '/pets/{id}/toys/{toyId}',
      '/pets/<<id>>/toys/<<toyId>>',
      '/pets/:id/toys/:toyId',
      '/pets/{{id}}/toys/{{toyId}}',
      '/pets/{petId}/toys/<<x>>',
    ];
    expect(new Set(forms.map(normaliseEndpoint))).toEqual(new Set(['/pets/{}/toys/{}']));
  });

  it('strips the base URL variable or a literal origin, and keeps a query and a fragment written in the endpoint', () => {
    expect(normaliseEndpoint('<<baseUrl>>/pets')).toBe('/pets');
    expect(normaliseEndpoint('<<apiRoot>>/pets/<<id>>')).toBe('/pets/{}');
    expect(normaliseEndpoint('https://api.example.com:8443/pets/1?limit=2#top')).toBe('/pets/1?limit=2#top');
    expect(normaliseEndpoint('http://localhost/')).toBe('/');
    expect(normaliseEndpoint('<<baseUrl>>')).toBe('/');
    expect(normaliseEndpoint('<<baseUrl>>/?Action=Purge&Queue=<<queue>>')).toBe('/?Action=Purge&Queue={}');
    // A trailing slash before the query goes, as it does without one.
    expect(normaliseEndpoint('/items/?Action=List')).toBe('/items?Action=List');
  });

  it('keeps a fragment without a query in the identity (AWS JSON APIs tell operations apart by it)', () => {
    expect(normaliseEndpoint('<<baseUrl>>/#X-Amz-Target=Lake.GetLFTag')).toBe('/#X-Amz-Target=Lake.GetLFTag');
    expect(normaliseEndpoint('/#X-Amz-Target=Lake.GetLFTag')).not.toBe(normaliseEndpoint('/#X-Amz-Target=Lake.DeleteLFTag'));
    expect(operationIdentity('post', '/#X-Amz-Target=Lake.GetLFTag')).toBe('POST /#X-Amz-Target=Lake.GetLFTag');
    expect(endpointIdentity('post', 'https://lake.example.com/#X-Amz-Target=Lake.GetLFTag')).toBe('POST /#X-Amz-Target=Lake.GetLFTag');
  });

  it('endpointSignature keeps parameter names; endpointPath is the identity before issue 12', () => {
    expect(endpointSignature('<<baseUrl>>/v2/<<sinkName>>')).toBe('/v2/{sinkName}');
    expect(endpointSignature('/v2/:name')).toBe('/v2/{name}');
    expect(endpointSignature('https://x.example.com/v2/{{name}}?a=<<b>>')).toBe('/v2/{name}?a={b}');
    expect(normaliseEndpoint(endpointSignature('/v2/<<sinkName>>'))).toBe('/v2/{}');
    expect(endpointPath('<<baseUrl>>/#X-Amz-Target=Lake.GetLFTag')).toBe('/');
    expect(endpointPath('https://api.example.com/pets/1?limit=2#top')).toBe('/pets/1');
    expect(endpointPath('/v2/<<sinkName>>')).toBe('/v2/{}');
  });

  it('drops a bare ? or # and surrounding blanks, names a leading :param, and strips an origin only at the start', () => {
    expect(normaliseEndpoint('/pets?')).toBe('/pets');
    expect(normaliseEndpoint('/pets#')).toBe('/pets');
    expect(normaliseEndpoint('  <<baseUrl>>/pets \t')).toBe('/pets');
    expect(normaliseEndpoint('<<baseUrl>>?Action=List')).toBe('/?Action=List');
    expect(normaliseEndpoint('#X-Amz-Target=Lake.GetLFTag')).toBe('/#X-Amz-Target=Lake.GetLFTag');
    expect(normaliseEndpoint(':petId/toys')).toBe('/{}/toys');
    expect(endpointSignature(':petId/toys')).toBe('/{petId}/toys');
    // A URL inside the path is not the origin (the doubled slash collapses like any other).
    expect(normaliseEndpoint('/proxy/https://x.example.com/y')).toBe('/proxy/https:/x.example.com/y');
  });

  it('collapses slashes and drops a trailing one, but keeps case and literal colons inside segments', () => {
    expect(normaliseEndpoint('//pets//{id}/')).toBe('/pets/{}');
    expect(normaliseEndpoint('/Pets')).toBe('/Pets');
    expect(normaliseEndpoint('/v1/models/gemini:generate')).toBe('/v1/models/gemini:generate');
  });
});

describe('operationIdentity', () => {
  it('is the operationId when present, else METHOD and the normalised template', () => {
    expect(operationIdentity('get', '/pets/{petId}', 'showPetById')).toBe('showPetById');
    expect(operationIdentity('get', '/pets/{petId}', '  ')).toBe('GET /pets/{}');
    expect(operationIdentity('get', '/pets/{petId}', ' showPetById ')).toBe('showPetById');
    expect(operationIdentity('delete', '/pets/{petId}')).toBe('DELETE /pets/{}');
    expect(endpointIdentity('Post', '<<baseUrl>>/pets/<<id>>')).toBe('POST /pets/{}');
  });

  it('requestKey uses the id, else the method and endpoint', () => {
    expect(requestKey({ id: 'listPets', method: 'GET', endpoint: '/x' })).toBe('listPets');
    expect(requestKey({ method: 'get', endpoint: 'https://old.example.com/pets/:id' })).toBe('GET /pets/{}');
    expect(requestKey('nope')).toBeUndefined();
    expect(requestKey({ name: 'no method' })).toBeUndefined();
    expect(requestKey(null)).toBeUndefined();
    expect(requestKey({ id: '', method: 'get', endpoint: '/x' })).toBe('GET /x');
    expect(requestKey({ method: 'get' })).toBeUndefined();
    expect(requestKey({ endpoint: '/x' })).toBeUndefined();
  });
});

describe('attachIdentities', () => {
  const document = {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    paths: {
      '/pets': { get: { operationId: 'listPets', tags: ['pets'] }, post: { tags: ['pets'] } },
      '/pets/{petId}': { get: { operationId: 'showPet', tags: ['pets'] } },
    },
  };

  it('gives requests made by an older importer (no id, literal host, renamed) the identity of their operation', () => {
    const rendered = renderCollection(document).collection;
    const local = structuredClone(rendered) as HoppCollection;
    const pets = local.folders[0];
    if (pets === undefined) throw new Error('no folder');
    for (const request of pets.requests) {
      delete request.id;
      request.name = `renamed ${request.name}`;
      request.endpoint = request.endpoint.replace('<<baseUrl>>', 'https://petstore.example.com').replace('<<petId>>', '{{petId}}');
    }
    pets.requests.push({ ...structuredClone(pets.requests[0]!), name: 'my own copy', endpoint: '/elsewhere' });
    const attached = attachIdentities(local, rendered);
    expect(attached.folders[0]?.requests.map((r) => r.id)).toEqual(['listPets', 'POST /pets', 'showPet', undefined]);
    expect(local.folders[0]?.requests[0]?.id).toBeUndefined();
  });

  it('tells operations on the same path shape apart by parameter names, and leaves a tie without an identity', () => {
    const google = {
      openapi: '3.0.3',
      info: { title: 'Logging', version: '2' },
      paths: {
        '/v2/{sinkName}': { get: { operationId: 'sinks.get', parameters: [{ name: 'sinkName', in: 'path', required: true }] } },
        '/v2/{name}': { get: { operationId: 'exclusions.get', parameters: [{ name: 'name', in: 'path', required: true }] } },
      },
    };
    const rendered = renderCollection(google).collection;
    const local = structuredClone(rendered) as HoppCollection;
    local.requests.reverse();
    for (const request of local.requests) {
      delete request.id;
      request.name = 'renamed';
    }
    expect(attachIdentities(local, rendered).requests.map((r) => r.id)).toEqual(['exclusions.get', 'sinks.get']);
    // Two requests that are the same operation in every way: neither gets it.
    const twins = structuredClone(local);
    twins.requests = [structuredClone(local.requests[0]!), structuredClone(local.requests[0]!)];
    expect(attachIdentities(twins, rendered).requests.map((r) => r.id)).toEqual([undefined, undefined]);
  });

  it('leaves known ids alone and hands each identity out once', () => {
    const rendered = renderCollection(document).collection;
    const local = structuredClone(rendered) as HoppCollection;
    const copy = { ...structuredClone(local.folders[0]!.requests[0]!), name: 'duplicate' };
    delete copy.id;
    local.folders[0]!.requests.push(copy);
    const attached = attachIdentities(local, rendered);
    expect(attached.folders[0]?.requests.map((r) => r.id)).toEqual(['listPets', 'POST /pets', 'showPet', undefined]);
  });
});

describe('hoppscotchIdentityRules', () => {
  it('merges raw collections whose requests have no id by method and endpoint, not by position', () => {
    const base = renderCollection({
      openapi: '3.0.3',
      info: { title: 'Pets', version: '1' },
      paths: { '/pets': { get: { summary: 'List' }, post: { summary: 'Add' } }, '/#X-Amz-Target=Pets.Feed': { post: { summary: 'Feed' } } },
    }).collection;
    for (const request of base.requests) delete request.id;
    const local = structuredClone(base);
    local.requests.reverse();
    local.requests[0]!.testScript = 'mine';
    const remote = structuredClone(base);
    remote.requests[2]!.description = 'Feeds the pets.';
    remote.requests[0]!.description = 'Lists the pets.';
    const { merged, conflicts } = merge3(base, local, remote, { rules: hoppscotchIdentityRules });
    expect(conflicts).toEqual([]);
    const result = (merged as HoppCollection).requests.map((r) => [r.name, r.testScript, r.description]);
    expect(result).toEqual(
      expect.arrayContaining([
        ['Feed', 'mine', 'Feeds the pets.'],
        ['List', '', 'Lists the pets.'],
        ['Add', '', null],
      ]),
    );
    expect(result).toHaveLength(3);
  });

  const ruleFor = (pointer: string) => hoppscotchIdentityRules.find((rule) => matchPointerPattern(rule.path, pointer));

  it('keys headers case-insensitively and params case-sensitively', () => {
    const headers = ruleFor('/folders/0/requests/1/headers');
    expect(headers?.key({ key: 'X-Trace' })).toBe('x-trace');
    expect(headers?.key({ key: 'x-trace' })).toBe('x-trace');
    expect([headers?.key({}), headers?.key({ key: 5 }), headers?.key(null), headers?.key('X-Trace')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const params = ruleFor('/requests/0/params');
    expect(params?.key({ key: 'Limit' })).not.toBe(params?.key({ key: 'limit' }));
  });

  it('keys requests by operation identity, folders by name, variables by key', () => {
    expect(ruleFor('/folders/2/folders/0/requests')?.key({ id: 'listPets', name: 'anything' })).toBe('listPets');
    expect(ruleFor('/folders')?.key({ name: 'pets' })).toBe('pets');
    expect(ruleFor('/variables')?.key({ key: 'baseUrl' })).toBe('baseUrl');
    expect(ruleFor('/folders/0/requests/0/requestVariables')?.key({ key: 'id' })).toBe('id');
    expect(ruleFor('/folders/0/requests/0/body/body')?.key({ key: 'file' })).toBe('file');
  });
});

describe('allRequests', () => {
  it('lists every request, depth first, folders before the requests of the collection itself', () => {
    const request = (name: string) => ({ name }) as HoppCollection['requests'][number];
    const folder = (name: string, requests: string[], folders: HoppCollection[] = []) =>
      ({ name, folders, requests: requests.map(request) }) as unknown as HoppCollection;
    const collection = folder('root', ['r1'], [folder('a', ['a1', 'a2'], [folder('b', ['b1'])]), folder('c', [])]);
    expect(allRequests(collection).map((r) => r.name)).toEqual(['b1', 'a1', 'a2', 'r1']);
    expect(allRequests(folder('empty', []))).toEqual([]);
  });
});
