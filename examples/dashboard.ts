/**
 * The review dashboard: a demo API on a real HTTP port, an engine that
 * syncs its OpenAPI document into a local file (breaking changes held for
 * review, conflicts left to a person with `manual()`), and
 * `createSyncHandler(engine, { dashboard: true })` serving the page.
 *
 *   npx tsx examples/dashboard.ts
 *
 * Open the printed URL and enter the printed token. The demo API changes
 * every 10 seconds: a new operation, then a breaking change the dashboard
 * holds for you to approve or dismiss. Edit the local file's summaries to
 * see conflicts to decide. Ctrl-C stops.
 */
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncEngine, httpSource, manual, openApiFileTarget } from 'api-live-sync';
import { bearerAuth, createSyncHandler } from 'api-live-sync/server';

/** The demo API's OpenAPI document; each `version` adds or changes something. */
export function ordersApi(version: number): Record<string, unknown> {
  const list: Record<string, unknown> = {
    operationId: 'listOrders',
    summary: 'List orders',
    description: 'Every order, newest first.',
    responses: { '200': { description: 'ok' } },
  };
  if (version >= 3) list['parameters'] = [{ name: 'tenant', in: 'query', required: true, schema: { type: 'string' } }];
  const paths: Record<string, unknown> = {
    '/orders': {
      get: list,
      ...(version >= 2
        ? { post: { operationId: 'createOrder', summary: 'Create an order', responses: { '201': { description: 'created' } } } }
        : {}),
    },
    '/orders/{id}': {
      get: {
        operationId: 'getOrder',
        summary: 'One order',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
  };
  return { openapi: '3.0.3', info: { title: 'Orders', version: String(version) }, paths };
}

/** Options of {@link startDashboardExample}. */
export interface DashboardExampleOptions {
  /** Where the local OpenAPI file goes. Default: a new temporary folder. */
  dir?: string;
  /** The bearer token the dashboard asks for. Default `dev-token`. */
  token?: string;
  /** Poll interval of the binding; `0` syncs only when asked. Default 2000. */
  pollMs?: number;
  /** Told the URLs. Default `console.log`. */
  log?: (line: string) => void;
}

/** A running demo. */
export interface DashboardExample {
  /** The dashboard page: `http://127.0.0.1:<port>/sync/`. */
  url: string;
  /** The handler's origin and base path: `http://127.0.0.1:<port>/sync`. */
  api: string;
  token: string;
  engine: SyncEngine;
  /** The local OpenAPI file the binding writes. */
  file: string;
  /** Change what the demo API serves. */
  setDocument(document: Record<string, unknown>): void;
  /** Stop the engine and both servers. */
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Start the demo API, the engine (first sync done) and the dashboard, each on 127.0.0.1 at a free port. */
export async function startDashboardExample(options: DashboardExampleOptions = {}): Promise<DashboardExample> {
  const log = options.log ?? console.log;
  const token = options.token ?? 'dev-token';
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'als-dashboard-')));
  const file = join(dir, 'orders.openapi.json');

  let document = ordersApi(1);
  const demo = http.createServer((req, res) => {
    if (req.url !== '/openapi.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  const demoOrigin = await listen(demo);

  const engine = new SyncEngine({ defaultIntervalMs: options.pollMs ?? 2000 });
  await engine.addSource({
    id: 'orders',
    source: httpSource({ url: `${demoOrigin}/openapi.json` }),
    target: openApiFileTarget({ path: file }),
    // Breaking changes wait for a person; conflicts too, for ten minutes (then the local value stays).
    policy: { holdOnBreaking: true },
    resolver: manual({ timeoutMs: 10 * 60 * 1000 }),
  });
  await engine.startSync();
  await engine.onIdle();

  // The page is public; every action (and every read of local values) needs the token.
  const handler = createSyncHandler(engine, { basePath: '/sync', auth: bearerAuth(token), dashboard: true });
  const server = http.createServer((req, res) => {
    void handler(req, res, () => {
      res.writeHead(302, { location: '/sync/' }).end();
    });
  });
  const origin = await listen(server);
  log(`dashboard: ${origin}/sync/`);
  log(`token:     ${token}`);
  log(`demo API:  ${demoOrigin}/openapi.json`);
  log(`local file: ${file}`);

  return {
    url: `${origin}/sync/`,
    api: `${origin}/sync`,
    token,
    engine,
    file,
    setDocument(next) {
      document = next;
    },
    async close() {
      handler.close();
      await engine.stopSync();
      for (const running of [server, demo]) {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
      }
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await startDashboardExample();
  let version = 1;
  const timer = setInterval(() => {
    version = (version % 3) + 1;
    app.setDocument(ordersApi(version));
  }, 10_000);
  console.log('Ctrl-C stops.');
  const stop = (): void => {
    clearInterval(timer);
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
