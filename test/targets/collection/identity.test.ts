/**
 * Client-neutral identity: endpoints as Postman and Bruno write them
 * (`{{baseUrl}}/pets/:id`) name the same operation as Hoppscotch's
 * (`<<baseUrl>>/pets/<<id>>`) and the spec's template.
 */
import { describe, expect, it } from 'vitest';
import { endpointSignature, normaliseEndpoint } from '../../../src/targets/collection/identity.js';
import { operationHintsOf } from '../../../src/targets/collection/match.js';

describe('normaliseEndpoint across clients', () => {
  it('removes a leading {{variable}} as it removes a leading <<variable>>', () => {
    const forms = [
      '{{baseUrl}}/pets/:id',
      '<<baseUrl>>/pets/<<id>>',
      '/pets/{petId}',
      'https://api.example.com/pets/{{id}}',
      '{{apiRoot}}/pets/{id}/',
    ];
    expect(new Set(forms.map(normaliseEndpoint))).toEqual(new Set(['/pets/{}']));
    expect(endpointSignature('{{baseUrl}}/v2/:sinkName')).toBe('/v2/{sinkName}');
    // Only the first variable is the base: one further in is a path parameter.
    expect(normaliseEndpoint('{{baseUrl}}/{{tenant}}/pets')).toBe('/{}/pets');
  });

  it('gives an endpoint starting with {{variable}} its literal spelling too, from the variable value', () => {
    const hints = operationHintsOf(
      [{ id: 'GET /pets/{}', method: 'get', name: 'Get a pet', endpoint: '{{baseUrl}}/pets/:id' }],
      new Map([['baseUrl', 'https://api.example.com/v1']]),
      () => '',
    );
    expect(hints[0]!.endpoints).toEqual(['{{baseUrl}}/pets/:id', 'https://api.example.com/v1/pets/:id']);
  });
});
