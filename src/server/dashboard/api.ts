/**
 * The dashboard's way to the handler: JSON requests with the token it was
 * given, and the event stream read over `fetch` (an `EventSource` cannot
 * send the `authorization` header), reconnecting after a drop.
 */

/** An error answer of the handler: `{ error: { code, message, hint } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(status: number, code: string, message: string, hint?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

const TOKEN_KEY = 'api-live-sync:dashboard-token';

/** The token, kept in the tab's session storage (gone when the tab closes). */
export const tokenStore = {
  get: (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = tokenStore.get();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `HTTP ${response.status}`, error?.hint);
  }
  return body as T;
}

/** `GET <path>` (relative to the page) as JSON. */
export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: headers(), cache: 'no-store' }));
}

/** `POST <path>` with a JSON body, as every action of the API takes it. */
export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return answer<T>(
    await fetch(path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) }),
  );
}

/** What the stream tells its owner. */
export interface StreamCallbacks {
  /** Connected (again): time to catch up from `/status`. */
  onOpen(): void;
  /** One engine event. */
  onEvent(name: string, data: unknown): void;
  /** Disconnected; `retryMs` until the next attempt, or undefined when it waits for a token. */
  onClose(reason: string, retryMs: number | undefined): void;
}

/** Split a buffer into complete SSE frames; returns the rest. */
function frames(buffer: string, emit: (event: string, data: string) => void): string {
  let end: number;
  while ((end = buffer.indexOf('\n\n')) >= 0) {
    let event = '';
    const data: string[] = [];
    for (const line of buffer.slice(0, end).split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== '' && data.length > 0) emit(event, data.join('\n'));
    buffer = buffer.slice(end + 2);
  }
  return buffer;
}

/**
 * Read `/events` until `stop()`; after a drop, reconnect with a growing
 * delay (1 s doubling to 15 s), and call `onOpen` on every connection so the
 * owner re-reads `/status` for what it missed. A `401`, or `ready()`
 * false (no token yet), stops until `restart()` (a new token).
 */
export function openEventStream(path: string, ready: () => boolean, callbacks: StreamCallbacks): { stop(): void; restart(): void } {
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1000;
  let stopped = false;
  // Each connection has a number; a connection replaced by restart() goes quiet.
  let generation = 0;

  const schedule = (mine: number, reason: string): void => {
    if (stopped || mine !== generation) return;
    callbacks.onClose(reason, delay);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 15_000);
  };

  const connect = async (): Promise<void> => {
    const mine = ++generation;
    if (!ready()) {
      callbacks.onClose('no token', undefined);
      return;
    }
    controller = new AbortController();
    try {
      const response = await fetch(path, {
        headers: headers({ accept: 'text/event-stream' }),
        signal: controller.signal,
        cache: 'no-store',
      });
      if (mine !== generation) return;
      if (response.status === 401) {
        callbacks.onClose('unauthorized', undefined);
        return;
      }
      if (!response.ok || response.body === null) {
        schedule(mine, `HTTP ${response.status}`);
        return;
      }
      delay = 1000;
      callbacks.onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (mine !== generation) return;
        buffer = frames(buffer + value.replace(/\r\n?/g, '\n'), (event, data) => callbacks.onEvent(event, JSON.parse(data)));
      }
      schedule(mine, 'the server ended the stream');
    } catch (error) {
      schedule(mine, error instanceof Error ? error.message : String(error));
    }
  };

  void connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
    restart() {
      clearTimeout(timer);
      generation += 1;
      controller?.abort();
      delay = 1000;
      void connect();
    },
  };
}
