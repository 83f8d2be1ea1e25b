/**
 * Skipping unchanged parts (src/diff/same.ts) must never change a result:
 * changes reached only through refs, ref cycles and ref chains are still
 * found; documentation is ignored where the differ ignores it and not where
 * it pairs subschemas by content; lists the differ cannot pair with
 * themselves and object cycles fall back to the full comparison. The
 * expected lists are what diffSpecs reported before the skipping existed.
 */
import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../../src/diff/index.js';
import { RefResolver } from '../../src/diff/resolve.js';
import { Unchanged } from '../../src/diff/same.js';
import { doc, op } from './cases.js';

type Json = Record<string, unknown>;

const ok = (schema: Json): Json => ({ '200': { description: 'ok', content: { 'application/json': { schema } } } });
/** `GET /pets` answering `schema`, with `schemas` as components. */
const api = (schema: Json, schemas: Json = {}): Json =>
  doc({ '/pets': { get: op({ responses: ok(schema) }) } }, { components: { schemas } });
const ids = (base: unknown, remote: unknown): string[] =>
  diffSpecs(base, remote).map((c) => `${c.id} ${String(c.details?.property ?? '')}`.trim());

describe('diffSpecs with unchanged parts skipped', () => {
  it('finds a change reached only through a ref cycle', () => {
    const cycle = (type: string): Json =>
      api(
        { $ref: '#/components/schemas/A' },
        {
          A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
          B: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' }, n: { type } } },
        },
      );
    expect(ids(cycle('string'), cycle('integer'))).toEqual(['response-property-type-changed b/n']);
    expect(ids(cycle('string'), cycle('string'))).toEqual([]);
  });

  it('finds a change at the end of a ref chain', () => {
    const chain = (maxLength: number): Json =>
      api({ $ref: '#/components/schemas/A' }, { A: { $ref: '#/components/schemas/B' }, B: { type: 'string', maxLength } });
    expect(ids(chain(10), chain(20))).toEqual(['response-body-max-length-increased']);
  });

  it('ignores descriptions the differ does not read', () => {
    const described = (text: string): Json =>
      api({ type: 'object', description: text, properties: { x: { type: 'string', description: text } } });
    expect(diffSpecs(described('one'), described('two'))).toEqual([]);
  });

  it('still pairs untitled subschemas by their whole content, refs followed', () => {
    const inline = (text: string): Json =>
      api({
        anyOf: [
          { type: 'object', description: text, properties: { a: { type: 'string' } } },
          { type: 'object', description: text, properties: { b: { type: 'string' } } },
        ],
      });
    expect(ids(inline('one'), inline('two'))).toEqual(['response-body-any-of-added', 'response-body-any-of-removed']);
    const referenced = (text: string): Json =>
      api(
        {
          anyOf: [
            { type: 'object', properties: { a: { $ref: '#/components/schemas/X' } } },
            { type: 'object', properties: { b: { $ref: '#/components/schemas/X' } } },
          ],
        },
        { X: { type: 'string', description: text } },
      );
    expect(ids(referenced('one'), referenced('two'))).toEqual(['response-body-any-of-added', 'response-body-any-of-removed']);
  });

  it('compares lists that do not pair with themselves, as before', () => {
    const twice = api({ oneOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/A' }] }, { A: { type: 'string' } });
    expect(ids(twice, structuredClone(twice))).toEqual(['response-body-one-of-added', 'response-body-one-of-removed']);
    const notObject = api({ anyOf: [{ type: 'string' }, null] });
    expect(ids(notObject, structuredClone(notObject))).toEqual(['response-body-any-of-added', 'response-body-any-of-removed']);
  });

  it('follows refs inside subtrees the two documents share', () => {
    const base = api(
      { $ref: '#/components/schemas/Pet' },
      {
        Pet: { type: 'object', properties: { owner: { $ref: '#/components/schemas/User' } } },
        User: { type: 'object', properties: { name: { type: 'string' } } },
      },
    );
    const schemas = (base.components as Json).schemas as Json;
    // The local copy shares every object with the base except the edited User.
    const local = {
      ...base,
      components: {
        schemas: {
          ...schemas,
          User: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['age'] },
        },
      },
    };
    expect(ids(base, local)).toEqual(['response-required-property-added owner/age']);
    expect(diffSpecs(base, { ...base })).toEqual([]);
  });

  it('handles object cycles (not JSON, but plain objects)', () => {
    const selfish = (type: string): Json => {
      const schema: Json = { type: 'object', properties: { n: { type } } };
      (schema.properties as Json).self = schema;
      return api(schema);
    };
    expect(ids(selfish('string'), selfish('integer'))).toEqual(['response-property-type-changed n']);
    expect(diffSpecs(selfish('string'), selfish('string'))).toEqual([]);
  });
});

describe('Unchanged', () => {
  const check = (base: Json, remote: Json): Unchanged => new Unchanged(new RefResolver(base), new RefResolver(remote));

  it('compares values as written, refs followed on both sides', () => {
    const base = { components: { x: { a: 1, b: { $ref: '#/components/y' } }, y: [1, 2] } };
    const same = check(base, structuredClone(base));
    expect(same.value({ $ref: '#/components/x' }, { $ref: '#/components/x' })).toBe(true);
    const other = check(base, { components: { x: { a: 1, b: { $ref: '#/components/y' } }, y: [1, 3] } });
    expect(other.value({ $ref: '#/components/x' }, { $ref: '#/components/x' })).toBe(false);
    expect(other.value({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(other.value(new Date(0), new Date(0))).toBe(false);
  });

  it('compares schemas by the keywords the differ reads', () => {
    const same = check({}, {});
    expect(same.schema({ type: 'string', description: 'a', example: 'x' }, { type: 'string', description: 'b' })).toBe(true);
    expect(same.schema({ properties: { description: { type: 'string' } } }, { properties: { description: { type: 'integer' } } })).toBe(
      false,
    );
    expect(same.schema({ type: 'string' }, { type: 'string', maxLength: 3 })).toBe(false);
    expect(same.schema({ anyOf: [{ type: 'string', description: 'a' }] }, { anyOf: [{ type: 'string', description: 'b' }] })).toBe(false);
  });

  it('settles ref cycles, changed or not', () => {
    const loop = (n: number): Json => ({ a: { next: { $ref: '#/b' } }, b: { n, next: { $ref: '#/a' } } });
    expect(check(loop(1), loop(1)).value({ $ref: '#/a' }, { $ref: '#/a' })).toBe(true);
    const changed = check(loop(1), loop(2));
    expect(changed.value({ $ref: '#/a' }, { $ref: '#/a' })).toBe(false);
    expect(changed.value({ $ref: '#/b' }, { $ref: '#/b' })).toBe(false);
  });
});
