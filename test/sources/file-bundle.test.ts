/**
 * Multi-file documents read by `fileSource`: real files in temporary folders,
 * JSON and YAML mixed, nested folders, cycles, escapes, URLs, the unchanged
 * short-circuit, watching every file, and real specs split into one file
 * per component and path.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSyncError, type SyncError } from '../../src/errors.js';
import { SyncEngine } from '../../src/index.js';
import { fileSource } from '../../src/sources/file.js';
import type { FetchValidators, SourceFetchResult, SpecSource } from '../../src/sources/types.js';
import { loadSpec } from '../../src/document/index.js';
import { MemoryTarget } from '../../src/testing/index.js';
import { npmFixture } from '../support/npm-fixtures.js';
import { splitSpec } from '../support/split-spec.js';

let dir: string;
const sources: SpecSource[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'als-bundle-'));
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close?.()));
  await rm(dir, { recursive: true, force: true });
});

function track(source: SpecSource): SpecSource {
  sources.push(source);
  return source;
}

/** Write files under `dir`: `.json` as JSON, anything else as YAML. */
async function files(tree: Record<string, unknown>, base = dir): Promise<void> {
  for (const [name, value] of Object.entries(tree)) {
    const path = join(base, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof value === 'string' ? value : name.endsWith('.json') ? JSON.stringify(value, null, 2) : stringify(value));
  }
}

function fetch(source: SpecSource, validators: FetchValidators = {}): Promise<SourceFetchResult> {
  return source.fetch({ validators, signal: new AbortController().signal });
}

async function document(source: SpecSource): Promise<Record<string, unknown>> {
  const result = await fetch(source);
  if (result.kind !== 'document') throw new Error(`expected a bundled document, got ${result.kind}`);
  return result.document as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

/** Every `$ref` string in a value, data included. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.push(item);
      else refs(item, out);
    }
  }
  return out;
}

const info = { title: 'Users', version: '1.0.0' };

/** A small multi-file API: YAML entry, JSON and YAML parts, nested folders, a shared file one level up from a path file. */
const usersApi = {
  'openapi.yaml': {
    openapi: '3.0.3',
    info,
    paths: { '/users': { $ref: './paths/users.yaml' }, '/users/{id}': { $ref: 'paths/user.json' } },
    components: { schemas: { User: { $ref: './components/schemas/user.yaml' } } },
  },
  'paths/users.yaml': {
    get: {
      operationId: 'listUsers',
      parameters: [{ $ref: '../components/parameters.yaml#/limit' }],
      responses: {
        '200': {
          description: 'ok',
          content: { 'application/json': { schema: { type: 'array', items: { $ref: '../components/schemas/user.yaml' } } } },
        },
        default: { $ref: '../common.yaml#/components/responses/Problem' },
      },
    },
  },
  'paths/user.json': {
    get: {
      operationId: 'getUser',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '../components/schemas/user.yaml' } } } } },
    },
  },
  'components/schemas/user.yaml': {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' }, address: { $ref: './address.json' } },
  },
  'components/schemas/address.json': { type: 'object', properties: { city: { type: 'string' } } },
  'components/parameters.yaml': { limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } },
  'common.yaml': {
    components: {
      responses: {
        Problem: { description: 'problem', content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      schemas: { Problem: { type: 'object', properties: { title: { type: 'string' } } } },
    },
  },
};

describe('fileSource: multi-file documents', () => {
  it('bundles local file references (JSON and YAML, nested folders, a file one level up) into internal ones', async () => {
    await files(usersApi);
    const bundled = await document(track(fileSource({ path: join(dir, 'openapi.yaml') })));
    expect(refs(bundled).every((ref) => ref.startsWith('#/components/'))).toBe(true);
    // The root component named by a file reference keeps its name and gets the file's content.
    const components = bundled.components as Record<string, Record<string, unknown>>;
    expect(components.schemas!.User).toEqual({
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, address: { $ref: '#/components/schemas/address' } },
    });
    expect(components.schemas!.address).toEqual(usersApi['components/schemas/address.json']);
    expect(components.parameters!.limit).toEqual(usersApi['components/parameters.yaml'].limit);
    expect(components.responses!.Problem).toEqual({
      description: 'problem',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(components.schemas!.Problem).toEqual(usersApi['common.yaml'].components.schemas.Problem);
    // Path items have no components home in 3.0: they are put in place.
    const paths = bundled.paths as Record<string, Record<string, Record<string, unknown>>>;
    expect(paths['/users']!.get!.operationId).toBe('listUsers');
    expect(paths['/users/{id}']!.get!.parameters).toEqual(usersApi['paths/user.json'].get.parameters);
    expect((paths['/users']!.get!.responses as Record<string, unknown>)['default']).toEqual({ $ref: '#/components/responses/Problem' });
    // The loader takes the bundle as any document.
    const loaded = await loadSpec(bundled);
    expect(Object.keys(loaded.document.paths as object)).toEqual(['/users', '/users/{id}']);
  });

  it('bundles references that go round in a circle across files', async () => {
    await files({
      'openapi.json': {
        openapi: '3.1.0',
        info,
        paths: {
          '/groups': {
            get: {
              responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: './schemas/group.yaml' } } } } },
            },
          },
        },
      },
      'schemas/group.yaml': { type: 'object', properties: { members: { type: 'array', items: { $ref: './user.yaml' } } } },
      'schemas/user.yaml': {
        type: 'object',
        properties: { groups: { type: 'array', items: { $ref: 'group.yaml' } }, manager: { $ref: '#' } },
      },
    });
    const bundled = await document(track(fileSource({ path: join(dir, 'openapi.json') })));
    const schemas = (bundled.components as Record<string, Record<string, unknown>>).schemas!;
    expect(schemas.group).toEqual({
      type: 'object',
      properties: { members: { type: 'array', items: { $ref: '#/components/schemas/user' } } },
    });
    expect(schemas.user).toEqual({
      type: 'object',
      properties: {
        groups: { type: 'array', items: { $ref: '#/components/schemas/group' } },
        manager: { $ref: '#/components/schemas/user' },
      },
    });
    await expect(loadSpec(bundled)).resolves.toMatchObject({ sourceVersion: '3.1' });
  });

  it('leaves `$ref`s in examples and `x-` extensions alone (data), and bundles discriminator mappings that name files', async () => {
    const literal = { $ref: './not-a-file.yaml' };
    await files({
      'openapi.yaml': {
        openapi: '3.0.3',
        info,
        'x-internal': { $ref: './nowhere.yaml' },
        paths: {
          '/pets': {
            get: {
              responses: {
                '200': {
                  description: 'ok',
                  content: {
                    'application/json': { schema: { $ref: './pet.yaml' }, example: literal, examples: { one: { value: literal } } },
                  },
                },
              },
            },
          },
        },
      },
      'pet.yaml': { oneOf: [{ $ref: './dog.yaml' }], discriminator: { propertyName: 'kind', mapping: { dog: './dog.yaml', cat: 'Cat' } } },
      'dog.yaml': { type: 'object', properties: { kind: { type: 'string' } } },
    });
    const bundled = await document(track(fileSource({ path: join(dir, 'openapi.yaml') })));
    const media = ((bundled.paths as Record<string, any>)['/pets'].get.responses['200'].content as Record<string, any>)[
      'application/json'
    ] as Record<string, unknown>;
    expect(media.example).toEqual(literal);
    expect(media.examples).toEqual({ one: { value: literal } });
    expect(bundled['x-internal']).toEqual({ $ref: './nowhere.yaml' });
    const pet = (bundled.components as Record<string, Record<string, any>>).schemas!.pet;
    expect(pet.oneOf).toEqual([{ $ref: '#/components/schemas/dog' }]);
    expect(pet.discriminator.mapping).toEqual({ dog: '#/components/schemas/dog', cat: 'Cat' });
  });

  it('refuses a reference out of the document folder, and a symlink that leads out (SOURCE_PATH_ESCAPE)', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'als-outside-'));
    try {
      await files({ 'secret.yaml': { type: 'string' } }, outside);
      await files({
        'api/openapi.yaml': {
          openapi: '3.0.3',
          info,
          paths: {
            '/a': {
              get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '../common.yaml' } } } } } },
            },
          },
        },
        'common.yaml': { type: 'string' },
      });
      const up = await failure(fetch(track(fileSource({ path: join(dir, 'api/openapi.yaml') }))));
      expect(up.code).toBe('SOURCE_PATH_ESCAPE');
      expect(up.details).toMatchObject({ ref: '../common.yaml', from: join(dir, 'api/openapi.yaml') });
      // With the root one level up, the same file is inside.
      await expect(document(track(fileSource({ path: 'api/openapi.yaml', root: dir })))).resolves.toMatchObject({
        components: { schemas: { common: { type: 'string' } } },
      });

      await symlink(join(outside, 'secret.yaml'), join(dir, 'api/link.yaml'));
      await files({
        'api/openapi.yaml': {
          openapi: '3.0.3',
          info,
          paths: {
            '/a': {
              get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: './link.yaml' } } } } } },
            },
          },
        },
      });
      expect((await failure(fetch(track(fileSource({ path: join(dir, 'api/openapi.yaml') }))))).code).toBe('SOURCE_PATH_ESCAPE');
      await files({
        'api/openapi.yaml': {
          openapi: '3.0.3',
          info,
          paths: {
            '/a': {
              get: {
                responses: {
                  '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `${outside}/secret.yaml` } } } },
                },
              },
            },
          },
        },
      });
      expect((await failure(fetch(track(fileSource({ path: join(dir, 'api/openapi.yaml') }))))).code).toBe('SOURCE_PATH_ESCAPE');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses a reference to a URL (SPEC_REMOTE_REF) unless allowRemoteRefs, which keeps it as written through the engine', async () => {
    const url = 'https://schemas.example.com/user.json';
    await files({
      'openapi.yaml': {
        openapi: '3.0.3',
        info,
        paths: { '/users': { $ref: './users.yaml' } },
      },
      'users.yaml': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: url } } } } } } },
    });
    const refused = await failure(fetch(track(fileSource({ path: join(dir, 'openapi.yaml') }))));
    expect(refused.code).toBe('SPEC_REMOTE_REF');
    expect(refused.details).toMatchObject({ ref: url, file: join(dir, 'users.yaml') });

    const engine = new SyncEngine();
    const target = new MemoryTarget();
    await engine.addSource({ id: 'api', source: track(fileSource({ path: join(dir, 'openapi.yaml'), allowRemoteRefs: true })), target });
    const result = await engine.syncNow('api');
    expect(result.outcome).toBe('applied');
    expect(refs(target.value)).toEqual([url]);
    await engine.stopSync();
  });

  it('reports a missing referenced file as SOURCE_FILE_MISSING naming the file and the $ref', async () => {
    await files({ 'openapi.yaml': { openapi: '3.0.3', info, paths: { '/users': { $ref: './paths/users.yaml' } } } });
    const error = await failure(fetch(track(fileSource({ path: join(dir, 'openapi.yaml') }))));
    expect(error.code).toBe('SOURCE_FILE_MISSING');
    expect(error.details).toMatchObject({
      path: join(dir, 'paths/users.yaml'),
      ref: './paths/users.yaml',
      from: join(dir, 'openapi.yaml'),
    });
  });

  it('counts every file against maxBytes (SOURCE_TOO_LARGE)', async () => {
    await files(usersApi);
    const sizes = await Promise.all(Object.keys(usersApi).map(async (name) => (await readFile(join(dir, name))).byteLength));
    const entry = sizes[0] as number;
    const error = await failure(fetch(track(fileSource({ path: join(dir, 'openapi.yaml'), maxBytes: entry + 50 }))));
    expect(error.code).toBe('SOURCE_TOO_LARGE');
    const total = sizes.reduce((a, b) => a + b, 0);
    await expect(document(track(fileSource({ path: join(dir, 'openapi.yaml'), maxBytes: total })))).resolves.toBeDefined();
  });

  it('says not-modified while no file changed (also to a fresh source), and sees a change in any file', async () => {
    await files(usersApi);
    const path = join(dir, 'openapi.yaml');
    const source = track(fileSource({ path }));
    const first = await fetch(source);
    expect(first.kind).toBe('document');
    expect(first.validators?.fileStamp).toMatch(/^[\d.]+:\d+:[0-9a-f]{64}$/);
    expect((await fetch(source, first.validators)).kind).toBe('not-modified');
    // A fresh process knows only the stored stamp.
    expect((await fetch(track(fileSource({ path })), first.validators)).kind).toBe('not-modified');
    // touch: same bytes, still not modified.
    const address = join(dir, 'components/schemas/address.json');
    await utimes(address, new Date(), new Date(Date.now() + 5000));
    expect((await fetch(source, first.validators)).kind).toBe('not-modified');
    // A change in a file two levels down is seen.
    await writeFile(address, JSON.stringify({ type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } } }));
    const changed = await fetch(source, first.validators);
    expect(changed.kind).toBe('document');
    expect(changed.validators?.fileStamp).not.toBe(first.validators?.fileStamp);
    expect((changed as { document: any }).document.components.schemas.address.properties.zip).toEqual({ type: 'string' });
    // The engine: the same stamp twice is one apply, then unchanged.
    const engine = new SyncEngine();
    const target = new MemoryTarget();
    await engine.addSource({ id: 'api', source: track(fileSource({ path })), target });
    expect((await engine.syncNow('api')).outcome).toBe('applied');
    expect((await engine.syncNow('api')).outcome).toBe('unchanged');
    await engine.stopSync();
  });

  it('watches every file it read: a change to a referenced file syncs, an unrelated file in its folder does not', async () => {
    await files(usersApi);
    const path = join(dir, 'openapi.yaml');
    const engine = new SyncEngine({ defaultIntervalMs: 0, syncOnStart: false });
    const target = new MemoryTarget();
    const source = track(fileSource({ path, debounceMs: 50 }));
    await engine.addSource({ id: 'api', source, target });
    const synced: string[] = [];
    engine.on('sync:applied', () => {
      synced.push('applied');
    });
    await engine.startSync();
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 8000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`not in time; outcomes: ${synced.join(', ')}`);
        await sleep(20);
      }
    };
    expect((await engine.syncNow('api')).outcome).toBe('applied');
    const before = synced.length;
    await writeFile(join(dir, 'components/schemas/notes.txt'), 'unrelated');
    await sleep(600);
    expect(synced.length).toBe(before);
    await writeFile(
      join(dir, 'components/schemas/address.json'),
      JSON.stringify({ type: 'object', properties: { street: { type: 'string' } } }),
    );
    await until(() => (target.value as any)?.components?.schemas?.address?.properties?.street !== undefined);
    expect(synced.slice(before)).toContain('applied');
    await engine.stopSync();
  });
});

describe('fileSource: real specs split into one file per component and path', () => {
  it.each(['3.0', '3.1'])('bundles every %s spec of @readme/oas-examples back to the document it was split from', async (version) => {
    const folder = join(await npmFixture('@readme/oas-examples', '8.2.2'), version, 'json');
    const names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
    expect(names.length).toBeGreaterThan(10);
    let multiFile = 0;
    for (const [index, name] of names.entries()) {
      const original = JSON.parse(await readFile(join(folder, name), 'utf8')) as Record<string, unknown>;
      const out = join(dir, version, name.replace(/\.json$/, ''));
      // JSON and YAML mixed: every other file (by name) is JSON.
      const split = await splitSpec(original, out, { format: (file) => ((file.length + index) % 2 === 0 ? 'json' : 'yaml') });
      const fetched = await fetch(track(fileSource({ path: split.root })));
      if (split.files.length > 1) {
        expect(fetched.kind, name).toBe('document');
        multiFile++;
      }
      const bundled = await loadSpec(fetched.kind === 'document' ? (fetched.document as object) : (fetched as { body: Uint8Array }).body);
      expect(bundled.hash, name).toBe((await loadSpec(original)).hash);
    }
    expect(multiFile).toBeGreaterThan(10);
  });
});
