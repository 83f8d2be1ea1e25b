/**
 * Real loopback HTTP servers for the source tests: started on port 0,
 * closed (with every open connection) after each test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A running test server. */
export interface TestServer {
  readonly server: http.Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Every request seen, in order. */
  readonly requests: http.IncomingMessage[];
}

const open: http.Server[] = [];

afterEach(async () => {
  const servers = open.splice(0);
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Start a server on 127.0.0.1 with `handler`; it is closed after the test. */
export async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(server);
  const { port } = server.address() as AddressInfo;
  return { server, port, origin: `http://127.0.0.1:${port}`, requests };
}

/** A port that nothing listens on: bound, then released. Returns undefined when `wanted` is taken. */
export async function closedPort(wanted = 0): Promise<number | undefined> {
  const server = http.createServer();
  const port = await new Promise<number | undefined>((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(wanted, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  if (port !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Run `fn` and return what it threw (failing the test when it did not throw). */
export async function rejection(fn: () => Promise<unknown>): Promise<Record<string, unknown> & { code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Record<string, unknown> & { code?: string };
  }
  throw new Error('Expected the call to reject, but it resolved.');
}

/** A handler that streams `total` bytes (chunked, no length to refuse up front) until the client goes away. */
export interface EndlessBody {
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Bytes the server managed to hand to the socket. */
  written(): number;
  /** Resolves when the response closed (the client cut it, or it ended). */
  done: Promise<void>;
}

/** Serve a huge body in `chunk`s, honouring back-pressure, counting what was written. */
export function endlessBody(total: number, chunk: Buffer): EndlessBody {
  let written = 0;
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let stopped = false;
    res.on('close', () => {
      stopped = true;
      closed();
    });
    const pump = (): void => {
      while (!stopped && written < total) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!stopped) res.end();
    };
    pump();
  };
  return { handler, written: () => written, done };
}
