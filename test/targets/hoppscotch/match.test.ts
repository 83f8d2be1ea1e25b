/**
 * `requestShape` on its own: the shape breaks ties in identity matching
 * (test/targets/hoppscotch/identity.test.ts and the identity property test
 * cover the matching itself).
 */
import { describe, expect, it } from 'vitest';
import { requestShape } from '../../../src/targets/hoppscotch/index.js';

type Shaped = Parameters<typeof requestShape>[0];
const shape = (request: Partial<Record<keyof Shaped, unknown>>): string => requestShape(request as Shaped);
const keys = (...names: string[]) => names.map((key) => ({ key, value: '', active: true }));
const json = (body: string, contentType: string | null = 'application/json') => ({ contentType, body });

describe('requestShape', () => {
  it('is the sorted path variable and query names, the body type and the sorted form field names', () => {
    expect(shape({ requestVariables: keys('petId', 'ownerId'), params: keys('limit', 'after'), body: { contentType: 'multipart/form-data', body: keys('photo', 'caption') } })).toBe(
      'ownerId,petId|after,limit|multipart/form-data|caption,photo',
    );
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
