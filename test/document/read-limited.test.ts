import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../src/errors.js';
import { readLimited } from '../../src/document/index.js';

describe('readLimited', () => {
  it('reads a stream of buffers and strings into one buffer', async () => {
    const body = await readLimited(Readable.from([Buffer.from('ab'), 'cd', new Uint8Array([0x65])]), 10);
    expect(body.toString()).toBe('abcde');
  });

  it('stops an endless stream as soon as it crosses the limit, and destroys it', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024, 0x61));
      },
    });
    const error = await readLimited(endless, 10_000).catch((caught: unknown) => caught);
    expect(isSyncError(error) && error.code).toBe('SOURCE_TOO_LARGE');
    expect(isSyncError(error) && error.retryable).toBe(false);
    expect(produced).toBeLessThan(200_000);
    expect(endless.destroyed).toBe(true);
  });

  it('accepts a body exactly at the limit', async () => {
    expect((await readLimited(Readable.from([Buffer.alloc(100)]), 100)).byteLength).toBe(100);
  });

  it('reads a web ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
        controller.enqueue(new TextEncoder().encode('1}'));
        controller.close();
      },
    });
    expect((await readLimited(stream, 100)).toString()).toBe('{"a":1}');
  });

  it('rejects with the abort reason when the signal aborts mid-read, and when it was aborted before', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push('partial');
    const controller = new AbortController();
    const reading = readLimited(stalled, 1000, controller.signal);
    const reason = new Error('stop now');
    setImmediate(() => controller.abort(reason));
    await expect(reading).rejects.toBe(reason);
    expect(stalled.destroyed).toBe(true);
    await expect(readLimited(Readable.from(['x']), 10, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('refuses an object-mode stream with a typed error', async () => {
    const error = await readLimited(Readable.from([{ not: 'bytes' }]) as never, 100).catch((caught: unknown) => caught);
    expect(isSyncError(error) && error.code).toBe('SOURCE_FAILED');
  });
});
