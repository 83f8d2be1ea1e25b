import { describe, expect, it } from 'vitest';
import { parseAnswer, prepareConflict, removesLocalContent } from '../../src/conflict/ai-prompt.js';
import { isSecretKey, isSecretLocation, REDACTED, redactSecrets } from '../../src/conflict/redact.js';
import { conflict, makeContext } from './support.js';

describe('isSecretKey', () => {
  it('knows secret names in any spelling', () => {
    for (const key of ['auth', 'Authorization', 'password', 'token', 'apiKey', 'api_key', 'X-API-Key', 'secret', 'bearer', 'Cookie', 'Set-Cookie', 'client_secret', 'currentValue', 'accessToken', 'x-auth-token', 'db_password']) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves ordinary OpenAPI keys alone', () => {
    for (const key of ['author', 'authType', 'bearerFormat', 'tokenUrl', 'authorizationUrl', 'description', 'name', 'value', 'tokens', '']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe('redactSecrets', () => {
  it('hides secret members, sensitive pairs and secret variables, keeping structure', () => {
    const input = {
      user: 'bob',
      password: 'p',
      auth: { authType: 'bearer', token: 't' },
      headers: [
        { key: 'Authorization', value: 'Bearer x', active: true },
        { key: 'Accept', value: 'application/json' },
      ],
      parameters: [{ name: 'api_key', in: 'query', example: 'k', schema: { default: 'k' } }],
      variables: [{ key: 'session', value: 'v', initialValue: 'i', secret: true }],
      nothing: null,
    };
    const { value, redacted } = redactSecrets(input);
    expect(redacted).toBe(true);
    expect(value).toEqual({
      user: 'bob',
      password: REDACTED,
      auth: REDACTED,
      headers: [
        { key: 'Authorization', value: REDACTED, active: true },
        { key: 'Accept', value: 'application/json' },
      ],
      parameters: [{ name: 'api_key', in: 'query', example: REDACTED, schema: REDACTED }],
      variables: [{ key: 'session', value: REDACTED, initialValue: REDACTED, secret: true }],
      nothing: null,
    });
    expect(input.password).toBe('p');
  });

  it('reports when nothing was hidden', () => {
    expect(redactSecrets({ a: [1, { b: 'c' }] })).toEqual({ value: { a: [1, { b: 'c' }] }, redacted: false });
  });
});

describe('isSecretLocation', () => {
  it('hides a path through a secret key or into a sensitive object', () => {
    const doc = { variables: [{ key: 'k', value: 'v', secret: true }], headers: [{ key: 'Cookie', value: 'c' }] };
    expect(isSecretLocation(['x', 'token'], [doc])).toBe(true);
    expect(isSecretLocation(['variables', '0', 'value'], [doc])).toBe(true);
    expect(isSecretLocation(['variables', '0', 'key'], [doc])).toBe(false);
    expect(isSecretLocation(['headers', '0', 'value'], [undefined, doc])).toBe(true);
    expect(isSecretLocation(['info', 'title'], [doc])).toBe(false);
  });
});

describe('prepareConflict', () => {
  it('lists absent sides, names the operation and omits oversized fragments', () => {
    const big = 'x'.repeat(500);
    const prepared = prepareConflict({ path: '/paths/~1pets/get/description', kind: 'changed-vs-deleted', base: 'b', local: big, remote: undefined }, makeContext(), 100);
    expect(prepared.prompt).toEqual({
      path: '/paths/~1pets/get/description',
      kind: 'changed-vs-deleted',
      operation: 'GET /pets',
      base: 'b',
      local: '[OMITTED: 502 characters of JSON]',
      absent: ['remote'],
      hidden: true,
    });
    expect(prepareConflict(conflict('/info/title'), makeContext(), 100).prompt.hidden).toBe(false);
  });
});

describe('removesLocalContent', () => {
  it('counts deletions, lost members and shorter arrays, not changed scalars', () => {
    expect(removesLocalContent('a', undefined)).toBe(true);
    expect(removesLocalContent(undefined, 'a')).toBe(false);
    expect(removesLocalContent('a', 'b')).toBe(false);
    expect(removesLocalContent({ a: { b: 1, c: 2 } }, { a: { b: 1 } })).toBe(true);
    expect(removesLocalContent({ a: 1 }, { a: 2, b: 3 })).toBe(false);
    expect(removesLocalContent([1, 2], [1])).toBe(true);
    expect(removesLocalContent([1, 2], [3, 4, 5])).toBe(false);
    expect(removesLocalContent({ a: 1 }, 'text')).toBe(true);
  });
});

describe('parseAnswer', () => {
  it('reads value_json or value, and refuses anything out of shape', () => {
    expect(parseAnswer('{"decisions":[{"path":"/a","take":"value","value_json":"[1]","reason":"r"},{"path":"/b","take":"value","value":{"x":1},"reason":"r"}]}')).toEqual({
      ok: true,
      decisions: [
        { path: '/a', take: 'value', value: [1], reason: 'r' },
        { path: '/b', take: 'value', value: { x: 1 }, reason: 'r' },
      ],
    });
    expect(parseAnswer(null)).toMatchObject({ ok: false });
    expect(parseAnswer('[]')).toMatchObject({ ok: false });
    expect(parseAnswer('{"decisions":[null]}')).toMatchObject({ ok: false });
    expect(parseAnswer('{"decisions":[{"path":"/a","take":"local"}]}')).toMatchObject({ ok: false });
  });
});
