/**
 * The source adapter contract: where the **remote** document comes from.
 *
 * A source returns either raw bytes (the engine loads, validates and hashes
 * them through `src/document`) or an already-parsed document, or says the
 * document has not changed since the validators it was given.
 *
 * @module
 */

/** What a source remembers between fetches to avoid re-downloading an unchanged document. */
export interface FetchValidators {
  /** HTTP `ETag` of the last fetched response. */
  etag?: string;
  /** HTTP `Last-Modified` of the last fetched response. */
  lastModified?: string;
  /** Canonical hash of the last loaded document (see `canonicalHash`). */
  contentHash?: string;
  /** File sources: modification time, size and content hash of the last read, as `mtimeMs:size:sha256`. */
  fileStamp?: string;
}

/** What the engine hands to {@link SpecSource.fetch}. */
export interface SourceFetchContext {
  /** Validators saved after the last successful fetch of this binding; empty on the first. */
  readonly validators: Readonly<FetchValidators>;
  /** Aborted when the engine stops or the job is cancelled. Sources must honour it. */
  readonly signal: AbortSignal;
}

/** The source saw nothing new: the run ends as `spec:unchanged` before any parsing. */
export interface NotModifiedResult {
  kind: 'not-modified';
  /** Refreshed validators, if the peer sent new ones. */
  validators?: FetchValidators;
}

/** Raw bytes of a document, JSON or YAML; the engine's loader parses and validates them. */
export interface RawResult {
  kind: 'raw';
  body: string | Uint8Array;
  /** The `Content-Type` the peer declared, when there is one. */
  contentType?: string;
  /** Validators to remember for the next fetch. */
  validators?: FetchValidators;
  /** Where the document came from (URL or file path), for messages and events. */
  location?: string;
  /** The byte limit the source read under; the engine loads the body with the same limit (default 50 MB). */
  maxBytes?: number;
  /** The source was told to keep `$ref`s to URLs (never fetched); the engine's loader keeps them too. */
  allowRemoteRefs?: boolean;
}

/** An already-parsed document (function and memory sources, multi-file documents). It is still validated and hashed. */
export interface DocumentResult {
  kind: 'document';
  document: unknown;
  validators?: FetchValidators;
  location?: string;
  /** The source was told to keep `$ref`s to URLs (never fetched); the engine's loader keeps them too. */
  allowRemoteRefs?: boolean;
}

/** Everything {@link SpecSource.fetch} may return. */
export type SourceFetchResult = NotModifiedResult | RawResult | DocumentResult;

/**
 * A source adapter. Implement `fetch`; implement `watch` when the source can
 * tell the engine that something changed (file watchers); implement `close`
 * when it holds resources.
 */
export interface SpecSource {
  /** A short name of the adapter kind, e.g. `"file"`, `"http"`, `"function"`. */
  readonly kind: string;
  /** Where it reads from, for messages (never containing secrets). */
  readonly location?: string;
  /** Produce the remote document, or say it has not changed. Throw a `SourceError` on failure. */
  fetch(context: SourceFetchContext): Promise<SourceFetchResult>;
  /**
   * Start watching; call `onChange` whenever the document may have changed.
   * Returns a function that stops watching.
   */
  watch?(onChange: () => void): (() => void | Promise<void>) | Promise<() => void | Promise<void>>;
  /** Release resources. Called when the binding is removed or the engine stops. */
  close?(): void | Promise<void>;
}
