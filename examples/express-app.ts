/**
 * The engine inside an Express 5 app: the app keeps its own OpenAPI document
 * beside its routes, a `functionSource` hands that document to the engine,
 * and `createSyncHandler` is mounted under `/sync` next to the app's own
 * routes. Each sync writes the app's document into a local OpenAPI file,
 * keeping whatever a person edited in that file.
 *
 *   npx tsx examples/express-app.ts
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { SyncEngine, functionSource, openApiFileTarget, type SyncResult, type SyncStatus } from 'api-live-sync';
import { bearerAuth, createSyncHandler } from 'api-live-sync/server';

type Operation = { operationId: string; summary: string; description?: string; responses: Record<string, { description: string }> };
type OpenApiDocument = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

/** The token every state-changing `/sync` request needs (`authorization: Bearer <token>`). */
export const SYNC_TOKEN = 'express-example-token';

/** A running example app. */
export interface ExpressExample {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  engine: SyncEngine;
  /** The local OpenAPI file the engine writes. */
  file: string;
  /** The app's own OpenAPI document (the engine's source). */
  spec: OpenApiDocument;
  /** Register `GET /pets/:id` on the app and in its document, as a code change would. */
  addGetPet(): void;
  /** End the event streams, stop the engine and close the server. */
  close(): Promise<void>;
}

/** Start the app on 127.0.0.1 at a free port; the local OpenAPI file goes to `dir` (default a new temporary folder). */
export async function startExpressExample(dir?: string): Promise<ExpressExample> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'als-express-')));
  const file = join(folder, 'pets.openapi.json');
  const pets = [
    { id: '1', name: 'Rex' },
    { id: '2', name: 'Tom' },
  ];

  // The app's own document, kept next to its routes (a real app would generate it).
  const spec: OpenApiDocument = {
    openapi: '3.0.3',
    info: { title: 'Pets (Express)', version: '1.0.0' },
    paths: { '/pets': { get: { operationId: 'listPets', summary: 'List pets', responses: { '200': { description: 'All pets' } } } } },
  };

  const engine = new SyncEngine({ defaultIntervalMs: 0 });
  await engine.addSource({
    id: 'app',
    // The engine reads the live object on every sync; a copy, so later edits of `spec` are seen as a new document.
    source: functionSource(() => structuredClone(spec), { name: 'express-app-spec' }),
    target: openApiFileTarget({ path: file }),
  });

  const app = express();
  app.use(express.json()); // optional: the handler uses req.body when it is there
  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  app.get('/pets', (_req, res) => {
    res.json(pets);
  });
  // Express strips the mount path from req.url, so the handler keeps basePath ''.
  const handler = createSyncHandler(engine, { auth: bearerAuth(SYNC_TOKEN) });
  app.use('/sync', handler);
  // Unknown /sync paths reach here through next(), like any other unknown path.
  app.use((_req, res) => {
    res.status(404).json({ error: 'no such route in the pets app' });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    engine,
    file,
    spec,
    addGetPet() {
      app.get('/pets/:id', (req, res) => {
        const pet = pets.find((p) => p.id === req.params.id);
        if (pet) res.json(pet);
        else res.status(404).json({ error: 'no such pet' });
      });
      spec.paths['/pets/{id}'] = {
        get: {
          operationId: 'getPet',
          summary: 'Get a pet',
          responses: { '200': { description: 'A pet' }, '404': { description: 'No such pet' } },
        },
      };
      spec.info.version = '1.1.0';
    },
    async close() {
      handler.close();
      await engine.stopSync();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** What {@link runExample} saw. */
export interface ExpressExampleReport {
  /** `POST /sync/sources/app/sync` without the token. */
  unauthorizedStatus: number;
  /** The first sync (creates the local file). */
  first: SyncResult;
  /** The sync after the app gained `GET /pets/{id}`. */
  second: SyncResult;
  /** `GET /sync/status` at the end. */
  status: SyncStatus;
  /** The app's own route, served beside the handler. */
  pets: unknown;
  /** An unknown path under `/sync`: the handler called next(), so the app's own 404 answered. */
  unknownSyncPath: { status: number; body: unknown };
  /** The local OpenAPI file at the end. */
  file: OpenApiDocument;
}

/**
 * Start the app, sync its document into a local file, edit the file as a
 * person would, add a route to the app, sync again, read `GET /sync/status`,
 * close; returns what it saw.
 */
export async function runExample(options: { dir?: string; log?: (line: string) => void } = {}): Promise<ExpressExampleReport> {
  const log = options.log ?? (() => undefined);
  const example = await startExpressExample(options.dir);
  const post = (path: string, token?: string): Promise<Response> =>
    // Every POST declares a JSON body (an empty one here): the handler refuses any other content type.
    fetch(`${example.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    });
  const json = async <T>(response: Response): Promise<T> => {
    if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  try {
    log(`app:    ${example.origin}/pets`);
    log(`status: ${example.origin}/sync/status`);
    log(`file:   ${example.file}`);

    const unauthorizedStatus = (await post('/sync/sources/app/sync')).status;
    log(`POST /sync/sources/app/sync without the token: ${unauthorizedStatus}`);

    const first = await json<SyncResult>(await post('/sync/sources/app/sync', SYNC_TOKEN));
    log(`first sync: ${first.outcome}, ${first.changes.length} change(s), written: ${first.written}`);

    // A person documents GET /pets in the local file.
    const local = JSON.parse(await readFile(example.file, 'utf8')) as OpenApiDocument;
    local.paths['/pets']!.get!.description = 'Sorted by name. (added by hand)';
    await writeFile(example.file, `${JSON.stringify(local, null, 2)}\n`);

    // The code gains a route; its document says so.
    example.addGetPet();
    const second = await json<SyncResult>(await post('/sync/sources/app/sync', SYNC_TOKEN));
    log(`after adding GET /pets/{id}: ${second.outcome}, ${second.changes.length} change(s), written: ${second.written}`);

    const status = await json<SyncStatus>(await fetch(`${example.origin}/sync/status`));
    log(`status: ${status.state}, bindings: ${status.bindings.map((b) => `${b.id} (${b.lastResult?.outcome ?? 'never'})`).join(', ')}`);
    const pets = await json<unknown>(await fetch(`${example.origin}/pets`));
    const unknown = await fetch(`${example.origin}/sync/nope`);
    const unknownSyncPath = { status: unknown.status, body: (await unknown.json()) as unknown };
    const file = JSON.parse(await readFile(example.file, 'utf8')) as OpenApiDocument;
    log(
      `local file paths: ${Object.keys(file.paths).join(', ')}; hand-written description kept: ${file.paths['/pets']?.get?.description === local.paths['/pets']?.get?.description ? 'yes' : 'no'}`,
    );
    return { unauthorizedStatus, first, second, status, pets, unknownSyncPath, file };
  } finally {
    await example.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runExample({ log: (line) => console.log(line) });
}
