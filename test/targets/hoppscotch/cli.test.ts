/**
 * The real Hoppscotch CLI runs what we render. Needs scripts/install-hopp.sh
 * to have run once: without it these tests fail, they do not skip.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../src/engine/index.js';
import {
  allRequests,
  hoppscotchTarget,
  renderCollection,
  type HoppCollection,
  type HoppRequest,
} from '../../../src/targets/hoppscotch/index.js';
import { MemorySource } from '../../../src/testing/index.js';
import { assertHoppInstalled, runHopp, startServer, type TestServer } from '../../support/hopp.js';
import { oasExamples } from './oas-examples.js';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  assertHoppInstalled();
  dir = await mkdtemp(join(tmpdir(), 'hopp-cli-'));
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The JSON-visible shape of a request: what could make the CLI treat it differently. */
function shape(request: HoppRequest): string {
  const auth = request.auth as Record<string, unknown>;
  return JSON.stringify([
    request.method,
    request.body.contentType,
    auth.authType,
    auth.addTo,
    (auth.grantTypeInfo as { grantType?: string } | undefined)?.grantType,
    request.params.length > 0,
    request.headers.map((h) => h.key === 'Cookie'),
    request.requestVariables.length > 0,
    request.endpoint.startsWith('<<'),
    Object.keys(request.responses).length > 0,
  ]);
}

/**
 * Keep one request per distinct shape across the whole run, so that it stays
 * short: every request costs the CLI a script sandbox (about 85 ms on an idle
 * machine). A folder whose requests were all seen before stays, empty, and
 * is still parsed. Set HOPP_ALL_REQUESTS=1 to run all 678 requests (about
 * two minutes on a busy machine).
 */
function onePerShape(collection: HoppCollection, seen: Set<string>): HoppCollection {
  if (process.env.HOPP_ALL_REQUESTS === '1') return collection;
  return {
    ...collection,
    requests: collection.requests.filter((request) => {
      const key = shape(request);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    folders: collection.folders.map((folder) => onePerShape(folder, seen)),
  } as HoppCollection;
}

/** Point literal server URLs (path-level servers) at the test server: the run must stay on loopback. */
function toLoopback(collection: HoppCollection, origin: string): HoppCollection {
  return {
    ...collection,
    requests: collection.requests.map((request) => ({
      ...request,
      endpoint: request.endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, origin),
    })),
    folders: collection.folders.map((folder) => toLoopback(folder, origin)),
  } as HoppCollection;
}

describe('the Hoppscotch CLI runs rendered collections', () => {
  it('runHopp checks its own arguments (hopp itself exits 0 on a missing file)', async () => {
    await expect(runHopp(join(dir, 'missing.json'))).rejects.toThrow(/not a file/);
    await expect(runHopp('')).rejects.toThrow(/expected a collection file path/);
  });

  it(
    'runs one collection holding every rendered @readme/oas-examples document as a folder, with exit 0',
    { timeout: process.env.HOPP_ALL_REQUESTS === '1' ? 600_000 : 150_000 },
    async () => {
      server = await startServer();
      // JSON files only: the YAML ones are the same documents.
      const examples = await oasExamples(/^(2\.0|3\.0|3\.1)\/json\/.+\.json$/);
      const seen = new Set<string>();
      // Path- and operation-level servers are collection variables (baseUrl_…): all point at the test server too.
      const serverVariables = new Set<string>();
      const folders = examples.map(({ file, document }) => {
        const { collection } = renderCollection(document);
        for (const variable of collection.variables) if (variable.key !== 'baseUrl') serverVariables.add(variable.key);
        // A folder variable would shadow the collection's baseUrl, which points at the test server.
        return { ...toLoopback(onePerShape(collection, seen), server.url), name: file, variables: [] } as HoppCollection;
      });
      const combined: HoppCollection = {
        v: 12,
        name: 'oas-examples',
        folders,
        requests: [],
        auth: { authType: 'none', authActive: true },
        headers: [],
        variables: ['baseUrl', ...serverVariables].map((key) => ({ key, initialValue: server.url, currentValue: '', secret: false })),
        description: null,
        preRequestScript: '',
        testScript: '',
      };
      const expected = allRequests(combined).length;
      expect(folders).toHaveLength(examples.length);
      expect(expected).toBeGreaterThan(50);
      const file = join(dir, 'oas-examples.json');
      await writeFile(file, JSON.stringify(combined));

      const run = await runHopp(file, { timeoutMs: process.env.HOPP_ALL_REQUESTS === '1' ? 590_000 : 140_000 });
      expect(run.stdout + run.stderr, `hopp test exited ${run.code}`).toMatch(new RegExp(`Requests: 0 failed ${expected} passed`));
      expect(run.code).toBe(0);
      expect(server.requests).toHaveLength(expected);
    },
  );

  it('runs a rendered petstore with a test script against matching routes, and reports the passed tests', { timeout: 90_000 }, async () => {
    const pets = [{ id: 1, name: 'Rex' }];
    const petstore = await startServer((request, body, response) => {
      const url = request.url ?? '';
      const send = (status: number, value: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.method === 'GET' && url === '/v1/pets?limit=20') return send(200, pets);
      if (request.method === 'GET' && url === '/v1/pets/1') return send(200, pets[0]);
      if (request.method === 'POST' && url === '/v1/pets' && (JSON.parse(body) as { name?: unknown }).name === 'Rex')
        return send(201, pets[0]);
      send(404, { error: `no route for ${request.method ?? ''} ${url}` });
    });
    try {
      const pet = {
        type: 'object',
        required: ['name'],
        properties: { id: { type: 'integer', readOnly: true }, name: { type: 'string', example: 'Rex' } },
      };
      const document = {
        openapi: '3.1.0',
        info: { title: 'Petstore', version: '1' },
        servers: [{ url: `${petstore.url}/{version}`, variables: { version: { default: 'v1' } } }],
        tags: [{ name: 'pets' }],
        paths: {
          '/pets': {
            get: {
              tags: ['pets'],
              operationId: 'listPets',
              summary: 'List pets',
              parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', default: 20 } }],
            },
            post: { tags: ['pets'], operationId: 'createPet', requestBody: { content: { 'application/json': { schema: pet } } } },
          },
          '/pets/{petId}': {
            get: { tags: ['pets'], operationId: 'showPetById', parameters: [{ name: 'petId', in: 'path', required: true, example: 1 }] },
          },
        },
      };
      const { collection } = renderCollection(document);
      const status = (code: number) => `pw.test("status", () => pw.expect(pw.response.status).toBe(${code}));`;
      const withTests = (code: Record<string, number>) =>
        ({
          ...collection,
          folders: collection.folders.map((folder) => ({
            ...folder,
            requests: folder.requests.map((r) => ({ ...r, testScript: status(code[r.id ?? ''] ?? 200) })),
          })),
        }) as HoppCollection;

      const good = join(dir, 'petstore.json');
      await writeFile(good, JSON.stringify(withTests({ createPet: 201 })));
      const run = await runHopp(good);
      expect(run.stdout).toMatch(/Test Cases: 0 failed 3 passed/);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(petstore.requests.sort()).toEqual(['GET /v1/pets/1', 'GET /v1/pets?limit=20', 'POST /v1/pets']);

      // The same run with a wrong expectation fails: the exit code is not 0 by accident.
      const bad = join(dir, 'petstore-bad.json');
      await writeFile(bad, JSON.stringify(withTests({ createPet: 200 })));
      const failed = await runHopp(bad);
      expect(failed.stdout).toMatch(/Test Cases: 1 failed 2 passed/);
      expect(failed.code).toBe(1);
    } finally {
      await petstore.close();
    }
  });

  it(
    'runs a synced collection whose server variables the user pointed at staging, with every path variable filled',
    { timeout: 90_000 },
    async () => {
      const staging = await startServer();
      const uploads = await startServer();
      try {
        const document = (version: string) => ({
          openapi: '3.0.3',
          info: { title: 'Shop', version },
          servers: [{ url: 'https://api.example.com/v1' }],
          paths: {
            '/pets/{petId}': {
              get: {
                operationId: 'getPet',
                parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' }, example: '7' }],
              },
            },
            '/pets/{petId}/photos': {
              servers: [{ url: 'https://uploads.example.com' }],
              post: {
                operationId: 'addPhoto',
                parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', default: 3 } }],
              },
            },
            '/stores/{kind}/items/{itemId}': {
              get: {
                operationId: 'getItem',
                parameters: [
                  { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['toys', 'food'] } },
                  { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
                ],
              },
            },
            '/faxes': { get: { operationId: 'listFaxes', servers: [{ url: 'https://fax.example.com/2010-04-01' }] } },
          },
        });
        const file = join(dir, 'shop.hoppscotch.json');
        const engine = new SyncEngine();
        const source = new MemorySource(document('1'));
        await engine.addSource({ id: 'shop', source, target: hoppscotchTarget({ path: file }), intervalMs: 0 });
        await engine.syncNow('shop');
        // The user points every server at staging, and sets one path variable of their own.
        const collection = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
        expect(collection.variables.map((v) => v.key)).toEqual(['baseUrl', 'baseUrl_fax', 'baseUrl_uploads']);
        const staged: Record<string, string> = {
          baseUrl: `${staging.url}/v1`,
          baseUrl_fax: `${uploads.url}/2010-04-01`,
          baseUrl_uploads: uploads.url,
        };
        for (const variable of collection.variables) variable.initialValue = staged[variable.key] ?? variable.initialValue;
        allRequests(collection).find((r) => r.id === 'getPet')!.requestVariables[0]!.value = '12';
        await writeFile(file, JSON.stringify(collection, null, 2));
        // Upstream changes the servers' URLs and the example: the user's values stay.
        const next = document('2') as Record<string, any>;
        next.servers = [{ url: 'https://api.example.com/v1.1' }];
        next.paths['/pets/{petId}'].get.parameters[0].example = '8';
        source.set(next);
        await engine.syncNow('shop');
        const synced = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
        expect(Object.fromEntries(synced.variables.map((v) => [v.key, v.initialValue]))).toEqual(staged);

        const run = await runHopp(file);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(staging.requests.sort()).toEqual(['GET /v1/pets/12', 'GET /v1/stores/toys/items/%3CitemId%3E']);
        expect(uploads.requests.sort()).toEqual(['GET /2010-04-01/faxes', 'POST /pets/3/photos']);
      } finally {
        await staging.close();
        await uploads.close();
      }
    },
  );
});
