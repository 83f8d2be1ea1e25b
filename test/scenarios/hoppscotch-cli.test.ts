/**
 * The real Hoppscotch CLI, end to end: a real API server on 127.0.0.1
 * publishes its OpenAPI document and implements its routes; the engine syncs
 * it into a collection; the user adds test scripts; `hopp test` passes; the
 * server changes (a new route, a changed parameter, a removed route); the
 * engine syncs again and `hopp test` passes again with the user's scripts.
 *
 * Needs scripts/install-hopp.sh to have run once: without the CLI this test
 * fails (it does not skip).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, httpSource } from '../../src/index.js';
import { hoppscotchTarget, type HoppCollection, type HoppRequest } from '../../src/targets/hoppscotch/index.js';
import { MemoryStore } from '../../src/testing/index.js';
import { assertHoppInstalled, runHopp, startServer, type TestServer } from '../support/hopp.js';

type Json = Record<string, unknown>;

const pets = [
  { id: 1, name: 'Rex' },
  { id: 2, name: 'Tom' },
  { id: 3, name: 'Kit' },
];

/** The document the server publishes: version 2 adds POST /pets, changes `limit` and drops DELETE /pets/{petId}. */
function document(version: 1 | 2): Json {
  const petId = { name: 'petId', in: 'path', required: true, schema: { type: 'integer' }, example: 1 };
  const limit =
    version === 1
      ? { name: 'limit', in: 'query', description: 'Page size', schema: { type: 'integer', maximum: 100 }, example: 3 }
      : {
          name: 'limit',
          in: 'query',
          required: true,
          description: 'Page size (now required, at most 2)',
          schema: { type: 'integer', maximum: 2 },
          example: 2,
        };
  const collectionPath: Json = {
    get: {
      tags: ['pets'],
      operationId: 'listPets',
      summary: 'List pets',
      parameters: [limit],
      responses: { '200': { description: 'Pets' } },
    },
  };
  const itemPath: Json = {
    get: {
      tags: ['pets'],
      operationId: 'getPet',
      summary: 'Get a pet',
      parameters: [petId],
      responses: { '200': { description: 'A pet' } },
    },
  };
  if (version === 1) {
    itemPath.delete = {
      tags: ['pets'],
      operationId: 'deletePet',
      summary: 'Delete a pet',
      parameters: [{ ...petId, example: 3 }],
      responses: { '204': { description: 'Deleted' } },
    };
  } else {
    collectionPath.post = {
      tags: ['pets'],
      operationId: 'createPet',
      summary: 'Add a pet',
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string', example: 'Bo' } } } },
        },
      },
      responses: { '201': { description: 'Created' } },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Live petstore', version: `${version}.0.0` },
    servers: [{ url: 'https://petstore.example.com' }],
    tags: [{ name: 'pets' }],
    paths: { '/pets': collectionPath, '/pets/{petId}': itemPath },
  };
}

let dir: string;
let server: TestServer;
let version: 1 | 2 = 1;

beforeAll(async () => {
  assertHoppInstalled();
  dir = await mkdtemp(join(tmpdir(), 'als-hopp-e2e-'));
  server = await startServer((request, body, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, value?: unknown) =>
      value === undefined
        ? response.writeHead(status).end()
        : response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const item = /^\/pets\/(\d+)$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/openapi.json') return send(200, document(version));
    if (request.method === 'GET' && url.pathname === '/pets') {
      const limit = Number(url.searchParams.get('limit') ?? '100');
      if (version === 2 && !(limit >= 1 && limit <= 2)) return send(400, { error: 'limit is required, at most 2' });
      return send(200, pets.slice(0, limit));
    }
    if (request.method === 'GET' && item) {
      const pet = pets.find((p) => p.id === Number(item[1]));
      return pet ? send(200, pet) : send(404, { error: 'no such pet' });
    }
    if (version === 1 && request.method === 'DELETE' && item) return send(204);
    if (version === 2 && request.method === 'POST' && url.pathname === '/pets') {
      const name = (JSON.parse(body || '{}') as { name?: unknown }).name;
      return typeof name === 'string' ? send(201, { id: 4, name }) : send(400, { error: 'name is required' });
    }
    send(404, { error: `no route ${request.method ?? ''} ${url.pathname}` });
  });
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function requests(collection: HoppCollection): HoppRequest[] {
  return [...collection.folders.flatMap(requests), ...collection.requests];
}

describe('Hoppscotch CLI, end to end through the engine', () => {
  it('runs the synced collection with the user scripts before and after the API changes', { timeout: 120_000 }, async () => {
    const file = join(dir, 'petstore.hoppscotch.json');
    const engine = new SyncEngine({ store: new MemoryStore() });
    await engine.addSource({
      id: 'petstore',
      source: httpSource({ url: `${server.url}/openapi.json` }),
      target: hoppscotchTarget({ path: file }),
      intervalMs: 0,
      policy: { removal: 'remove' },
    });
    expect(await engine.syncNow('petstore')).toMatchObject({ outcome: 'applied', written: true });

    // The user points the collection at the dev server and writes tests, in the file as Hoppscotch would save them.
    const synced = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
    expect(requests(synced).map((r) => r.id)).toEqual(['listPets', 'getPet', 'deletePet']);
    synced.variables = synced.variables.map((v) => (v.key === 'baseUrl' ? { ...v, initialValue: server.url } : v));
    const scripts: Record<string, string> = {
      listPets:
        'pw.test("lists pets", () => { pw.expect(pw.response.status).toBe(200); pw.expect(pw.response.body.length >= 1).toBe(true); });',
      getPet: 'pw.test("gets Rex", () => { pw.expect(pw.response.status).toBe(200); pw.expect(pw.response.body.name).toBe("Rex"); });',
    };
    for (const request of requests(synced)) request.testScript = scripts[request.id ?? ''] ?? '';
    await writeFile(file, JSON.stringify(synced, null, 2));

    const first = await runHopp(file);
    // Two pw.test suites (the user's scripts) with two expectations each.
    expect(first.stdout, first.stderr).toMatch(/Test Suites: 0 failed 2 passed/);
    expect(first.stdout).toMatch(/Test Cases: 0 failed 4 passed/);
    expect(first.stdout).toMatch(/✔ lists pets[\s\S]*✔ gets Rex/);
    expect(first.stdout).toMatch(/Requests: 0 failed 3 passed/);
    expect(first.code).toBe(0);
    expect(server.requests.filter((r) => !r.includes('openapi.json'))).toEqual(['GET /pets?limit=3', 'GET /pets/1', 'DELETE /pets/3']);

    // The code changes: POST /pets is new, `limit` is required with at most 2, DELETE is gone.
    version = 2;
    const second = await engine.syncNow('petstore');
    expect(second).toMatchObject({ outcome: 'applied', written: true, conflicts: [] });
    const after = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
    const byId = new Map(requests(after).map((r) => [r.id, r]));
    expect([...byId.keys()]).toEqual(['listPets', 'createPet', 'getPet']);
    expect(byId.get('listPets')?.testScript).toBe(scripts.listPets);
    expect(byId.get('getPet')?.testScript).toBe(scripts.getPet);
    expect(byId.get('listPets')?.params).toEqual([
      { key: 'limit', value: '2', active: true, description: 'Page size (now required, at most 2)' },
    ]);
    expect(after.variables.find((v) => v.key === 'baseUrl')?.initialValue).toBe(server.url);

    server.requests.length = 0;
    const rerun = await runHopp(file);
    // Two pw.test suites (the user's scripts) with two expectations each.
    expect(rerun.stdout, rerun.stderr).toMatch(/Test Suites: 0 failed 2 passed/);
    expect(rerun.stdout).toMatch(/Test Cases: 0 failed 4 passed/);
    expect(rerun.stdout).toMatch(/✔ lists pets[\s\S]*✔ gets Rex/);
    expect(rerun.stdout).toMatch(/Requests: 0 failed 3 passed/);
    expect(rerun.code).toBe(0);
    expect(server.requests).toEqual(['GET /pets?limit=2', 'POST /pets', 'GET /pets/1']);
  });
});
