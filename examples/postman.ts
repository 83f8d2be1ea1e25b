/**
 * Keep a Postman collection in step with a live API. A small API on
 * 127.0.0.1 publishes its OpenAPI document; the engine syncs it into
 * `petstore.postman_collection.json`; you add a test script and uncheck a
 * query parameter (as you would in the app, then export over the file); the
 * API gains a route and a parameter; the next sync brings them in and keeps
 * your script and your unchecked parameter. Then run it with newman.
 *
 *   npx tsx examples/postman.ts [out-dir]
 */
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncEngine, httpSource } from 'api-live-sync';
import { postmanTarget, type PostmanCollection, type PostmanFolder, type PostmanItem, type PostmanUrl } from 'api-live-sync/postman';

/** The test script the example adds to "List pets". */
export const EXAMPLE_TEST_SCRIPT = 'pm.test("lists pets", () => pm.response.to.have.status(200));';

/** The API's document: version 2 adds `POST /pets` and a `sort` parameter. */
function openapi(version: 1 | 2): object {
  const parameters: object[] = [{ name: 'limit', in: 'query', schema: { type: 'integer' }, example: 10 }];
  if (version === 2) parameters.push({ name: 'sort', in: 'query', schema: { type: 'string' }, example: 'name' });
  const pets: Record<string, object> = {
    get: { tags: ['pets'], operationId: 'listPets', summary: 'List pets', parameters, responses: { '200': { description: 'Pets' } } },
  };
  if (version === 2) {
    pets.post = {
      tags: ['pets'],
      operationId: 'addPet',
      summary: 'Add a pet',
      requestBody: {
        content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string', example: 'Rex' } } } } },
      },
      responses: { '201': { description: 'Added' } },
    };
  }
  return { openapi: '3.0.3', info: { title: 'Petstore', version: `${version}.0.0` }, tags: [{ name: 'pets' }], paths: { '/pets': pets } };
}

/** What the example did, for the test that runs it. */
export interface PostmanExampleReport {
  /** The collection file. */
  file: string;
  /** The API's URL (what `baseUrl` points at). */
  url: string;
  /** The collection after the second sync. */
  collection: PostmanCollection;
  /** The lines it printed. */
  lines: string[];
}

/** Run the example in `dir` (a temporary folder by default); `log` gets each line. */
export async function runExample(dir?: string, log: (line: string) => void = console.log): Promise<PostmanExampleReport> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'als-postman-')));
  const file = join(folder, 'petstore.postman_collection.json');
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };

  let version: 1 | 2 = 1;
  const server = createServer((request, response) => {
    if (request.url === '/openapi.json')
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(openapi(version)));
    else if (request.url?.startsWith('/pets'))
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('[]');
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const engine = new SyncEngine();
  try {
    await engine.addSource({
      id: 'petstore',
      source: httpSource({ url: `${url}/openapi.json` }),
      target: postmanTarget({ path: file }),
      intervalMs: 0,
      policy: { removal: 'deprecate' },
    });
    await engine.syncNow('petstore');
    say(`synced ${file}`);

    // Your edits, as Postman would export them: a test script, `limit` unchecked, `baseUrl` pointed at the API.
    const edited = JSON.parse(await readFile(file, 'utf8')) as PostmanCollection;
    const pets = edited.item[0] as PostmanFolder;
    const list = pets.item[0] as PostmanItem;
    list.event = [{ listen: 'test', script: { type: 'text/javascript', exec: [EXAMPLE_TEST_SCRIPT] } }];
    const query = ((list.request as { url: PostmanUrl }).url.query ?? []).find((q) => q.key === 'limit');
    if (query) query.disabled = true;
    edited.variable = (edited.variable ?? []).map((v) => (v.key === 'baseUrl' ? { ...v, value: url } : v));
    await writeFile(file, JSON.stringify(edited, null, '\t'));

    version = 2;
    const result = await engine.syncNow('petstore');
    say(`the API changed: ${result.changes.map((c) => c.text).join('; ')}`);
    const collection = JSON.parse(await readFile(file, 'utf8')) as PostmanCollection;
    const after = (collection.item[0] as PostmanFolder).item as PostmanItem[];
    const listed = after.find((i) => i.id === 'listPets');
    const limit = ((listed?.request as { url: PostmanUrl }).url.query ?? []).find((q) => q.key === 'limit');
    say(`requests: ${after.map((i) => i.name).join(', ')}`);
    say(`your test script survived: ${listed?.event?.[0]?.script?.exec?.[0] === EXAMPLE_TEST_SCRIPT ? 'yes' : 'no'}`);
    say(`limit stays unchecked: ${limit?.disabled === true ? 'yes' : 'no'}`);
    say(`run it: npx newman@6.2.2 run ${file}`);
    return { file, url, collection, lines };
  } finally {
    await engine.stopSync();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runExample(process.argv[2]);
}
