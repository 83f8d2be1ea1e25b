import { SourceError } from '../errors.js';

/** The default byte limit of the loader and the built-in sources: 50 MB. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Read a stream (a Node `Readable`, a web `ReadableStream` body, or any async
 * iterable of chunks) into one buffer, enforcing `maxBytes` **while** reading:
 * the chunk that crosses the limit stops the read, the stream is destroyed
 * and a `SourceError` with code `SOURCE_TOO_LARGE` is thrown, so an endless or
 * huge body never sits in memory. An aborted `signal` stops the read the same
 * way and rejects with the signal's reason.
 *
 * @example
 * ```ts
 * const body = await readLimited(response.body, 50 * 1024 * 1024, signal);
 * ```
 */
export async function readLimited(
  stream: AsyncIterable<Uint8Array | string>,
  maxBytes: number = DEFAULT_MAX_BYTES,
  signal?: AbortSignal,
  location?: string,
): Promise<Buffer> {
  signal?.throwIfAborted();
  const chunks: Buffer[] = [];
  let total = 0;
  const iterator = stream[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted =
    signal === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        });
  // The abort promise may reject after the read has finished; nobody needs that rejection.
  aborted?.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const step = aborted === undefined ? await iterator.next() : await Promise.race([iterator.next(), aborted]);
      if (step.done === true) {
        finished = true;
        break;
      }
      const value: unknown = step.value;
      if (typeof value !== 'string' && !ArrayBuffer.isView(value)) {
        throw new SourceError(
          'SOURCE_FAILED',
          `Expected the body${location === undefined ? '' : ` from ${location}`} to be a stream of bytes or strings, got a chunk of type ${value === null ? 'null' : typeof value}.`,
          {
            retryable: false,
            hint: 'Pass a byte stream (not an object-mode stream) to readLimited.',
          },
        );
      }
      const chunk = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new SourceError(
          'SOURCE_TOO_LARGE',
          `The document${location === undefined ? '' : ` from ${location}`} is larger than the limit of ${maxBytes} bytes (read ${total} bytes so far, then stopped).`,
          {
            retryable: false,
            hint: 'Raise `maxBytes` if the document really is that large, or check that the source serves the OpenAPI document and not something else.',
            details: { maxBytes, bytesRead: total, ...(location === undefined ? {} : { location }) },
          },
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    if (!finished) stop(stream, iterator);
  }
}

/** Release a stream that we stopped reading early. */
function stop(stream: AsyncIterable<Uint8Array | string>, iterator: AsyncIterator<Uint8Array | string>): void {
  // Ending the iterator releases a web stream's lock and destroys a Node stream.
  void Promise.resolve()
    .then(() => iterator.return?.())
    .catch(() => undefined);
  const destroyable = stream as { destroy?: (error?: Error) => void };
  if (typeof destroyable.destroy === 'function') destroyable.destroy();
}
