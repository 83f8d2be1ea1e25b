/**
 * Keep a Bruno collection folder in step with a live API. A small HTTP
 * server publishes its OpenAPI document; the engine writes the collection
 * (bruno.json, one .bru file per request, environments/api.bru); the user
 * adds a test to a request, the way Bruno saves it; the API gains a route;
 * the next sync adds its request and keeps the user's test.
 *
 *   npx tsx examples/bruno.ts
 *
 * Needs `@usebruno/lang` installed beside api-live-sync (an optional peer
 * dependency). Open the folder in Bruno with "Open Collection", or run it:
 *   npx @usebruno/cli run -r --env api   (inside the folder)
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncEngine, httpSource } from 'api-live-sync';
import { brunoTarget } from 'api-live-sync/bruno';

/** The test the user adds to "List pets" in Bruno. */
export const BRUNO_TEST = 'test("lists pets", function () {\n  expect(res.getStatus()).to.equal(200);\n});';

/** What {@link runExample} found after the second sync. */
export interface BrunoExampleResult {
  /** The collection folder. */
  dir: string;
  /** The document the API published last. */
  document: Record<string, unknown>;
  /** Whether the user's test is still in `pets/List pets.bru`. */
  testKept: boolean;
  /** Whether the new route's request file was written. */
  added: boolean;
}

/** Run the story; `dir` is where the collection goes (a temporary folder by default). */
export async function runExample(options: { dir?: string; log?: (line: string) => void } = {}): Promise<BrunoExampleResult> {
  const log = options.log ?? console.log;
  const dir = options.dir ?? join(await mkdtemp(join(tmpdir(), 'als-bruno-')), 'petstore');
  let document: Record<string, unknown> = petstore(false);
  const server = createServer((request, response) => {
    if (request.url === '/openapi.json')
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const engine = new SyncEngine();
  try {
    await engine.addSource({ id: 'petstore', source: httpSource({ url: `${url}/openapi.json` }), target: brunoTarget({ dir }) });
    await engine.syncNow('petstore');
    log(`wrote the Bruno collection ${dir}`);

    // The user adds a test in Bruno (which saves the .bru file).
    const file = join(dir, 'pets', 'List pets.bru');
    await writeFile(file, `${await readFile(file, 'utf8')}\ntests {\n${BRUNO_TEST.replace(/^/gm, '  ')}\n}\n`);

    // The API gains a route; the next sync brings its request in.
    document = petstore(true);
    const result = await engine.syncNow('petstore');
    log(`second sync: ${result.outcome}, ${result.changes.length} change(s), ${result.conflicts.length} conflict(s)`);
    const testKept = (await readFile(file, 'utf8')).includes('lists pets');
    const added = await readFile(join(dir, 'pets', 'Add a pet.bru'), 'utf8').then(
      () => true,
      () => false,
    );
    log(`your test survived: ${testKept ? 'yes' : 'no'}; new request written: ${added ? 'yes' : 'no'}`);
    log(`run it: cd ${dir} && npx @usebruno/cli run -r --env-var baseUrl=${url}`);
    return { dir, document, testKept, added };
  } finally {
    await engine.stopSync();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

function petstore(withPost: boolean): Record<string, unknown> {
  const pets: Record<string, unknown> = {
    get: { tags: ['pets'], summary: 'List pets', operationId: 'listPets', responses: { '200': { description: 'Pets' } } },
  };
  if (withPost) pets.post = { tags: ['pets'], summary: 'Add a pet', operationId: 'addPet', responses: { '201': { description: 'Added' } } };
  return {
    openapi: '3.0.3',
    info: { title: 'Petstore', version: withPost ? '2' : '1' },
    servers: [{ url: 'http://127.0.0.1:8000' }],
    paths: { '/pets': pets },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runExample();
}
