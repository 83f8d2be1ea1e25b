import { describe, expect, it } from 'vitest';
import { SyncEngine, type BaseRecord } from '../../src/index.js';
import { MemorySource, MemoryStore, MemoryTarget } from '../../src/testing/index.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
};

function api(version: string, extra: Record<string, Record<string, unknown>> = {}): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version },
    paths: {
      '/pets': {
        get: {
          summary: 'List pets',
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
        },
      },
      '/pets/{id}': {
        get: {
          summary: 'Get pet',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      ...extra,
    },
    components: { schemas: { Pet: { type: 'object', properties: { name: { type: 'string' } } } } },
  };
}

describe('a new version shares what did not change with the base', () => {
  it('keeps the unchanged parts of the base as the same frozen objects, and the changed ones new', async () => {
    for (const raw of [false, true]) {
      const store = new MemoryStore();
      const engine = new SyncEngine({ store });
      const source = new MemorySource(raw ? JSON.stringify(api('1')) : api('1'));
      const target = new MemoryTarget<Doc>();
      await engine.addSource({ id: 'pets', source, target, intervalMs: 0 });
      await engine.syncNow('pets');
      const before = (await store.getBase('pets'))?.document as Doc;

      const next = api('2', { '/owners': { get: { summary: 'Owners', responses: { '200': { description: 'ok' } } } } });
      source.set(raw ? JSON.stringify(next) : next);
      const result = await engine.syncNow('pets');
      expect(result.outcome).toBe('applied');
      const after = (await store.getBase('pets'))?.document as Doc;

      expect(after).toEqual(next);
      expect(after).not.toBe(before);
      expect(after.components).toBe(before.components);
      expect(after.paths['/pets']).toBe(before.paths['/pets']);
      expect(after.paths['/pets/{id}']).toBe(before.paths['/pets/{id}']);
      expect(after.info).not.toBe(before.info);
      expect(Object.isFrozen(after.paths['/owners'])).toBe(true);
      expect(before).toEqual(api('1'));
      expect(target.value).toEqual(next);
    }
  });

  it('shares nothing with a base it did not freeze (a store that hands out copies), and still syncs', async () => {
    class CopyingStore extends MemoryStore {
      override async getBase(bindingId: string): Promise<BaseRecord | undefined> {
        const record = await super.getBase(bindingId);
        return record === undefined ? undefined : structuredClone(record);
      }
    }
    const store = new CopyingStore();
    const engine = new SyncEngine({ store });
    const source = new MemorySource(api('1'));
    const target = new MemoryTarget<Doc>();
    await engine.addSource({ id: 'pets', source, target, intervalMs: 0 });
    await engine.syncNow('pets');
    // A second engine on the same store (a restart): its base is the store's unfrozen copy.
    const restarted = new SyncEngine({ store });
    await restarted.addSource({ id: 'pets', source, target, intervalMs: 0 });
    const handedOut = await store.getBase('pets');
    source.set(api('2'));
    const result = await restarted.syncNow('pets');
    expect(result.outcome).toBe('applied');
    expect(target.value).toEqual(api('2'));
    // The copy the store handed out before was not frozen or taken over.
    expect(Object.isFrozen(handedOut?.document)).toBe(false);
    const after = (await store.getBase('pets'))?.document as Doc;
    expect(after).toEqual(api('2'));
  });

  it('shares a Swagger 2.0 document only after the upgrade (the converter changes what it is given)', async () => {
    const swagger = (version: string, extra: Record<string, unknown> = {}) => ({
      swagger: '2.0',
      info: { title: 'Pets', version },
      host: 'api.example.com',
      basePath: '/v1',
      paths: {
        '/pets': {
          get: {
            summary: 'List pets',
            produces: ['application/json'],
            responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
          },
        },
        ...extra,
      },
      definitions: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
    });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store });
    const source = new MemorySource(swagger('1'));
    const target = new MemoryTarget<Doc>();
    await engine.addSource({ id: 'pets', source, target, intervalMs: 0 });
    await engine.syncNow('pets');
    const before = (await store.getBase('pets'))?.document as Doc;
    source.set(swagger('2', { '/owners': { get: { summary: 'Owners', responses: { '200': { description: 'ok' } } } } }));
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('applied');
    const after = (await store.getBase('pets'))?.document as Doc;
    expect(after.openapi).toMatch(/^3\.0/);
    expect(Object.keys(after.paths)).toEqual(['/pets', '/owners']);
    expect(after.components).toBe(before.components);
    expect(after.paths['/pets']).toBe(before.paths['/pets']);
    expect(target.value).toEqual(after);
  });
});
