import { describe, expect, it } from 'vitest';

import {
  attachIdentities,
  endpointIdentity,
  hoppscotchIdentityRules,
  normaliseEndpoint,
  operationIdentity,
  renderCollection,
  requestKey,
  type HoppCollection,
} from '../../../src/targets/hoppscotch/index.js';
import { matchPointerPattern } from '../../../src/json/index.js';

describe('normaliseEndpoint', () => {
  it('writes every path parameter style alike', () => {
    const forms = ['/pets/{id}/toys/{toyId}', '/pets/<<id>>/toys/<<toyId>>', '/pets/:id/toys/:toyId', '/pets/{{id}}/toys/{{toyId}}', '/pets/{petId}/toys/<<x>>'];
    expect(new Set(forms.map(normaliseEndpoint))).toEqual(new Set(['/pets/{}/toys/{}']));
  });

  it('strips the base URL variable or a literal origin, the query and the fragment', () => {
    expect(normaliseEndpoint('<<baseUrl>>/pets')).toBe('/pets');
    expect(normaliseEndpoint('<<apiRoot>>/pets/<<id>>')).toBe('/pets/{}');
    expect(normaliseEndpoint('https://api.example.com:8443/pets/1?limit=2#top')).toBe('/pets/1');
    expect(normaliseEndpoint('http://localhost/')).toBe('/');
    expect(normaliseEndpoint('<<baseUrl>>')).toBe('/');
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
    expect(operationIdentity('delete', '/pets/{petId}')).toBe('DELETE /pets/{}');
    expect(endpointIdentity('Post', '<<baseUrl>>/pets/<<id>>')).toBe('POST /pets/{}');
  });

  it('requestKey uses the id, else the method and endpoint', () => {
    expect(requestKey({ id: 'listPets', method: 'GET', endpoint: '/x' })).toBe('listPets');
    expect(requestKey({ method: 'get', endpoint: 'https://old.example.com/pets/:id' })).toBe('GET /pets/{}');
    expect(requestKey('nope')).toBeUndefined();
    expect(requestKey({ name: 'no method' })).toBeUndefined();
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
  const ruleFor = (pointer: string) => hoppscotchIdentityRules.find((rule) => matchPointerPattern(rule.path, pointer));

  it('keys headers case-insensitively and params case-sensitively', () => {
    const headers = ruleFor('/folders/0/requests/1/headers');
    expect(headers?.key({ key: 'X-Trace' })).toBe(headers?.key({ key: 'x-trace' }));
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
