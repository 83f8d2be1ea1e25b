import { describe, expect, it } from 'vitest';
import { matchPointerPattern } from '../../src/json/index.js';
import { merge3, openApiIdentityRules, openApiParameterKey, setMemberKey, type IdentityRule } from '../../src/merge/index.js';
import { compileRules } from '../../src/merge/rules.js';

/** The first built-in rule for the array at `pointer`, as merge3 finds it. */
const ruleFor = (pointer: string) => openApiIdentityRules.find((rule) => matchPointerPattern(rule.path, pointer));

describe('openApiParameterKey', () => {
  it('is in and name, the name of a header in lower case, or the reference', () => {
    expect(openApiParameterKey({ in: 'query', name: 'Page' })).toBe('query:Page');
    expect(openApiParameterKey({ in: 'path', name: 'petId' })).toBe('path:petId');
    expect(openApiParameterKey({ in: 'header', name: 'X-Trace' })).toBe('header:x-trace');
    expect(openApiParameterKey({ $ref: '#/components/parameters/page', in: 'query', name: 'x' })).toBe('$ref:#/components/parameters/page');
  });

  it('is undefined without both in and name as strings, or for what is not an object', () => {
    expect(openApiParameterKey({ in: 'query' })).toBeUndefined();
    expect(openApiParameterKey({ name: 'page' })).toBeUndefined();
    expect(openApiParameterKey({ in: 'query', name: 5 })).toBeUndefined();
    expect(openApiParameterKey({ in: 5, name: 'page' })).toBeUndefined();
    expect(openApiParameterKey({ $ref: 5 })).toBeUndefined();
    for (const item of ['query:page', null, ['query', 'page'], 5]) expect(openApiParameterKey(item)).toBeUndefined();
  });
});

describe('openApiIdentityRules', () => {
  it('keys parameters by in and name wherever OpenAPI puts them', () => {
    const pointers = [
      '/paths/~1pets/parameters',
      '/paths/~1pets/get/parameters',
      '/webhooks/newPet/parameters',
      '/webhooks/newPet/post/parameters',
      '/components/pathItems/Pets/parameters',
      '/components/pathItems/Pets/get/parameters',
      '/paths/~1pets/post/callbacks/onEvent/{$request.body#~1url}/parameters',
      '/paths/~1pets/post/callbacks/onEvent/{$request.body#~1url}/post/parameters',
    ];
    for (const pointer of pointers) expect(ruleFor(pointer)?.key({ in: 'query', name: 'page' }), pointer).toBe('query:page');
  });

  it('keys servers by url, top-level tags by name', () => {
    for (const pointer of [
      '/servers',
      '/paths/~1pets/servers',
      '/paths/~1pets/get/servers',
      '/webhooks/newPet/servers',
      '/webhooks/newPet/post/servers',
    ]) {
      const rule = ruleFor(pointer);
      expect(rule?.key({ url: 'https://api.example.com', description: 'x' }), pointer).toBe('https://api.example.com');
      expect(rule?.key({ url: 5 }), pointer).toBeUndefined();
      expect(rule?.key('https://api.example.com'), pointer).toBeUndefined();
    }
    const tags = ruleFor('/tags');
    expect(tags?.key({ name: 'pets', description: 'x' })).toBe('pets');
    expect(tags?.key({ name: 5 })).toBeUndefined();
    expect(tags?.key(null)).toBeUndefined();
  });

  it('merges operation tags, security requirements, enum and required as sets', () => {
    const sets = [
      '/paths/~1pets/get/tags',
      '/security',
      '/paths/~1pets/get/security',
      '/webhooks/newPet/post/security',
      '/components/schemas/Pet/properties/kind/enum',
      '/components/schemas/Pet/required',
    ];
    for (const pointer of sets) {
      const rule = ruleFor(pointer);
      expect(rule?.set, pointer).toBe(true);
      expect(rule?.key({ b: 1, a: [2] }), pointer).toBe(setMemberKey({ a: [2], b: 1 }));
    }
  });

  it('merges allOf, oneOf and anyOf as whole values, at any depth', () => {
    for (const word of ['allOf', 'oneOf', 'anyOf']) {
      const rule = ruleFor(`/components/schemas/Pet/properties/owner/${word}`);
      expect(rule, word).toBeDefined();
      expect(rule?.key({ $ref: '#/components/schemas/Owner' }), word).toBeUndefined();
    }
    expect(ruleFor('/info')).toBeUndefined();
  });
});

describe('compileRules', () => {
  const refused = (message: string, details?: Record<string, unknown>) =>
    expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(message),
      hint: expect.stringMatching(/\S/),
      ...(details ? { details } : {}),
    });

  it('names the rule and what it holds instead of a pattern or a key function', () => {
    expect(() => compileRules('rules' as never)).toThrow(refused('got string'));
    expect(() => compileRules([null as never])).toThrow(refused('`rules[0].path`', { index: 0 }));
    expect(() => compileRules([{ path: '/a', key: () => 'a' }, { key: () => 'b' } as never])).toThrow(
      refused('`rules[1].path`', { index: 1 }),
    );
    expect(() => compileRules(['/a' as never])).toThrow(refused('got "/a"', { index: 0 }));
    expect(() => compileRules([[] as never])).toThrow(refused('got an array', { index: 0 }));
    expect(() => compileRules([{ path: 5 } as never])).toThrow(refused('got object', { index: 0 }));
    expect(() => compileRules([{ path: 'items', key: () => 'x' }])).toThrow(refused('got "items"', { index: 0 }));
    expect(() => compileRules([{ path: 'items', key: () => 'x' }])).toThrow(
      expect.objectContaining({ cause: expect.objectContaining({ code: 'POINTER_INVALID' }) }),
    );
    expect(() => compileRules([{ path: '/items' } as never])).toThrow(
      refused('`rules[0].key` to be a function, got undefined', { index: 0 }),
    );
    expect(() => compileRules([{ path: '/items', key: null } as never])).toThrow(refused('got null', { index: 0 }));
    expect(() => compileRules([{ path: '/items', key: 'id' } as never])).toThrow(refused('got "id"', { index: 0 }));
  });

  it('takes set: true without a key function, keying members by their canonical JSON', () => {
    const [rule] = compileRules([{ path: '/items', set: true } as IdentityRule]);
    expect(rule?.identify({ b: 1, a: 2 })).toBe(setMemberKey({ a: 2, b: 1 }));
  });

  it('reads a table that is not frozen again on every merge', () => {
    const rules: IdentityRule[] = [];
    const doc = (items: unknown[]) => ({ items });
    expect(merge3(doc([{ id: 'a' }]), doc([{ id: 'a', v: 1 }]), doc([{ id: 'a' }, { id: 'b' }]), { rules }).conflicts).toHaveLength(1);
    rules.push({ path: '/items', key: (item) => (item as { id: string }).id });
    const { merged, conflicts } = merge3(doc([{ id: 'a' }]), doc([{ id: 'a', v: 1 }]), doc([{ id: 'a' }, { id: 'b' }]), { rules });
    expect(conflicts).toStrictEqual([]);
    expect(merged).toStrictEqual(doc([{ id: 'a', v: 1 }, { id: 'b' }]));
  });
});
