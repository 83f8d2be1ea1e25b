import { adapterFailure, ConfigError, SourceError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import type { SourceFetchContext, SourceFetchResult, SpecSource } from './types.js';

/**
 * A source whose document lives in memory and can be replaced with
 * {@link MemorySource.set}; watchers are told at once. It returns the
 * document as an object (the engine still validates and hashes it) with a
 * version tag as its ETag, so an unchanged document ends as `not-modified`
 * without any parsing. `fetch` hands out the object it holds (not a copy):
 * the engine's loader makes its own private copy, and so should any other
 * caller that means to change it.
 * Ideal for tests and for embedders who already hold the document.
 *
 * `Document` is the type of what it holds. By default anything: a source
 * holds what an API served, which may be Swagger 2.0 (upgraded on load) or
 * invalid (reported by the engine as a `SPEC_*` error), so a test can feed
 * it exactly that. Say `new MemorySource<OpenApiDocument>(doc)` to have the
 * compiler check every document you give it. It is never inferred from the
 * first document, so a later {@link MemorySource.set} may hold another shape.
 */
export class MemorySource<Document = unknown> implements SpecSource {
  /** {@inheritDoc SpecSource.kind} */
  readonly kind = 'memory';
  #document: Document | undefined;
  #failure: unknown;
  #fetches = 0;
  #version = 0;
  readonly #listeners = new Set<() => void>();

  constructor(document?: NoInfer<Document>) {
    this.#document = document;
  }

  /** How many times `fetch` was called. */
  get fetchCount(): number {
    return this.#fetches;
  }

  /** The current document. */
  get document(): Document | undefined {
    return this.#document;
  }

  /** Replace the document and notify watchers. */
  set(document: Document): void {
    this.#document = document;
    this.#failure = undefined;
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }

  /** Make every following fetch throw `error` (a `SyncError` or anything else) until {@link MemorySource.set} or `fail(undefined)`. */
  fail(error: unknown): void {
    this.#failure = error;
  }

  /** {@inheritDoc SpecSource.fetch} */
  async fetch(context: SourceFetchContext): Promise<SourceFetchResult> {
    this.#fetches += 1;
    context.signal.throwIfAborted();
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#document === undefined) {
      throw new SourceError('SOURCE_FAILED', 'The memory source holds no document yet.', {
        hint: 'Call `source.set(document)` first.',
        retryable: false,
      });
    }
    const etag = `memory-${this.#version}`;
    if (context.validators.etag === etag) return { kind: 'not-modified' };
    // No copy here: the engine's loader copies any object it is given before it keeps it.
    return { kind: 'document', document: this.#document as object, location: 'memory', validators: { etag } };
  }

  /** {@inheritDoc SpecSource.watch} */
  watch(onChange: () => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }
}

/** What a function source's function may return: a document, or raw JSON/YAML text. */
export type FunctionSourceResult = object | string | Uint8Array;

/** Options of {@link functionSource}. */
export interface FunctionSourceOptions {
  /** A name for messages. Default `"function"`. */
  name?: string;
}

const FUNCTION_SOURCE_KEYS = optionKeys<FunctionSourceOptions>()(['name']);

/**
 * A source that calls your function for the document:
 * `functionSource(async () => app.getOpenApiDocument())`. The function gets
 * the abort signal. Anything it throws that is not a `SyncError` becomes a
 * retryable `SOURCE_ADAPTER_FAILED` with `details.adapter` set to its `name`.
 */
export function functionSource(
  fn: (context: { signal: AbortSignal }) => FunctionSourceResult | Promise<FunctionSourceResult>,
  options: FunctionSourceOptions = {},
): SpecSource {
  if (typeof fn !== 'function') {
    throw new ConfigError(`Expected a function returning an OpenAPI document, got ${typeof fn}.`, { hint: 'Pass `async () => document`.' });
  }
  const name = checkOptions<FunctionSourceOptions>('functionSource options', options, FUNCTION_SOURCE_KEYS).name ?? 'function';
  return {
    kind: 'function',
    location: name,
    async fetch(context) {
      let value: FunctionSourceResult;
      try {
        value = await fn({ signal: context.signal });
      } catch (error) {
        throw context.signal.aborted
          ? context.signal.reason
          : adapterFailure('source', name, error, 'fetching', { hint: 'See the cause; the engine retries per its retry policy.' });
      }
      if (typeof value === 'string' || value instanceof Uint8Array) return { kind: 'raw', body: value, location: name };
      return { kind: 'document', document: value, location: name };
    },
  };
}
