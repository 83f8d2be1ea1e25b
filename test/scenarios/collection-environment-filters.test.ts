/**
 * What the collection model does for every client target, checked through a
 * real SyncEngine on the Hoppscotch target and a real file:
 * - the server URL variable (`baseUrl`) follows upstream's `servers` only
 *   while the user has not changed it; a user's own variables are never
 *   touched;
 * - security schemes become secret auth variables with empty values;
 * - filters (tag, path glob, operationId, `deprecated`) apply before the
 *   merge: an operation filtered out is neither added nor removed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, preferRemote, type SyncError } from '../../src/index.js';
import { hoppscotchTarget, renderCollection, type HoppCollection, type HoppRequest } from '../../src/targets/hoppscotch/index.js';
import { MemorySource, MemoryStore } from '../../src/testing/index.js';

type Json = Record<string, any>;

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-collection-env-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function api(server = 'https://api.example.com'): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'Shop', version: '1' },
    servers: [{ url: server }],
    tags: [{ name: 'pets' }, { name: 'admin' }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        keyAuth: { type: 'apiKey', in: 'header', name: 'X-Key' },
      },
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/pets': {
        get: { tags: ['pets'], operationId: 'listPets', summary: 'List pets', responses: { '200': { description: 'ok' } } },
      },
      '/pets/{id}': {
        get: { tags: ['pets'], operationId: 'getPet', summary: 'Get a pet', deprecated: true, responses: { '200': { description: 'ok' } } },
      },
      '/admin/users': {
        get: {
          tags: ['admin'],
          operationId: 'listUsers',
          summary: 'List users',
          security: [{ keyAuth: [] }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/admin/audit/log': {
        get: { tags: ['admin'], operationId: 'auditLog', summary: 'Audit log', responses: { '200': { description: 'ok' } } },
      },
    },
  };
}

async function setup(document: Json, options: { filter?: Json; resolver?: 'remote' } = {}) {
  const dir = join(root, `case-${++counter}`);
  await mkdir(dir);
  const file = join(dir, 'shop.hoppscotch.json');
  const engine = new SyncEngine({ store: new MemoryStore(), ...(options.resolver === 'remote' ? { resolver: preferRemote() } : {}) });
  const source = new MemorySource(document);
  await engine.addSource({
    id: 'shop',
    source,
    target: hoppscotchTarget({ path: file, ...(options.filter === undefined ? {} : { filter: options.filter as never }) }),
    intervalMs: 0,
    policy: { removal: 'remove' },
  });
  expect(await engine.syncNow('shop')).toMatchObject({ outcome: 'applied', written: true });
  const read = async () => JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
  const edit = async (change: (collection: HoppCollection) => void) => {
    const collection = await read();
    change(collection);
    await writeFile(file, JSON.stringify(collection, null, 2));
  };
  return { file, engine, source, read, edit };
}

function ids(collection: HoppCollection): string[] {
  const out: string[] = [];
  const walk = (node: HoppCollection) => {
    node.folders.forEach(walk);
    for (const request of node.requests as HoppRequest[]) out.push(String(request.id));
  };
  walk(collection);
  return out.sort();
}

const variable = (collection: HoppCollection, key: string) => collection.variables.find((v) => v.key === key);

describe('environments: the server URL variable', () => {
  it('follows upstream servers while the user has not changed it', async () => {
    const { engine, source, read } = await setup(api());
    expect(variable(await read(), 'baseUrl')?.initialValue).toBe('https://api.example.com');
    source.set(api('https://api2.example.com'));
    expect(await engine.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(variable(await read(), 'baseUrl')?.initialValue).toBe('https://api2.example.com');
  });

  it('keeps the value the user gave it when upstream servers change too: no conflict, even under preferRemote', async () => {
    const { engine, source, read, edit } = await setup(api(), { resolver: 'remote' });
    await edit((c) => {
      variable(c, 'baseUrl')!.initialValue = 'http://127.0.0.1:4010';
    });
    source.set(api('https://api2.example.com'));
    const result = await engine.syncNow('shop');
    expect(result).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(variable(await read(), 'baseUrl')?.initialValue).toBe('http://127.0.0.1:4010');
    // And keeps it on the next change as well.
    source.set(api('https://api3.example.com'));
    expect(await engine.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(variable(await read(), 'baseUrl')?.initialValue).toBe('http://127.0.0.1:4010');
  });

  it('leaves a variable the user deleted deleted, and never touches the user’s own variables', async () => {
    const { engine, source, read, edit } = await setup(api(), { resolver: 'remote' });
    await edit((c) => {
      c.variables = c.variables.filter((v) => v.key !== 'baseUrl');
      c.variables.push({ key: 'tenant', initialValue: 'acme', currentValue: '', secret: false });
    });
    source.set(api('https://api2.example.com'));
    expect(await engine.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const after = await read();
    expect(variable(after, 'baseUrl')).toBeUndefined();
    expect(variable(after, 'tenant')).toEqual({ key: 'tenant', initialValue: 'acme', currentValue: '', secret: false });
  });
});

describe('environments: auth variables', () => {
  it('gives every credential of a used security scheme a secret variable with an empty value', () => {
    const { collection } = renderCollection(api());
    const auth = collection.variables.filter((v) => v.secret);
    expect(auth).toEqual([
      { key: 'bearerAuth_token', initialValue: '', currentValue: '', secret: true },
      { key: 'keyAuth_key', initialValue: '', currentValue: '', secret: true },
    ]);
  });

  it('keeps the value the user typed into an auth variable out of the file, and the variable in it', async () => {
    const { engine, source, read, edit } = await setup(api());
    await edit((c) => {
      variable(c, 'bearerAuth_token')!.initialValue = 'sk-secret';
    });
    source.set(api('https://api2.example.com'));
    expect(await engine.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(variable(await read(), 'bearerAuth_token')).toEqual({
      key: 'bearerAuth_token',
      initialValue: '',
      currentValue: '',
      secret: true,
    });
  });
});

describe('filters', () => {
  it('renders only what include keeps and exclude leaves', async () => {
    const cases: Array<[Json, string[]]> = [
      [{ include: { tags: ['pets'] } }, ['getPet', 'listPets']],
      [{ exclude: { tags: ['pets'] } }, ['auditLog', 'listUsers']],
      [{ include: { paths: ['/admin/*'] } }, ['listUsers']],
      [{ include: { paths: ['/admin/**'] } }, ['auditLog', 'listUsers']],
      [{ include: { operationIds: ['listPets', 'auditLog'] } }, ['auditLog', 'listPets']],
      [{ exclude: { deprecated: true } }, ['auditLog', 'listPets', 'listUsers']],
      [{ include: { tags: ['pets'] }, exclude: { deprecated: true } }, ['listPets']],
      [{ include: { paths: ['/pets/{id}'] } }, ['getPet']],
    ];
    for (const [filter, expected] of cases)
      expect(ids(renderCollection(api(), { filter } as never).collection), JSON.stringify(filter)).toEqual(expected);
  });

  it('neither adds nor removes what it filters out, and still syncs the rest', async () => {
    // A collection that holds every operation, then synced by a binding that leaves admin out.
    const { source, read } = await setup(api());
    expect(ids(await read())).toEqual(['auditLog', 'getPet', 'listPets', 'listUsers']);
    const path = join(root, `case-${++counter}.json`);
    await writeFile(path, JSON.stringify(await read(), null, 2));
    const filtered = new SyncEngine({ store: new MemoryStore() });
    await filtered.addSource({
      id: 'shop',
      source,
      target: hoppscotchTarget({ path, filter: { exclude: { tags: ['admin'] } } }),
      intervalMs: 0,
      policy: { removal: 'remove' },
    });
    expect(await filtered.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const next = api();
    delete next.paths['/admin/audit/log'];
    next.paths['/admin/roles'] = { get: { tags: ['admin'], operationId: 'listRoles', responses: { '200': { description: 'ok' } } } };
    next.paths['/pets'].post = {
      tags: ['pets'],
      operationId: 'createPet',
      summary: 'Add a pet',
      responses: { '201': { description: 'ok' } },
    };
    delete next.paths['/pets/{id}'];
    source.set(next);
    expect(await filtered.syncNow('shop')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const after = JSON.parse(await readFile(path, 'utf8')) as HoppCollection;
    // createPet arrived and getPet (kept by the filter, removed upstream, untouched) went; listRoles (filtered out)
    // was not added and auditLog (filtered out, removed upstream) was not removed.
    expect(ids(after)).toEqual(['auditLog', 'createPet', 'listPets', 'listUsers']);
  });

  it('refuses a malformed filter with CONFIG_INVALID, naming the field', () => {
    const bad: Array<[unknown, string]> = [
      ['pets', 'filter'],
      [{ includes: {} }, 'filter.includes'],
      [{ include: { tag: ['x'] } }, 'filter.include.tag'],
      [{ include: { tags: 'pets' } }, 'filter.include.tags'],
      [{ exclude: { paths: [''] } }, 'filter.exclude.paths'],
      [{ exclude: { deprecated: 'yes' } }, 'filter.exclude.deprecated'],
    ];
    for (const [filter, option] of bad) {
      let error: SyncError | undefined;
      try {
        hoppscotchTarget({ path: join(root, 'x.json'), filter: filter as never });
      } catch (caught) {
        error = caught as SyncError;
      }
      expect(error?.code, JSON.stringify(filter)).toBe('CONFIG_INVALID');
      expect(error?.details?.option, JSON.stringify(filter)).toBe(option);
    }
    expect(() => renderCollection(api(), { filter: { include: { tags: [1] } } } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
