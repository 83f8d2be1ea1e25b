/**
 * The removal policy on a local copy that is an OpenAPI document (the
 * OpenAPI file target, `MemoryTarget`): each operation upstream removed is
 * decided on its own ({@link removedUpstream}), kept ones are marked
 * `deprecated: true` with an `x-api-live-sync-removed` note, and the mark
 * comes off when the operation returns upstream.
 *
 * @module
 */
import { pathTemplateOf as templateOf } from '../document/index.js';
import { HTTP_METHODS, isHttpMethod, isRecord, jsonEqual } from '../json/index.js';
import { removedUpstream } from './removal.js';
import type { ReconcileInfo } from './types.js';

/** The extension an operation kept after upstream removed it carries (see {@link OpenApiRemovedMark}). */
export const OPENAPI_REMOVED_KEY = 'x-api-live-sync-removed';

/**
 * The value of `x-api-live-sync-removed` on an operation upstream removed
 * that the removal policy kept, e.g.
 * `x-api-live-sync-removed: { at: 2026-02-02T03:04:05.000Z, policy: deprecate, setDeprecated: true }`.
 */
export interface OpenApiRemovedMark {
  /** When the sync that found the operation gone ran (ISO 8601, the engine's clock); absent when reconcile was given no time. */
  at?: string;
  /** The policy that kept it: `deprecate`, or `remove` (kept because the user had edited it). */
  policy: 'remove' | 'deprecate';
  /** `true` when the engine set `deprecated: true` (the operation was not deprecated before): it is taken off again when the operation returns. */
  setDeprecated?: true;
}

type Json = Record<string, unknown>;

/** One operation in a document: where it is and the path item around it. */
interface OperationAt {
  readonly path: string;
  readonly method: string;
  readonly operation: Json;
  readonly item: Json;
}

/** The operations of a document by `METHOD template` (`GET /pets/{}`), the first of a template winning. */
function operationsOf(document: unknown): Map<string, OperationAt> {
  const out = new Map<string, OperationAt>();
  const paths = isRecord(document) ? document.paths : undefined;
  if (!isRecord(paths)) return out;
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    const template = templateOf(path);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      const key = `${method.toUpperCase()} ${template}`;
      if (!out.has(key)) out.set(key, { path, method, operation, item });
    }
  }
  return out;
}

/** Whether two path items have the same fields of their own (everything but the operations). */
function sameOwnFields(a: Json, b: Json): boolean {
  const own = (item: Json) => Object.entries(item).filter(([key]) => !isHttpMethod(key));
  const left = own(a);
  const right = own(b);
  return left.length === right.length && left.every(([key, value]) => Object.hasOwn(b, key) && jsonEqual(value, b[key]));
}

/** Whether an operation carries the engine's removal mark. */
export function isRemovedMark(operation: unknown): boolean {
  return isRecord(operation) && isRecord(operation[OPENAPI_REMOVED_KEY]);
}

function mark(operation: Json, policy: 'remove' | 'deprecate', at: string | undefined): Json {
  if (isRemovedMark(operation)) return operation;
  const note: OpenApiRemovedMark = {
    ...(at === undefined ? {} : { at }),
    policy,
    ...(operation.deprecated === true ? {} : { setDeprecated: true as const }),
  };
  return { ...operation, deprecated: true, [OPENAPI_REMOVED_KEY]: note };
}

/** The operation without the engine's mark; `deprecated` follows upstream when the engine had set it. */
function unmark(operation: Json, upstream: Json): Json {
  const note = operation[OPENAPI_REMOVED_KEY] as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(operation)) {
    if (key === OPENAPI_REMOVED_KEY) continue;
    if (key === 'deprecated' && note.setDeprecated === true) {
      if (Object.hasOwn(upstream, 'deprecated')) out.deprecated = upstream.deprecated;
      continue;
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Apply the removal policy to a merged OpenAPI document (pure; frozen
 * inputs welcome, nothing is changed in place):
 *
 * - an operation upstream removed (by method and path template; one the
 *   binding's lasting decisions took out is not) that the local copy still
 *   has: `remove` drops it unless the user edited it (then it stays,
 *   marked); `deprecate` keeps it marked; `keep` keeps it as it is. Each method of a path item is decided on its own. An edit of the
 *   path item's own fields (`summary`, `parameters`, …) of a path upstream
 *   removed counts as an edit of each of its operations, so it is never
 *   dropped silently; those fields stay while an operation of the path does;
 * - marked: `deprecated: true` and `x-api-live-sync-removed` (when it
 *   was, and whether the engine set `deprecated`);
 * - a marked operation that is back upstream loses the mark, and the
 *   `deprecated: true` the engine had added (upstream's own stays).
 */
export function reconcileOpenApiDocument(merged: Json, info: ReconcileInfo<Json>): Json {
  if (!isRecord(merged)) return merged;
  const base = info.base === undefined ? undefined : operationsOf(info.base);
  const local = info.local === undefined ? undefined : operationsOf(info.local);
  const remote = operationsOf(info.remote);
  const upstream = info.upstream === undefined ? remote : operationsOf(info.upstream);
  const current = operationsOf(merged);
  const upstreamPaths = (info.upstream ?? info.remote).paths;
  const upstreamTemplates = new Set(isRecord(upstreamPaths) ? Object.keys(upstreamPaths).map(templateOf) : []);
  // An operation's own edit, or an edit of its path item's own fields on a path upstream removed (they would go with it).
  const edited = (before: OperationAt, now: OperationAt): boolean =>
    !jsonEqual(before.operation, now.operation) ||
    (!upstreamTemplates.has(templateOf(before.path)) && !sameOwnFields(before.item, now.item));
  const at = info.now !== undefined && Number.isFinite(info.now) ? new Date(info.now).toISOString() : undefined;

  /** Per path: method → the operation to write there (`undefined` removes it). */
  const edits = new Map<string, Map<string, Json | undefined>>();
  const edit = (path: string, method: string, operation: Json | undefined) => {
    const methods = edits.get(path) ?? new Map<string, Json | undefined>();
    methods.set(method, operation);
    edits.set(path, methods);
  };
  /** Path items the merge let go that a kept operation brings back: their local path item. */
  const revived = new Map<string, Json>();
  const mergedPaths: Json = isRecord(merged.paths) ? merged.paths : {};

  for (const removed of removedUpstream({ base, local, remote: upstream, merged: current }, info.removal, edited)) {
    const { kept, action } = removed;
    if (action === 'drop') {
      if (removed.merged !== undefined) edit(removed.merged.path, removed.merged.method, undefined);
      continue;
    }
    const operation = action === 'mark' ? mark(kept.operation, info.removal === 'remove' ? 'remove' : 'deprecate', at) : kept.operation;
    if (removed.merged !== undefined) {
      if (operation !== removed.merged.operation) edit(removed.merged.path, removed.merged.method, operation);
      continue;
    }
    if (!(Object.hasOwn(mergedPaths, kept.path) && isRecord(mergedPaths[kept.path]))) revived.set(kept.path, kept.item);
    edit(kept.path, kept.method, operation);
  }
  // Back upstream: the mark goes.
  for (const [key, entry] of current) {
    const returned = remote.get(key);
    if (returned !== undefined && isRemovedMark(entry.operation) && !isRemovedMark(returned.operation))
      edit(entry.path, entry.method, unmark(entry.operation, returned.operation));
  }
  if (edits.size === 0) return merged;

  const paths: Array<[string, unknown]> = [];
  for (const [path, item] of Object.entries(mergedPaths)) {
    const methods = edits.get(path);
    if (methods === undefined || !isRecord(item)) paths.push([path, item]);
    else {
      const next = applyEdits(item, methods, true);
      if (next !== undefined) paths.push([path, next]);
    }
  }
  const localPaths = isRecord(info.local?.paths) ? Object.keys(info.local.paths) : [];
  for (const path of localPaths) {
    const item = revived.get(path);
    const next = item === undefined ? undefined : applyEdits(item, edits.get(path) as Map<string, Json | undefined>, false);
    if (next !== undefined) paths.push([path, next]);
  }
  return { ...merged, paths: Object.fromEntries(paths) };
}

/**
 * A path item with its operations replaced, removed or added per `methods`;
 * with `others` false, the operations `methods` does not name are left out.
 * `undefined` when no operation is left of one that had some.
 */
function applyEdits(item: Json, methods: ReadonlyMap<string, Json | undefined>, others: boolean): Json | undefined {
  const out: Array<[string, unknown]> = [];
  let had = false;
  let has = false;
  for (const [key, value] of Object.entries(item)) {
    if (!isHttpMethod(key)) out.push([key, value]);
    else {
      had = true;
      const next = methods.has(key) ? methods.get(key) : others ? value : undefined;
      if (next !== undefined) {
        out.push([key, next]);
        has = true;
      }
    }
  }
  for (const [method, operation] of methods) {
    if (operation === undefined || Object.hasOwn(item, method)) continue;
    out.push([method, operation]);
    has = true;
  }
  return had && !has ? undefined : Object.fromEntries(out);
}
