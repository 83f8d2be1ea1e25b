import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathVariableNames, postmanUrl, readPostmanUrl } from '../../../src/targets/postman/url.js';

describe('Postman URLs', () => {
  it('splits an address the way the app does, raw holding only the enabled query parameters', () => {
    expect(
      postmanUrl({
        address: '{{baseUrl}}/pets/:petId',
        query: [
          { key: 'limit', value: '3' },
          { key: 'sort', value: 'name', disabled: true },
        ],
        variable: [{ key: 'petId', value: '1' }],
      }),
    ).toEqual({
      raw: '{{baseUrl}}/pets/:petId?limit=3',
      host: ['{{baseUrl}}'],
      path: ['pets', ':petId'],
      query: [
        { key: 'limit', value: '3' },
        { key: 'sort', value: 'name', disabled: true },
      ],
      variable: [{ key: 'petId', value: '1' }],
    });
    expect(postmanUrl({ address: 'https://api.example.com:8443/v1', query: [], variable: [] })).toEqual({
      raw: 'https://api.example.com:8443/v1',
      protocol: 'https',
      host: ['api', 'example', 'com'],
      port: '8443',
      path: ['v1'],
    });
  });

  it('percent-encodes & and # in query keys and values of raw (= in keys), as the SDK does, but not inside {{variables}}', () => {
    const built = postmanUrl({
      address: '{{baseUrl}}/a',
      query: [
        { key: 'json-pointer', value: '#/foo' },
        { key: 'a=b', value: 'x&y' },
        { key: 'v', value: '{{a&b}}' },
      ],
      variable: [],
    });
    expect(built.raw).toBe('{{baseUrl}}/a?json-pointer=%23/foo&a%3Db=x%26y&v={{a&b}}');
  });

  it('reads text URLs and URLs with only raw', () => {
    expect(readPostmanUrl('{{baseUrl}}/a?x=1&y#top')).toEqual({
      address: '{{baseUrl}}/a',
      query: [
        { key: 'x', value: '1' },
        { key: 'y', value: null },
      ],
      variable: [],
      hash: 'top',
    });
    expect(readPostmanUrl({ raw: '{{baseUrl}}/b?z=2' })).toEqual({
      address: '{{baseUrl}}/b',
      query: [{ key: 'z', value: '2' }],
      variable: [],
    });
    expect(pathVariableNames('{{baseUrl}}/a/:id/b/:other.id')).toEqual(['id', 'other.id']);
  });

  it('reads back what it builds', () => {
    const segment = fc.stringMatching(/^(:?[A-Za-z0-9_-]{1,8}|\{\{[a-z]{1,5}\}\})$/);
    const host = fc.constantFrom('{{baseUrl}}', 'https://api.example.com', 'http://127.0.0.1:8080', 'https://{{host}}');
    const pair = fc.record(
      { key: fc.stringMatching(/^[a-z]{1,6}$/), value: fc.stringMatching(/^[a-z0-9]{0,6}$/) },
      { requiredKeys: ['key', 'value'] },
    );
    fc.assert(
      fc.property(host, fc.array(segment, { maxLength: 5 }), fc.array(pair, { maxLength: 4 }), (base, segments, query) => {
        const address = segments.length === 0 ? base : `${base}/${segments.join('/')}`;
        const built = postmanUrl({ address, query, variable: [] });
        expect(readPostmanUrl(built)).toEqual({ address, query, variable: [] });
        expect(readPostmanUrl(built.raw)).toEqual({ address, query, variable: [] });
      }),
    );
  });
});
