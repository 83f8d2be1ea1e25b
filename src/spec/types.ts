/**
 * Types of the spec loader.
 *
 * @module
 */

/** The OpenAPI version family of a loaded document, before any upgrade. */
export type SpecVersion = '2.0' | '3.0' | '3.1';

/** Limits and switches of {@link loadSpec}. */
export interface LoadOptions {
  /** Refuse inputs larger than this many bytes. Default 50 MB. */
  maxBytes?: number;
  /** Refuse documents nested deeper than this. Default 256. */
  maxDepth?: number;
  /** Allow `$ref`s that point at remote URLs. Default false. */
  allowRemoteRefs?: boolean;
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
  /** The version of the input as received. */
  sourceVersion: SpecVersion;
  /** How the input arrived. */
  format: 'json' | 'yaml' | 'object';
  /** Things that are wrong but tolerated. */
  warnings: string[];
}
