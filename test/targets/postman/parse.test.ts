import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../../src/errors.js';
import { parsePostmanCollection } from '../../../src/targets/postman/parse.js';
import { POSTMAN_SCHEMA_URL } from '../../../src/targets/postman/schema.js';

function refusal(value: unknown): { code: string; path: unknown } {
  try {
    parsePostmanCollection(value);
  } catch (error) {
    if (!isSyncError(error)) throw error;
    return { code: error.code, path: (error.details as { path?: unknown } | undefined)?.path };
  }
  throw new Error('expected a refusal');
}

const valid = {
  info: { name: 'Pets', schema: POSTMAN_SCHEMA_URL, _postman_id: 'a1' },
  item: [
    {
      name: 'pets',
      item: [{ name: 'List', request: { method: 'GET', url: '{{baseUrl}}/pets', header: [{ key: 'X', value: '1', disabled: true }] } }],
    },
    { name: 'Ping', request: 'https://example.com/ping', 'x-own': { kept: true } },
  ],
  variable: [{ key: 'baseUrl', value: 'https://example.com' }],
};

describe('parsePostmanCollection', () => {
  it('returns the collection itself, unknown keys and all', () => {
    expect(parsePostmanCollection(valid)).toBe(valid);
  });

  it('refuses what is not a v2.1 collection, naming the JSON path of the first problem', () => {
    expect(refusal([valid])).toEqual({ code: 'TARGET_INVALID', path: '(root)' });
    expect(
      refusal({ ...valid, info: { ...valid.info, schema: 'https://schema.getpostman.com/json/collection/v2.0.0/collection.json' } }),
    ).toEqual({
      code: 'TARGET_INVALID',
      path: 'info.schema',
    });
    expect(refusal({ ...valid, item: undefined })).toEqual({ code: 'TARGET_INVALID', path: 'item' });
    const badHeader = structuredClone(valid) as { item: Array<{ item: Array<{ request: { header: unknown[] } }> }> };
    badHeader.item[0]!.item[0]!.request.header = [{ key: 7 }];
    expect(refusal(badHeader)).toEqual({ code: 'TARGET_INVALID', path: 'item[0].item[0].request.header[0].key' });
    expect(refusal({ ...valid, item: [{ name: 'no request' }] })).toEqual({ code: 'TARGET_INVALID', path: 'item[0].request' });
    expect(refusal({ ...valid, auth: { type: 'bearer', bearer: { token: 'x' } } })).toEqual({
      code: 'TARGET_INVALID',
      path: 'auth.bearer',
    });
  });
});
