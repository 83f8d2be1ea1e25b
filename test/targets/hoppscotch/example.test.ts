import { describe, expect, it } from 'vitest';
import { exampleFromSchema, resolveRef } from '../../../src/targets/hoppscotch/index.js';

describe('exampleFromSchema', () => {
  it('prefers example, then examples[0], const, default, enum', () => {
    expect(exampleFromSchema({ type: 'string', example: 'ex', default: 'def' })).toBe('ex');
    expect(exampleFromSchema({ type: 'string', examples: ['first', 'second'], default: 'def' })).toBe('first');
    expect(exampleFromSchema({ const: 7 })).toBe(7);
    expect(exampleFromSchema({ type: 'integer', default: 5, enum: [1, 5] })).toBe(5);
    expect(exampleFromSchema({ type: 'string', enum: [null, 'on', 'off'] })).toBe('on');
  });

  it('uses samples for string formats and minimums for numbers', () => {
    expect(exampleFromSchema({ type: 'string', format: 'date-time' })).toBe('2024-01-01T00:00:00Z');
    expect(exampleFromSchema({ type: 'string', format: 'uuid' })).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(exampleFromSchema({ type: 'string', format: 'email' })).toBe('user@example.com');
    expect(exampleFromSchema({ type: 'string', format: 'made-up' })).toBe('string');
    expect(exampleFromSchema({ type: 'integer', minimum: 2.5 })).toBe(3);
    expect(exampleFromSchema({ type: 'number' })).toBe(0);
    expect(exampleFromSchema({ type: 'boolean' })).toBe(true);
  });

  it('handles 3.1 type arrays and 3.0 nullable', () => {
    expect(exampleFromSchema({ type: ['null', 'integer'] })).toBe(0);
    expect(exampleFromSchema({ type: 'string', nullable: true })).toBe('string');
    expect(exampleFromSchema({ type: ['null'] })).toBeNull();
  });

  it('builds arrays and objects in schema order, without readOnly in requests or writeOnly in responses', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string' },
        password: { type: 'string', writeOnly: true },
        tags: { type: 'array', items: { type: 'string' } },
      },
    };
    const request = exampleFromSchema(schema);
    expect(request).toEqual({ name: 'string', password: 'string', tags: ['string'] });
    expect(Object.keys(request as object)).toEqual(['name', 'password', 'tags']);
    expect(exampleFromSchema(schema, { direction: 'response' })).toEqual({ id: 0, name: 'string', tags: ['string'] });
    expect(exampleFromSchema({ type: 'object', additionalProperties: { type: 'integer' } })).toEqual({ additionalProp: 0 });
  });

  it('follows internal $refs and stops at cycles', () => {
    const document = {
      components: {
        schemas: {
          Node: {
            type: 'object',
            properties: {
              value: { type: 'string' },
              children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
              parent: { $ref: '#/components/schemas/Node' },
            },
          },
          'a/b': { type: 'integer', example: 42 },
        },
      },
    };
    expect(exampleFromSchema({ $ref: '#/components/schemas/Node' }, { document })).toEqual({ value: 'string', children: [{}], parent: {} });
    expect(exampleFromSchema({ $ref: '#/components/schemas/a~1b' }, { document })).toBe(42);
    expect(exampleFromSchema({ $ref: 'https://example.com/remote.json#/x' }, { document })).toBeUndefined();
    expect(resolveRef({ $ref: '#/components/schemas/a~1b' }, document)).toEqual({ type: 'integer', example: 42 });
  });

  it('merges allOf and takes the first non-null branch of oneOf and anyOf', () => {
    const document = { components: { schemas: { Base: { type: 'object', properties: { id: { type: 'integer' } } } } } };
    expect(
      exampleFromSchema(
        { allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', properties: { name: { type: 'string' } } }] },
        { document },
      ),
    ).toEqual({ id: 0, name: 'string' });
    expect(exampleFromSchema({ oneOf: [{ type: 'string', format: 'date' }, { type: 'integer' }] })).toBe('2024-01-01');
    expect(exampleFromSchema({ anyOf: [{ type: 'null' }, { type: 'boolean' }] })).toBe(true);
    expect(
      exampleFromSchema({
        type: 'object',
        properties: { kind: { type: 'string' } },
        oneOf: [{ properties: { size: { type: 'integer' } } }],
      }),
    ).toEqual({ kind: 'string', size: 0 });
  });

  it('caps depth and total size', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) deep = { type: 'object', properties: { next: deep } };
    const value = exampleFromSchema(deep, { maxDepth: 3 });
    expect(value).toEqual({ next: { next: { next: {} } } });
    const wide = {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`p${i}`, { type: 'object', properties: { a: { type: 'string' } } }]),
      ),
    };
    const limited = exampleFromSchema(wide, { maxNodes: 10 }) as Record<string, unknown>;
    expect(Object.values(limited).filter((v) => JSON.stringify(v) === '{}').length).toBeGreaterThan(40);
  });

  it('is deterministic and returns undefined without a schema', () => {
    const schema = { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, id: { type: 'string', format: 'uuid' } } };
    expect(JSON.stringify(exampleFromSchema(schema))).toBe(JSON.stringify(exampleFromSchema(schema)));
    expect(exampleFromSchema(undefined)).toBeUndefined();
  });
});
