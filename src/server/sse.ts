/**
 * Server-Sent Events: one subscription to the engine, shared by every open
 * `/events` stream, attached when the first client connects and detached
 * when the last one leaves.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { syncEngineEventNames, type SyncEngineEventName, type SyncEngineEvents } from '../engine/index.js';
import { HttpError } from './http.js';
import type { SyncEventSource } from './types.js';

interface Client {
  res: ServerResponse;
  events: ReadonlySet<SyncEngineEventName> | undefined;
  heartbeat: ReturnType<typeof setInterval> | undefined;
  end: () => void;
}

/** Parse `?events=a,b`: undefined for all events; throws 400 for an unknown name. */
export function parseEventFilter(value: string | null): ReadonlySet<SyncEngineEventName> | undefined {
  if (value === null || value.trim() === '') return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !(syncEngineEventNames as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      'REQUEST_INVALID',
      `Unknown event name${unknown.length > 1 ? 's' : ''} in \`events\`: ${unknown.join(', ')}.`,
      {
        hint: `Use a comma-separated list of: ${syncEngineEventNames.join(', ')}.`,
      },
    );
  }
  return new Set(names as SyncEngineEventName[]);
}

/** Fans engine events out to `/events` streams. */
export class EventStreamHub {
  readonly #engine: SyncEventSource;
  readonly #heartbeatMs: number;
  readonly #maxBufferedBytes: number;
  readonly #clients = new Set<Client>();
  readonly #listeners = new Map<SyncEngineEventName, (payload: unknown) => void>();
  #sequence = 0;

  constructor(engine: SyncEventSource, options: { heartbeatMs: number; maxBufferedBytes: number }) {
    this.#engine = engine;
    this.#heartbeatMs = options.heartbeatMs;
    this.#maxBufferedBytes = options.maxBufferedBytes;
  }

  /** Open streams. */
  get size(): number {
    return this.#clients.size;
  }

  /** Start a stream on `res`; it lives until the client goes away or {@link EventStreamHub.closeAll}. */
  open(req: IncomingMessage, res: ServerResponse, events: ReadonlySet<SyncEngineEventName> | undefined): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    // Tell EventSource how soon to reconnect, and get the headers to the client now.
    res.write(`retry: 3000\n: connected\n\n`);
    const client: Client = {
      res,
      events,
      heartbeat: undefined,
      end: () => {
        if (!this.#clients.delete(client)) return;
        if (client.heartbeat !== undefined) clearInterval(client.heartbeat);
        req.off('close', client.end);
        res.off('close', client.end);
        res.off('error', client.end);
        if (!res.writableEnded) res.end();
        if (this.#clients.size === 0) this.#detach();
      },
    };
    if (this.#heartbeatMs > 0) {
      client.heartbeat = setInterval(() => this.#write(client, ': heartbeat\n\n'), this.#heartbeatMs);
      client.heartbeat.unref?.();
    }
    this.#clients.add(client);
    req.on('close', client.end);
    res.on('close', client.end);
    res.on('error', client.end);
    if (this.#clients.size === 1) this.#attach();
  }

  /** End every stream and detach from the engine. */
  closeAll(): void {
    for (const client of [...this.#clients]) client.end();
  }

  #write(client: Client, text: string): void {
    if (client.res.writableEnded || client.res.destroyed) {
      client.end();
      return;
    }
    client.res.write(text);
    // A client that stopped reading: drop it rather than buffer without bound.
    if (client.res.writableLength > this.#maxBufferedBytes) {
      client.end();
      client.res.destroy();
    }
  }

  #attach(): void {
    for (const name of syncEngineEventNames) {
      const listener = (payload: unknown): void => this.#broadcast(name, payload as SyncEngineEvents[typeof name]);
      this.#listeners.set(name, listener);
      this.#engine.on(name, listener);
    }
  }

  #detach(): void {
    for (const [name, listener] of this.#listeners) this.#engine.off(name, listener);
    this.#listeners.clear();
  }

  #broadcast(name: SyncEngineEventName, payload: unknown): void {
    this.#sequence += 1;
    let data: string;
    try {
      data = JSON.stringify(payload) ?? 'null';
    } catch {
      data = JSON.stringify({ unserialisable: true });
    }
    const frame = `id: ${this.#sequence}\nevent: ${name}\ndata: ${data}\n\n`;
    for (const client of [...this.#clients]) {
      if (client.events === undefined || client.events.has(name)) this.#write(client, frame);
    }
  }
}
