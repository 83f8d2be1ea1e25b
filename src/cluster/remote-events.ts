/**
 * The queue's events, read only while this process waits on another one.
 *
 * A process learns that a job it queued ran on another worker (and what it
 * returned) from BullMQ's events stream. Reading that stream costs every
 * process one blocking read per handful of job events, for every job of the
 * deployment, whether or not it waits for any: with N workers, N reads per
 * sync. So the reader runs only while this process has something to learn:
 * `ensure()` starts it before a job is queued from here, positioned at the
 * stream's last entry as it was before the job existed (nothing about that
 * job can be missed), and it stops once nothing has waited for an idle period.
 * A worker that only runs its job schedulers' polls reads no events.
 *
 * @module
 */
import { QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** What the reader reports. */
export interface RemoteEventHandlers {
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
}

/** A lazily started `QueueEvents` reader; see the module comment. */
export class RemoteEvents {
  readonly #queue: string;
  readonly #prefix: string;
  readonly #client: () => Redis;
  readonly #handlers: RemoteEventHandlers;
  /** Whether this process still waits on another one (jobs it queued, callers of `run()`). */
  readonly #waiting: () => boolean;
  readonly #idleMs: number;
  #reader: { events: QueueEvents; client: Redis } | undefined;
  /** When `ensure()` was last called. */
  #usedAt = 0;
  #starting: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: {
    queue: string;
    prefix: string;
    client: () => Redis;
    handlers: RemoteEventHandlers;
    waiting: () => boolean;
    idleMs: number;
  }) {
    this.#queue = options.queue;
    this.#prefix = options.prefix;
    this.#client = options.client;
    this.#handlers = options.handlers;
    this.#waiting = options.waiting;
    this.#idleMs = options.idleMs;
  }

  /** Start the reader if it does not run; resolves once every event from now on will be read. */
  ensure(): Promise<void> {
    this.#usedAt = Date.now();
    if (this.#closed || this.#reader) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    const client = this.#client();
    let reader: QueueEvents | undefined;
    try {
      // The last entry before the job is queued: the reader starts after it, so it sees every event of the job.
      const last = (await client.xrevrange(`${this.#prefix}:${this.#queue}:events`, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      if (this.#closed) throw new Error('closed');
      reader = new QueueEvents(this.#queue, {
        connection: client as ConnectionOptions,
        prefix: this.#prefix,
        lastEventId: last[0]?.[0] ?? '0-0',
      });
      reader.on('error', () => undefined);
      reader.on('completed', ({ jobId, returnvalue }) => this.#handlers.completed(jobId, returnvalue as unknown));
      reader.on('failed', ({ jobId, failedReason }) => this.#handlers.failed(jobId, failedReason));
      await reader.waitUntilReady();
    } catch (error) {
      if (reader) void reader.close().catch(() => undefined);
      client.disconnect();
      if (this.#closed) return;
      throw error;
    }
    this.#reader = { events: reader, client };
    this.#timer ??= setInterval(() => this.#idle(), this.#idleMs);
    this.#timer.unref();
  }

  /** Stop the reader once nothing has waited on another process for the idle period. */
  #idle(): void {
    if (!this.#reader || this.#starting || this.#waiting() || Date.now() - this.#usedAt < this.#idleMs) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    void this.#stop();
  }

  async #stop(): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    if (!reader) return;
    await reader.events.close().catch(() => undefined);
    reader.client.disconnect();
  }

  /** Stop reading for good. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#starting?.catch(() => undefined);
    await this.#stop();
  }
}
