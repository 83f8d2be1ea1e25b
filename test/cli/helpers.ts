/** Helpers of the CLI tests: run the real program as a child process, serve documents over real HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
/** The CLI entry point, run through tsx as the issue asks (`node --import tsx src/cli/main.ts`). */
export const MAIN = join(root, 'src/cli/main.ts');
/** tsx resolved from the repository, so children can run in any working directory. */
const TSX = import.meta.resolve('tsx');

/** What a finished child process produced. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start the CLI; the caller waits with {@link finished}. */
export function startCli(args: readonly string[], cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collect a child's output until it exits. */
export function finished(child: ChildProcess, timeoutMs = 40_000): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Run the CLI to completion. */
export function cli(args: readonly string[], cwd: string): Promise<CliRun> {
  return finished(startCli(args, cwd));
}

/** Wait until `predicate` holds of the text a stream produced so far. */
export function waitForOutput(stream: NodeJS.ReadableStream, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let text = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`Timed out waiting for output; got:\n${text}`));
    }, timeoutMs);
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (predicate(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolvePromise(text);
      }
    };
    stream.on('data', onData);
  });
}

/** A temporary folder, removed by `dispose`. */
export function tempDir(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'als-cli-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real node:http server on 127.0.0.1 serving one OpenAPI document at /openapi.json. */
export interface DocServer {
  url: string;
  base: string;
  /** Replace the served document. */
  set(document: unknown): void;
  /** Requests served so far. */
  requests: number;
  close(): Promise<void>;
}

/** Start a {@link DocServer}. */
export async function serveDocument(document: unknown): Promise<DocServer> {
  let body = JSON.stringify(document);
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    if (req.url === '/openapi.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"detail":"Not Found"}');
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/openapi.json`,
    base,
    set(next) {
      body = JSON.stringify(next);
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A small OpenAPI 3.0 document with the given GET paths (operationIds from the path). */
export function api(paths: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const path of paths) {
    const id = path.replace(/[^a-z]+/gi, '_').replace(/^_|_$/g, '') || 'root';
    result[path] = {
      get: {
        operationId: `get_${id}`,
        summary: `Get ${path}`,
        responses: { '200': { description: 'ok' } },
      },
    };
  }
  return { openapi: '3.0.3', info: { title: 'Test API', version: '1.0.0' }, paths: { ...result, ...extra } };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
