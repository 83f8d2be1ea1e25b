/**
 * The operations of an OpenAPI document: `METHOD /path` keys, path
 * templates, and a copy without some operations.
 *
 * @module
 */
import { isHttpMethod } from '../json/index.js';

/** A path with its parameter names blanked, so `/pets/{id}` and `/pets/{petId}` are the same endpoint (as oasdiff does). */
export function pathTemplateOf(path: string): string {
  return path.includes('{') ? path.replace(/\{[^}]*\}/g, '{}') : path;
}

/** The operations of a document as `METHOD /path` keys. */
export function operationKeys(document: unknown): Set<string> {
  const keys = new Set<string>();
  const paths = (document as { paths?: unknown } | undefined)?.paths;
  if (!paths || typeof paths !== 'object') return keys;
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!item || typeof item !== 'object') continue;
    for (const method of Object.keys(item)) if (isHttpMethod(method)) keys.add(`${method.toUpperCase()} ${path}`);
  }
  return keys;
}

/** A copy of an OpenAPI document without the given operations (`METHOD /path`); shares everything else. */
export function withoutOperations(document: Record<string, unknown>, drop: ReadonlySet<string>): Record<string, unknown> {
  if (drop.size === 0) return document;
  const paths = document.paths as Record<string, Record<string, unknown>> | undefined;
  if (!paths || typeof paths !== 'object') return document;
  let changed = false;
  const nextPaths: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') {
      nextPaths[path] = item;
      continue;
    }
    const kept = Object.entries(item).filter(([method]) => !(isHttpMethod(method) && drop.has(`${method.toUpperCase()} ${path}`)));
    if (kept.length === Object.keys(item).length) nextPaths[path] = item;
    else {
      changed = true;
      if (kept.some(([key]) => isHttpMethod(key))) nextPaths[path] = Object.fromEntries(kept);
    }
  }
  return changed ? { ...document, paths: nextPaths } : document;
}
