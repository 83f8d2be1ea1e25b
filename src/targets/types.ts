/**
 * The target adapter contract: where the **local** working copy lives.
 *
 * @module
 */
import type { IdentityRule } from '../merge/types.js';

/** What the engine passes to every target call. */
export interface TargetContext {
  /** The binding being synced. */
  readonly bindingId: string;
  /** Aborted when the engine stops or the job is cancelled. */
  readonly signal: AbortSignal;
}

/**
 * A target adapter. `Local` is the shape of the working copy: an OpenAPI
 * document for OpenAPI targets, a collection for Hoppscotch.
 *
 * The engine renders the base and the remote document into the local shape,
 * reads the current local copy, merges the three, and writes the result.
 */
export interface SyncTarget<Local = unknown> {
  /** A short name of the adapter kind, e.g. `"memory"`, `"openapi-file"`, `"hoppscotch"`. */
  readonly kind: string;
  /** Where it writes, for messages. */
  readonly location?: string;
  /** Turn an OpenAPI document into the local shape. Must be pure and deterministic. */
  render(document: unknown, context: TargetContext): Local | Promise<Local>;
  /** The current local copy, or `undefined` when there is none yet. */
  read(context: TargetContext): Promise<Local | undefined>;
  /** Replace the local copy, atomically. Throw a `TargetError` when the value is invalid. */
  write(local: Local, context: TargetContext): Promise<void>;
  /** Identity rules for arrays of the local shape, used by the three-way merge. */
  readonly identityRules?: readonly IdentityRule[] | undefined;
  /** Release resources. */
  close?(): void | Promise<void>;
}
