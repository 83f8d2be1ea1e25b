/**
 * diffSpecs beyond the oracle: shape of each change, stable order, refs and
 * cycles, rename detection, options and their validation, listRules.
 */
import { describe, expect, it } from 'vitest';
import { diffSpecs, listRules, type SpecChange } from '../../src/diff/index.js';
import { isSyncError } from '../../src/errors.js';
import { doc, op } from './cases.js';

const str = { type: 'string' };
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: str });
const query = (name: string, more: Record<string, unknown> = {}) => ({ name, in: 'query', schema: str, ...more });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isSyncError(error) ? error.code : 'not a SyncError';
  }
  return undefined;
}

describe('each change', () => {
  it('carries the rule id, level, operation, a pointer into the remote document, a text and details', () => {
    const base = doc({ '/pets/{id}': { get: op({ parameters: [pathParam('id'), query('q')] }) } });
    const remote = doc({ '/pets/{id}': { get: op({ parameters: [pathParam('id'), query('q', { required: true })] }) } });
    expect(diffSpecs(base, remote)).toEqual([
      {
        id: 'request-parameter-became-required',
        level: 'breaking',
        operation: 'GET /pets/{id}',
        path: '/paths/~1pets~1{id}/get/parameters/1',
        text: 'GET /pets/{id}: query parameter `q` became required',
        details: { in: 'query', name: 'q' },
      },
    ]);
  });

  it('points into the base document for removals', () => {
    const base = doc({ '/pets': { get: op(), delete: op({ operationId: 'deletePets' }) } });
    const remote = doc({ '/pets': { get: op() } });
    const [change] = diffSpecs(base, remote);
    expect(change).toMatchObject({
      id: 'api-removed-without-deprecation',
      level: 'breaking',
      operation: 'DELETE /pets',
      path: '/paths/~1pets/delete',
    });
  });

  it('names the property path and the values of a schema change', () => {
    const schema = (max: number) => ({
      type: 'object',
      properties: { owner: { type: 'object', properties: { age: { type: 'integer', maximum: max } } } },
    });
    const base = doc({
      '/pets': { get: op({ responses: { '200': { description: 'ok', content: { 'application/json': { schema: schema(10) } } } } }) },
    });
    const remote = doc({
      '/pets': { get: op({ responses: { '200': { description: 'ok', content: { 'application/json': { schema: schema(20) } } } } }) },
    });
    const [change] = diffSpecs(base, remote);
    expect(change).toMatchObject({
      id: 'response-property-max-increased',
      path: '/paths/~1pets/get/responses/200/content/application~1json/schema',
      details: { status: '200', mediaType: 'application/json', property: 'owner/age', from: 10, to: 20 },
    });
    expect(change?.text).toContain('owner/age');
  });

  it('reports servers added and removed (our own rules)', () => {
    const base = doc({}, { servers: [{ url: 'https://a.example' }] });
    const remote = doc({}, { servers: [{ url: 'https://b.example' }] });
    expect(diffSpecs(base, remote).map((c) => [c.id, c.level, c.details?.url])).toEqual([
      ['api-server-added', 'info', 'https://b.example'],
      ['api-server-removed', 'warning', 'https://a.example'],
    ]);
  });

  it('reports nothing for equal documents', () => {
    const d = doc({ '/pets/{id}': { get: op({ parameters: [pathParam('id')] }) } });
    expect(diffSpecs(d, structuredClone(d))).toEqual([]);
  });
});

describe('order', () => {
  it('is stable: document-level first, then by path and method, whatever the key order', () => {
    const ops = (order: string[]) =>
      Object.fromEntries(order.map((p) => [p, { post: op({ operationId: `post${p}` }), get: op({ operationId: `get${p}` }) }]));
    const base = doc({}, { servers: [{ url: 'https://a' }] });
    const one = diffSpecs(base, doc(ops(['/b', '/a']), { servers: [] }));
    const two = diffSpecs(base, doc(ops(['/a', '/b']), { servers: [] }));
    expect(one).toEqual(two);
    expect(one.map((c) => c.operation ?? c.id)).toEqual(['api-server-removed', 'GET /a', 'POST /a', 'GET /b', 'POST /b']);
  });
});

describe('refs', () => {
  it('follows $refs to components and compares what they point at', () => {
    const d = (required: string[]) =>
      doc(
        { '/pets': { post: op({ requestBody: { $ref: '#/components/requestBodies/Pet' } }) } },
        {
          components: {
            requestBodies: { Pet: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
            schemas: { Pet: { type: 'object', required, properties: { name: str } } },
          },
        },
      );
    expect(diffSpecs(d([]), d(['name'])).map((c) => c.id)).toEqual(['request-property-became-required']);
  });

  it('terminates on recursive schemas and still finds changes inside them', () => {
    const d = (extra: Record<string, unknown>) =>
      doc(
        {
          '/nodes': {
            get: op({
              responses: {
                '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
              },
            }),
          },
        },
        {
          components: {
            schemas: {
              Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, ...extra } },
            },
          },
        },
      );
    const changes = diffSpecs(d({}), d({ label: str }));
    expect(changes.map((c) => [c.id, c.details?.property])).toEqual([['response-optional-property-added', 'label']]);
  });

  it('treats a $ref loop or a dangling $ref as a missing schema instead of hanging', () => {
    const d = (target: string) =>
      doc(
        {
          '/x': { get: op({ responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: target } } } } } }) },
        },
        { components: { schemas: { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } } } },
      );
    expect(diffSpecs(d('#/components/schemas/A'), d('#/components/schemas/Missing'))).toEqual([]);
  });
});

describe('rename detection', () => {
  const petsById = (path: string, operationId: string) =>
    doc({ [path]: { get: op({ operationId, parameters: [pathParam(path.includes('{petId}') ? 'petId' : 'id'), query('fields')] }) } });

  it('reports endpoint-moved with confidence 1 for the same operationId, beside the removal and the addition', () => {
    const changes = diffSpecs(petsById('/pets/{id}', 'getPet'), petsById('/animals/{id}', 'getPet'));
    const byId = Object.fromEntries(changes.map((c) => [c.id, c]));
    expect(Object.keys(byId).sort()).toEqual(['api-path-removed-without-deprecation', 'endpoint-added', 'endpoint-moved']);
    expect(byId['endpoint-moved']).toMatchObject({
      level: 'info',
      operation: 'GET /animals/{id}',
      path: '/paths/~1animals~1{id}/get',
      details: { from: 'GET /pets/{id}', to: 'GET /animals/{id}', confidence: 1, reason: 'operationId' },
    });
    expect(byId['api-path-removed-without-deprecation']?.details).toEqual({ movedTo: 'GET /animals/{id}' });
    expect(byId['endpoint-added']?.details).toEqual({ movedFrom: 'GET /pets/{id}' });
  });

  it('matches by structure when operationIds differ: same method, parameters and body', () => {
    const changes = diffSpecs(petsById('/pets/{id}', 'getPet'), petsById('/animals/{petId}', 'fetchAnimal'));
    const moved = changes.find((c) => c.id === 'endpoint-moved');
    // 0.6 equal signature + 0.2 equal responses + 0.1 a non-empty signature
    expect(moved?.details).toEqual({ from: 'GET /pets/{id}', to: 'GET /animals/{petId}', confidence: 0.9, reason: 'structure' });
  });

  it('does not guess when two added operations fit equally well', () => {
    const base = petsById('/pets/{id}', 'getPet');
    const remote = doc({
      '/a/{id}': { get: op({ operationId: 'a', parameters: [pathParam('id'), query('fields')] }) },
      '/b/{id}': { get: op({ operationId: 'b', parameters: [pathParam('id'), query('fields')] }) },
    });
    expect(diffSpecs(base, remote).filter((c) => c.id === 'endpoint-moved')).toEqual([]);
  });

  it('does not pair operations with different methods or signatures', () => {
    const base = doc({ '/pets': { get: op({ operationId: 'list', parameters: [query('limit')] }) } });
    const otherMethod = doc({ '/animals': { post: op({ operationId: 'add', parameters: [query('limit')] }) } });
    const otherParams = doc({ '/animals': { get: op({ operationId: 'all', parameters: [query('page')] }) } });
    expect(diffSpecs(base, otherMethod).some((c) => c.id === 'endpoint-moved')).toBe(false);
    expect(diffSpecs(base, otherParams).some((c) => c.id === 'endpoint-moved')).toBe(false);
  });

  it('honours renameThreshold and detectRenames', () => {
    const base = petsById('/pets/{id}', 'getPet');
    expect(diffSpecs(base, petsById('/animals/{id}', 'other'), { renameThreshold: 0.95 }).some((c) => c.id === 'endpoint-moved')).toBe(
      false,
    );
    expect(diffSpecs(base, petsById('/animals/{id}', 'getPet'), { detectRenames: false }).some((c) => c.id === 'endpoint-moved')).toBe(
      false,
    );
  });
});

describe('options', () => {
  const base = doc({ '/pets': { get: op({ parameters: [query('q')] }) } });
  const remote = doc({
    '/pets': { get: op({ parameters: [query('q', { required: true }), query('r')] }), post: op({ operationId: 'add' }) },
  });

  it('minLevel drops changes below it', () => {
    const levels = (changes: SpecChange[]) => changes.map((c) => c.level);
    expect(levels(diffSpecs(base, remote))).toEqual(['info', 'breaking', 'info']);
    expect(levels(diffSpecs(base, remote, { minLevel: 'breaking' }))).toEqual(['breaking']);
  });

  it('levels overrides the level of a rule', () => {
    const changes = diffSpecs(base, remote, { levels: { 'endpoint-added': 'warning' } });
    expect(changes.find((c) => c.id === 'endpoint-added')?.level).toBe('warning');
  });

  it('rejects bad options and non-OpenAPI input with stable codes', () => {
    expect(codeOf(() => diffSpecs(base, remote, { renameThreshold: 2 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => diffSpecs(base, remote, { minLevel: 'fatal' as never }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => diffSpecs(base, remote, { levels: { 'no-such-rule': 'info' } }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => diffSpecs(base, remote, { levels: { 'endpoint-added': 'loud' as never } }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => diffSpecs({ swagger: '2.0', paths: {} }, remote))).toBe('SPEC_NOT_OPENAPI');
    expect(codeOf(() => diffSpecs(base, null))).toBe('SPEC_NOT_OPENAPI');
  });
});

describe('listRules', () => {
  it('lists at least 60 unique rules, sorted, each with a level and a description', () => {
    const rules = listRules();
    expect(rules.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.map((r) => r.id)).toEqual([...rules.map((r) => r.id)].sort());
    for (const rule of rules) {
      expect(['breaking', 'warning', 'info']).toContain(rule.level);
      expect(rule.description.length).toBeGreaterThan(10);
    }
  });

  it('marks our own rules as not from oasdiff', () => {
    expect(
      listRules()
        .filter((r) => !r.oasdiff)
        .map((r) => r.id),
    ).toEqual(['api-server-added', 'api-server-removed', 'endpoint-moved']);
  });

  it('returns copies', () => {
    const [first] = listRules();
    if (first) first.level = 'breaking';
    expect(listRules()[0]?.level).toBe('info');
  });
});
