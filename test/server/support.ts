/**
 * Helpers for the server tests: a real loopback server per test (closed,
 * with every connection, afterwards), a small Server-Sent Events client over
 * node:http, and a recording webhook receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { JobError, SyncEngine, type SyncEngineOptions } from '../../src/index.js';
import type { SyncHandler, SyncHandlerEngine } from '../../src/server/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server listening on 127.0.0.1 at a free port. */
export interface Running {
  server: http.Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
}

/** Serve `listener` on 127.0.0.1:0 until the end of the test. */
export async function listen(listener: http.RequestListener): Promise<Running> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Serve a sync handler; its SSE streams are closed before the server. */
export async function serveHandler(handler: SyncHandler): Promise<Running> {
  // Passed as is: the handler is a node:http request listener.
  const running = await listen(handler);
  cleanups.push(() => handler.close());
  return running;
}

/** An engine with one binding `pets` over a MemorySource, already synced once. */
export async function petsEngine(options: SyncEngineOptions = {}, operations = 2) {
  const engine = new SyncEngine(options);
  const source = new MemorySource(petstore(operations));
  const target = new MemoryTarget<Record<string, unknown>>();
  await engine.addSource({ id: 'pets', source, target });
  await engine.syncNow('pets');
  cleanups.push(() => engine.stopSync());
  return { engine, source, target };
}

/** One call of the recording approve/dismiss/rollback of {@link withRails}. */
export type Call = [method: 'approve' | 'dismiss' | 'rollback', ...args: unknown[]];

/** A real engine plus the approve/dismiss/rollback methods, recording their calls. */
export function withRails(engine: SyncEngine): { wrapped: SyncHandlerEngine; calls: Call[] } {
  const calls: Call[] = [];
  const wrapped: SyncHandlerEngine = {
    getSyncStatus: () => engine.getSyncStatus(),
    toPrometheusText: () => engine.toPrometheusText(),
    syncNow: (id) => engine.syncNow(id),
    resolveConflicts: (jobId, decisions) => engine.resolveConflicts(jobId, decisions),
    on: (event, listener) => engine.on(event, listener),
    off: (event, listener) => engine.off(event, listener),
    getHeldSyncs: () => engine.getHeldSyncs(),
    getPendingDecisions: () => engine.getPendingDecisions(),
    approve: async (jobId) => {
      calls.push(['approve', jobId]);
      if (jobId === 'job-missing') throw new JobError('JOB_NOT_FOUND', `No held job "${jobId}".`, { hint: 'See GET /status.' });
      return { jobId, outcome: 'applied' };
    },
    dismiss: async (jobId) => {
      calls.push(['dismiss', jobId]);
      return undefined;
    },
    rollback: async (...args: [string, string?, { force?: boolean }?]) => {
      calls.push(['rollback', ...args]);
      return { sourceId: args[0], journalId: 'journal-7' };
    },
  };
  return { wrapped, calls };
}

/** One parsed SSE frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comments: string[];
}

/** A Server-Sent Events client over node:http, recording every frame. */
export class SseClient {
  readonly frames: SseFrame[] = [];
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  readonly #request: http.ClientRequest;
  readonly #waiters: Array<{ test: (frame: SseFrame) => boolean; resolve: (frame: SseFrame) => void }> = [];
  #buffer = '';

  private constructor(request: http.ClientRequest, response: http.IncomingMessage) {
    this.#request = request;
    this.status = response.statusCode ?? 0;
    this.headers = response.headers;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.#push(chunk));
    this.ended = new Promise((resolve) => {
      response.on('end', resolve);
      response.on('close', resolve);
      response.on('error', () => resolve());
    });
  }

  /** Connect; resolves with the client once the response headers arrived. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) =>
        resolve(new SseClient(request, response)),
      );
      request.on('error', reject);
    });
  }

  /** Frames that carry an event. */
  get events(): SseFrame[] {
    return this.frames.filter((f) => f.event !== undefined);
  }

  /** The first frame (already seen or still to come) that passes `test`. */
  waitFor(test: (frame: SseFrame) => boolean): Promise<SseFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  /** Wait for the next event frame named `name`. */
  waitForEvent(name: string): Promise<SseFrame> {
    return this.waitFor((f) => f.event === name);
  }

  /** Go away, as a browser tab closing would. */
  close(): void {
    this.#request.destroy();
  }

  #push(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const frame: SseFrame = { comments: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          frame.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
        if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
      }
      this.frames.push(frame);
      for (const waiter of [...this.#waiters]) {
        if (waiter.test(frame)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    }
  }
}

/** One request a receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as sent. */
  body: string;
}

/**
 * A webhook receiver answering each request with the next status of
 * `statuses` (the last one repeats); `hold` lets a test delay the answers.
 */
export async function receiver(
  statuses: Array<number | { status: number; headers: Record<string, string> }> = [200],
  hold?: () => Promise<void>,
) {
  const received: Received[] = [];
  const running = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      if (hold) await hold();
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  return { ...running, url: `${running.origin}/hooks`, received };
}

/** Raw HTTP request with full control over headers and body (fetch would add its own). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
