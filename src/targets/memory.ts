import type { IdentityRule } from '../merge/index.js';
import { reconcileOpenApiDocument } from './openapi-removal.js';
import type { ReconcileInfo, SyncTarget, TargetContext } from './types.js';

/** Options of {@link MemoryTarget}. */
export interface MemoryTargetOptions<Local> {
  /** The starting local copy; omitted means none yet. */
  initial?: Local;
  /**
   * How to render an OpenAPI document into the local shape. Default: the
   * document itself, and then the binding's removal policy applies to it as
   * on an OpenAPI file (see {@link reconcileOpenApiDocument}); with your own
   * render, the shape is yours and the merge result is kept as it is.
   */
  render?: (document: unknown) => Local;
  /** Identity rules for the merge. */
  identityRules?: readonly IdentityRule[];
}

/**
 * A target that keeps the local copy in memory. Values are copied in and
 * out, so tests can edit `target.value` as a user would edit a file.
 */
export class MemoryTarget<Local = unknown> implements SyncTarget<Local> {
  /** {@inheritDoc SyncTarget.kind} */
  readonly kind = 'memory';
  /** {@inheritDoc SyncTarget.identityRules} */
  readonly identityRules: readonly IdentityRule[] | undefined;
  #value: Local | undefined;
  #writes = 0;
  readonly #render: (document: unknown) => Local;
  /** Whether the local copy is an OpenAPI document (no custom render). */
  readonly #openApi: boolean;

  constructor(options: MemoryTargetOptions<Local> = {}) {
    this.#value = options.initial === undefined ? undefined : structuredClone(options.initial);
    this.#render = options.render ?? ((document) => document as Local);
    this.#openApi = options.render === undefined;
    this.identityRules = options.identityRules;
  }

  /** A copy of the current local value, `undefined` when none. */
  get value(): Local | undefined {
    return this.#value === undefined ? undefined : structuredClone(this.#value);
  }

  /** Replace the local value, as a user edit would. */
  set value(next: Local | undefined) {
    this.#value = next === undefined ? undefined : structuredClone(next);
  }

  /** How many times the engine wrote. */
  get writeCount(): number {
    return this.#writes;
  }

  /** {@inheritDoc SyncTarget.render} */
  render(document: unknown): Local {
    return this.#render(document);
  }

  /** {@inheritDoc SyncTarget.read} */
  async read(): Promise<Local | undefined> {
    return this.value;
  }

  /** The removal policy on an OpenAPI local copy (see {@link MemoryTargetOptions.render}); any other shape as merged. */
  reconcile(merged: Local, info: ReconcileInfo<Local>): Local {
    if (!this.#openApi || merged === null || typeof merged !== 'object') return merged;
    return reconcileOpenApiDocument(merged as Record<string, unknown>, info as unknown as ReconcileInfo<Record<string, unknown>>) as Local;
  }

  /** {@inheritDoc SyncTarget.write} */
  async write(local: Local, context: TargetContext): Promise<void> {
    context.signal.throwIfAborted();
    this.#writes += 1;
    this.#value = structuredClone(local);
  }
}
