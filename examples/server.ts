/**
 * The engine over HTTP: `createSyncHandler` mounted under `/sync` on a plain
 * node:http server, next to a tiny page that shows the live event stream.
 *
 *   npx tsx examples/server.ts
 *
 * Then open the printed URL, or try:
 *
 *   curl http://127.0.0.1:<port>/sync/status
 *   curl -N http://127.0.0.1:<port>/sync/events
 *   curl -X POST -H 'authorization: Bearer dev-token' -H 'content-type: application/json' http://127.0.0.1:<port>/sync/sources/orders/sync
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { SyncEngine, type SyncStatus } from 'api-live-sync';
import { bearerAuth, createSyncHandler } from 'api-live-sync/server';
import { MemorySource, MemoryTarget } from 'api-live-sync/testing';

const TOKEN = 'dev-token';

const api = (version: number) => ({
  openapi: '3.0.3',
  info: { title: 'Orders', version: String(version) },
  paths: Object.fromEntries(
    Array.from({ length: version }, (_, i) => [
      `/orders${i === 0 ? '' : `/v${i}`}`,
      { get: { operationId: `listOrders${i}`, summary: `List orders (${i})`, responses: { '200': { description: 'ok' } } } },
    ]),
  ),
});

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>api-live-sync</title>
<h1>api-live-sync</h1>
<p>State: <b id="state">…</b></p>
<ol id="events"></ol>
<script>
  const state = document.getElementById('state');
  const list = document.getElementById('events');
  const refresh = () => fetch('sync/status').then((r) => r.json()).then((s) => { state.textContent = s.state + ', ' + s.bindings.length + ' binding(s)'; });
  const stream = new EventSource('sync/events?events=job:started,sync:applied,sync:held,job:failed');
  for (const name of ['job:started', 'sync:applied', 'sync:held', 'job:failed']) {
    stream.addEventListener(name, (e) => {
      const item = document.createElement('li');
      const data = JSON.parse(e.data);
      item.textContent = new Date(data.timestamp).toLocaleTimeString() + ' ' + name + ' ' + (data.sourceId ?? data.job?.sourceId ?? '');
      list.prepend(item);
      refresh();
    });
  }
  refresh();
</script>`;

/** A running example server. */
export interface ExampleServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  engine: SyncEngine;
  /** The fake API: `source.set(doc)` changes it. */
  source: MemorySource;
  /** Stop the engine, end the event streams and close the server. */
  close(): Promise<void>;
}

/** Start the engine and the server on 127.0.0.1 at a free port; `log` gets the URLs. */
export async function startExample(log: (line: string) => void = console.log): Promise<ExampleServer> {
  const engine = new SyncEngine({ defaultIntervalMs: 0 });
  const source = new MemorySource(api(1));
  await engine.addSource({ id: 'orders', source, target: new MemoryTarget() });
  await engine.startSync(); // runs the first sync of every binding
  await engine.onIdle();

  const handler = createSyncHandler(engine, {
    basePath: '/sync',
    // Every POST needs `authorization: Bearer dev-token` (and, like every POST, `content-type: application/json`).
    auth: bearerAuth(TOKEN),
    // The page's EventSource cannot send a token, so this loopback-only demo keeps /events, /held and
    // /conflicts open (the default protects them when `auth` is set). Only loopback Host names are answered.
    protectReads: false,
  });
  const server = http.createServer((req, res) => {
    void handler(req, res, () => {
      if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log(`page:    ${origin}/`);
  log(`status:  ${origin}/sync/status`);
  log(`metrics: ${origin}/sync/metrics`);
  log(`events:  ${origin}/sync/events`);
  log(`sync:    curl -X POST -H 'authorization: Bearer ${TOKEN}' -H 'content-type: application/json' ${origin}/sync/sources/orders/sync`);

  return {
    origin,
    engine,
    source,
    async close() {
      handler.close();
      await engine.stopSync();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Start the example, read `GET /sync/status` once, close, and return that JSON. */
export async function runExample(log: (line: string) => void = () => undefined): Promise<SyncStatus> {
  const app = await startExample(log);
  try {
    const response = await fetch(`${app.origin}/sync/status`);
    if (!response.ok) throw new Error(`GET /sync/status answered ${response.status}`);
    return (await response.json()) as SyncStatus;
  } finally {
    await app.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await startExample();
  // Change the fake API every 5 seconds so the page and `curl -N .../events` have something to show.
  let version = 1;
  const timer = setInterval(() => {
    version = (version % 4) + 1;
    app.source.set(api(version));
  }, 5000);
  console.log('Ctrl-C stops.');
  process.once('SIGINT', () => {
    clearInterval(timer);
    void app.close().then(() => process.exit(0));
  });
}
