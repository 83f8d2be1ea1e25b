/**
 * Types of the spec loader.
 *
 * @module
 */

/** The OpenAPI version family of a loaded document, before any upgrade. */
export type SpecVersion = '2.0' | '3.0' | '3.1';

/** Limits and switches of {@link loadSpec}. Every field is optional; defaults are listed. */
export interface LoadOptions {
  /** Refuse inputs larger than this many bytes (`SOURCE_TOO_LARGE`). Default 50 MB. */
  maxBytes?: number;
  /** Refuse documents nested deeper than this many objects and arrays (`SPEC_TOO_DEEP`). Default 256. */
  maxDepth?: number;
  /**
   * YAML only: how many alias expansions (`*name`) are allowed before the
   * input is refused as an alias bomb (`SPEC_ALIAS_LIMIT`). Default 100, the
   * `yaml` package's own default; `-1` disables the check.
   */
  maxAliasCount?: number;
  /**
   * Allow `$ref`s that leave the document: `http:`/`https:` URLs and relative
   * file references such as `other.yaml#/Pet`. They are kept as written,
   * never fetched. Default false: such a reference is refused (`SPEC_REMOTE_REF`).
   */
  allowRemoteRefs?: boolean;
  /**
   * Accept a document whose `paths` object is empty (and that has no
   * webhooks). Default false: a server that has not registered its routes yet
   * often serves exactly that, and syncing it would delete every request.
   */
  allowEmptyPaths?: boolean;
  /** Where the input came from, for messages. */
  location?: string;
  /** The declared content type, used to pick JSON or YAML first. */
  contentType?: string;
}

/** A loaded, validated OpenAPI 3.x document. */
export interface LoadedSpec {
  /** The document; Swagger 2.0 inputs are upgraded to OpenAPI 3.0. */
  document: Record<string, unknown>;
  /** Canonical hash of `document`. */
  hash: string;
  /** The version of the input as received (`'2.0'` for an upgraded Swagger document). */
  sourceVersion: SpecVersion;
  /** How the input arrived. */
  format: 'json' | 'yaml' | 'object';
  /** Things that are wrong but tolerated, one sentence each. */
  warnings: string[];
}
