import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server answers to one request. */
export interface FakeReply {
  status?: number;
  /** A JSON body; for 200 use {@link completion}. */
  body: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A request the fake server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  /** The raw body text, exactly as sent. */
  text: string;
  /** The parsed body. */
  json: { model: string; messages: { role: string; content: string }[]; response_format?: unknown; max_completion_tokens?: number };
}

/**
 * A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI chat
 * completions API (POST /v1/chat/completions) for the resolver tests.
 */
export class FakeOpenAI {
  readonly requests: ReceivedRequest[] = [];
  /** Decides each reply; replace per test. */
  reply: (request: ReceivedRequest) => FakeReply = () => ({ status: 500, body: { error: { message: 'no reply configured' } } });
  #server: Server;
  #timers = new Set<NodeJS.Timeout>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Start on a free port. */
  static async start(): Promise<FakeOpenAI> {
    const fake: FakeOpenAI = new FakeOpenAI(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
            response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
            return;
          }
          const received: ReceivedRequest = {
            method: request.method,
            url: request.url,
            text,
            json: JSON.parse(text) as ReceivedRequest['json'],
          };
          fake.requests.push(received);
          const { status = 200, body, delayMs = 0 } = fake.reply(received);
          const send = (): void => {
            if (response.destroyed) return;
            response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
          };
          if (delayMs === 0) send();
          else {
            const timer = setTimeout(() => {
              fake.#timers.delete(timer);
              send();
            }, delayMs);
            fake.#timers.add(timer);
          }
        });
      }),
    );
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL for the OpenAI client. */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** The conflicts sent in a request (the user message is their JSON). */
  static conflictsOf(
    request: ReceivedRequest,
  ): { path: string; hidden: boolean; local?: unknown; remote?: unknown; base?: unknown; absent: string[] }[] {
    const user = request.json.messages.find((message) => message.role === 'user');
    return (JSON.parse(user?.content ?? '{}') as { conflicts: [] }).conflicts;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A chat.completion response carrying `content`. */
export function completion(content: string, totalTokens = 100): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_764_000_000,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: totalTokens - 10, completion_tokens: 10, total_tokens: totalTokens },
  };
}

/** A chat.completion whose content is `{ decisions }` in the resolver's schema. */
export function decisions(
  items: { path: string; take: string; value_json?: string | null; reason?: string }[],
  totalTokens = 100,
): unknown {
  return completion(
    JSON.stringify({ decisions: items.map((item) => ({ value_json: null, reason: 'model says so', ...item })) }),
    totalTokens,
  );
}
