import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../../src/errors.js';
import { parseCollection, parseCollections, type HoppCollection } from '../../../src/targets/hoppscotch/index.js';

/** The minimal collection of reference/hoppscotch.md, which the real CLI accepts. */
function minimal(): Record<string, any> {
  return {
    v: 12,
    name: 'Petstore',
    requests: [],
    folders: [
      {
        v: 12,
        name: 'pets',
        folders: [],
        requests: [
          {
            v: '17',
            name: 'List pets',
            method: 'GET',
            endpoint: '<<baseUrl>>/pets',
            params: [{ key: 'limit', value: '10', active: true, description: '' }],
            headers: [],
            preRequestScript: '',
            testScript: '',
            auth: { authType: 'inherit', authActive: true },
            body: { contentType: null, body: null },
            requestVariables: [],
            responses: {},
            description: null,
          },
        ],
        auth: { authType: 'inherit', authActive: true },
        headers: [],
        variables: [],
        description: null,
        preRequestScript: '',
        testScript: '',
      },
    ],
    auth: { authType: 'none', authActive: true },
    headers: [],
    variables: [{ key: 'baseUrl', initialValue: 'http://127.0.0.1:8080', currentValue: '', secret: false }],
    description: null,
    preRequestScript: '',
    testScript: '',
  };
}

function failure(value: unknown): { code: string; message: string; path: unknown } {
  try {
    parseCollection(value);
  } catch (error) {
    if (!isSyncError(error)) throw error;
    return { code: error.code, message: error.message, path: error.details.path };
  }
  throw new Error('expected parseCollection to throw');
}

describe('parseCollection', () => {
  it('accepts the minimal collection and returns it typed, unchanged', () => {
    const parsed = parseCollection(minimal()) as HoppCollection;
    expect(parsed).toEqual(minimal());
    expect(parsed.folders[0]?.requests[0]?.endpoint).toBe('<<baseUrl>>/pets');
  });

  it('returns an array for an "export all" array, and parseCollections always does', () => {
    const parsed = parseCollection([minimal(), { ...minimal(), name: 'Second' }]);
    expect(Array.isArray(parsed)).toBe(true);
    expect((parsed as HoppCollection[]).map((c) => c.name)).toEqual(['Petstore', 'Second']);
    expect(parseCollections(minimal())).toHaveLength(1);
  });

  it('keeps unknown keys and fills the fields Hoppscotch defaults', () => {
    const input = minimal();
    input['x-sync'] = { base: 'abc' };
    const request = input.folders[0].requests[0];
    delete request.testScript;
    delete request.description;
    request.params = [{ key: 'limit' }];
    const parsed = parseCollection(input) as HoppCollection & { 'x-sync': unknown };
    expect(parsed['x-sync']).toEqual({ base: 'abc' });
    const out = parsed.folders[0]?.requests[0];
    expect(out?.testScript).toBe('');
    expect(out?.description).toBeNull();
    expect(out?.params).toEqual([{ key: 'limit', value: '', active: true, description: '' }]);
  });

  it('accepts v11 collections, and v11 folders inside v12 ones', () => {
    const v11 = minimal();
    v11.v = 11;
    v11.folders[0].v = 11;
    delete v11.preRequestScript;
    delete v11.testScript;
    expect((parseCollection(v11) as HoppCollection).v).toBe(11);
    const mixed = minimal();
    mixed.folders[0].v = 11;
    expect((parseCollection(mixed) as HoppCollection).folders[0]?.v).toBe(11);
  });

  it('names the JSON path of the first problem', () => {
    const input = minimal();
    const requests = input.folders[0].requests;
    requests.push(structuredClone(requests[0]), structuredClone(requests[0]));
    requests[2].auth.authType = 'magic';
    const error = failure(input);
    expect(error.code).toBe('TARGET_INVALID');
    expect(error.path).toBe('folders[0].requests[2].auth.authType');
    expect(error.message).toContain('folders[0].requests[2].auth.authType');
    expect(error.message).toContain('"magic"');
    expect(error.message).toContain('"inherit"');
  });

  it('reports wrong types with what arrived and what was expected', () => {
    const input = minimal();
    input.folders[0].requests[0].params[0].value = 10;
    const error = failure(input);
    expect(error.path).toBe('folders[0].requests[0].params[0].value');
    expect(error.message).toMatch(/expected string, got 10/);
  });

  it('prefixes the index of the collection in an "export all" array', () => {
    const second = minimal();
    delete second.folders[0].variables;
    expect(failure([minimal(), second]).path).toBe('[1].folders[0].variables');
  });

  it('rejects a folder without variables (required since v10), like Hoppscotch', () => {
    const input = minimal();
    delete input.folders[0].variables;
    expect(failure(input).path).toBe('folders[0].variables');
  });

  it('rejects versions it does not know, with the path of the version', () => {
    expect(failure({ ...minimal(), v: 13 }).path).toBe('v');
    expect(failure({ ...minimal(), v: '12' }).path).toBe('v');
    const numericRequest = minimal();
    numericRequest.folders[0].requests[0].v = 17;
    expect(failure(numericRequest).path).toBe('folders[0].requests[0].v');
    const newerChild = minimal();
    newerChild.v = 11;
    delete newerChild.preRequestScript;
    delete newerChild.testScript;
    const childError = failure(newerChild);
    expect(childError.path).toBe('folders[0].v');
    expect(childError.message).toContain("up to its parent's (11)");
  });

  it('rejects non-objects and a body whose content type does not match its value', () => {
    expect(failure('nope').code).toBe('TARGET_INVALID');
    expect(failure(null).path).toBe('(root)');
    const input = minimal();
    input.folders[0].requests[0].body = { contentType: 'application/json', body: null };
    expect(failure(input).path).toBe('folders[0].requests[0].body.body');
  });

  it('validates oauth-2 grant infos and saved responses', () => {
    const input = minimal();
    const request = input.folders[0].requests[0];
    request.auth = {
      authType: 'oauth-2',
      authActive: true,
      addTo: 'HEADERS',
      grantTypeInfo: { grantType: 'IMPLICIT', authEndpoint: 'x', clientID: '' },
    };
    request.responses = {
      OK: {
        name: 'OK',
        status: 'OK',
        code: 200,
        headers: [{ key: 'content-type', value: 'application/json' }],
        body: '{}',
        originalRequest: {
          v: '6',
          name: 'List pets',
          method: 'GET',
          endpoint: '<<baseUrl>>/pets',
          headers: [],
          params: [],
          body: { contentType: null, body: null },
          auth: { authType: 'none', authActive: true },
          requestVariables: [],
        },
      },
    };
    const parsed = parseCollection(input) as HoppCollection;
    const auth = parsed.folders[0]?.requests[0]?.auth;
    expect(auth?.authType === 'oauth-2' && auth.grantTypeInfo.grantType === 'IMPLICIT' && auth.grantTypeInfo.token).toBe('');
    request.responses.OK.originalRequest.v = '7';
    expect(failure(input).path).toBe('folders[0].requests[0].responses.OK.originalRequest.v');
    request.responses.OK.originalRequest.v = '6';
    request.auth.grantTypeInfo.grantType = 'DEVICE_CODE';
    expect(failure(input).path).toBe('folders[0].requests[0].auth.grantTypeInfo.grantType');
  });
});
