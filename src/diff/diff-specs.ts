/**
 * `diffSpecs`: the semantic change list between two OpenAPI 3.x documents.
 *
 * @module
 */
import { ConfigError, SpecError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { ChangeSink } from './emit.js';
import {
  diffOperation,
  diffSecurity,
  diffStringSet,
  indexOperations,
  operationUnchanged,
  templateOf,
  type OperationEntry,
} from './operations.js';
import { detectMoves } from './rename.js';
import { isObj, pointer, RefResolver, type Obj } from './resolve.js';
import { RULES } from './rules.js';
import { Unchanged } from './same.js';
import { SchemaDiffer } from './schema.js';
import type { ChangeLevel, DiffOptions, SpecChange } from './types.js';

const RANK: Record<ChangeLevel, number> = { info: 0, warning: 1, breaking: 2 };

const DIFF_KEYS = optionKeys<DiffOptions>()(['detectRenames', 'renameThreshold', 'minLevel', 'levels']);

/**
 * The semantic changes from `base` to `remote`, two OpenAPI 3.x documents
 * as plain objects (`$ref`s as written; internal refs are followed). Rule
 * ids and levels follow oasdiff where the meaning is the same; see
 * docs/diff.md for the table and the documented differences.
 *
 * The order is stable: document-level changes first, then by operation
 * (path, then method), then by rule id and pointer.
 *
 * @throws {SpecError} `SPEC_NOT_OPENAPI` when either side is not an object with an `openapi` 3.x version.
 * @throws {ConfigError} `CONFIG_INVALID` for options out of range or unknown rule ids in `levels`.
 *
 * @example
 * ```ts
 * const changes = diffSpecs(base, remote);
 * const breaking = changes.filter((c) => c.level === 'breaking');
 * ```
 */
export function diffSpecs(base: unknown, remote: unknown, options: DiffOptions = {}): SpecChange[] {
  checkOptions('diffSpecs options', options, DIFF_KEYS);
  const b = checkDocument(base, 'base');
  const r = checkDocument(remote, 'remote');
  const threshold = options.renameThreshold ?? 0.7;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new ConfigError(`Expected \`renameThreshold\` to be a number from 0 to 1, got \`${String(threshold)}\` (${typeof threshold})`, {
      hint: 'Pass a confidence between 0 and 1, or leave it out for the default 0.7.',
    });
  }
  const minLevel = options.minLevel ?? 'info';
  if (!Object.hasOwn(RANK, minLevel)) {
    throw new ConfigError(`Expected \`minLevel\` to be 'info', 'warning' or 'breaking', got \`${String(minLevel)}\``, {
      hint: 'Use one of the three change levels.',
    });
  }

  for (const [id, level] of Object.entries(options.levels ?? {})) {
    if (!RULES.has(id)) {
      throw new ConfigError(`Expected \`levels\` to name known rule ids, got \`${id}\``, {
        hint: 'listRules() returns every rule id diffSpecs can report.',
        details: { rule: id },
      });
    }
    if (!Object.hasOwn(RANK, level)) {
      throw new ConfigError(`Expected the level of \`${id}\` to be 'info', 'warning' or 'breaking', got \`${String(level)}\``, {
        hint: 'Use one of the three change levels.',
        details: { rule: id },
      });
    }
  }

  const baseRefs = new RefResolver(b);
  const remoteRefs = new RefResolver(r);
  const sink = new ChangeSink(options.levels);
  const unchanged = new Unchanged(baseRefs, remoteRefs);
  const schemas = new SchemaDiffer(baseRefs, remoteRefs, unchanged);
  const ctx = { sink, schemas, unchanged, base: baseRefs, remote: remoteRefs };

  diffDocument(b, r, sink);

  const before = indexOperations(b, baseRefs);
  const after = indexOperations(r, remoteRefs);
  const remoteTemplates = new Set([...after.values()].map((e) => e.template));
  const remotePathTemplates = pathTemplates(r);
  const removed: OperationEntry[] = [];
  const added: OperationEntry[] = [];
  const removalOf = new Map<OperationEntry, SpecChange>();
  const additionOf = new Map<OperationEntry, SpecChange>();

  for (const [key, entry] of before) {
    const next = after.get(key);
    if (next !== undefined) {
      if (!operationUnchanged(entry, next, ctx)) diffOperation(entry, next, ctx);
      continue;
    }
    removed.push(entry);
    const pathGone = !remotePathTemplates.has(entry.template) && !remoteTemplates.has(entry.template);
    const deprecated = entry.operation.deprecated === true;
    const id = `api${pathGone ? '-path' : ''}-removed-${deprecated ? 'with' : 'without'}-deprecation`;
    const change = sink.add(
      id,
      { operation: entry.label, path: entry.pointer },
      `${entry.label} was removed${pathGone ? ' with its path' : ''}${deprecated ? ' after deprecation' : ' without deprecation'}`,
    );
    if (change !== undefined) removalOf.set(entry, change);
  }
  for (const [key, entry] of after) {
    if (before.has(key)) continue;
    added.push(entry);
    const change = sink.add('endpoint-added', { operation: entry.label, path: entry.pointer }, `${entry.label} was added`);
    if (change !== undefined) additionOf.set(entry, change);
  }

  if (options.detectRenames !== false && removed.length > 0 && added.length > 0) {
    for (const move of detectMoves(removed, added, baseRefs, remoteRefs, schemas, threshold)) {
      const details = { from: move.from.label, to: move.to.label, confidence: move.confidence, reason: move.reason };
      sink.add(
        'endpoint-moved',
        { operation: move.to.label, path: move.to.pointer, details },
        `${move.from.label} moved to ${move.to.label} (${move.reason}, confidence ${move.confidence})`,
      );
      const removal = removalOf.get(move.from);
      if (removal !== undefined) removal.details = { ...removal.details, movedTo: move.to.label };
      const addition = additionOf.get(move.to);
      if (addition !== undefined) addition.details = { ...addition.details, movedFrom: move.from.label };
    }
  }

  const floor = RANK[minLevel];
  return sortChanges(sink.changes.filter((c) => RANK[c.level] >= floor));
}

function checkDocument(value: unknown, side: 'base' | 'remote'): Obj {
  const version = isObj(value) ? value.openapi : undefined;
  if (!isObj(value) || typeof version !== 'string' || !version.startsWith('3.')) {
    const got = !isObj(value)
      ? value === null
        ? 'null'
        : Array.isArray(value)
          ? 'an array'
          : typeof value
      : `an object with openapi ${JSON.stringify(version)}`;
    throw new SpecError('SPEC_NOT_OPENAPI', `Expected the ${side} document to be an OpenAPI 3.x object, got ${got}`, {
      hint: 'Load documents with loadSpec() first: it parses JSON/YAML and upgrades Swagger 2.0 to OpenAPI 3.0.',
      details: { side },
    });
  }
  return value;
}

function pathTemplates(doc: Obj): Set<string> {
  const out = new Set<string>();
  if (isObj(doc.paths)) for (const path of Object.keys(doc.paths)) out.add(templateOf(path));
  return out;
}

/** Document-level changes: servers, global security, components, webhooks. */
function diffDocument(b: Obj, r: Obj, sink: ChangeSink): void {
  diffStringSet(serverUrls(b), serverUrls(r), (url, added) =>
    sink.add(
      added ? 'api-server-added' : 'api-server-removed',
      { path: '/servers', details: { url } },
      `server \`${url}\` was ${added ? 'added' : 'removed'}`,
    ),
  );
  diffSecurity(b.security, r.security, { path: '/security' }, 'api-global', sink);
  const components = (doc: Obj, key: string): string[] => {
    const c = isObj(doc.components) ? doc.components[key] : undefined;
    return isObj(c) ? Object.keys(c) : [];
  };
  diffStringSet(components(b, 'schemas'), components(r, 'schemas'), (name, added) => {
    if (!added)
      sink.add(
        'api-schema-removed',
        { path: pointer('components', 'schemas', name), details: { schema: name } },
        `schema \`${name}\` was removed from components`,
      );
  });
  diffStringSet(components(b, 'securitySchemes'), components(r, 'securitySchemes'), (name, added) =>
    sink.add(
      added ? 'api-security-component-added' : 'api-security-component-removed',
      { path: pointer('components', 'securitySchemes', name), details: { scheme: name } },
      `security scheme \`${name}\` was ${added ? 'added to' : 'removed from'} components`,
    ),
  );
  const hooks = (doc: Obj): string[] => (isObj(doc.webhooks) ? Object.keys(doc.webhooks) : []);
  diffStringSet(hooks(b), hooks(r), (name, added) =>
    sink.add(
      added ? 'webhook-added' : 'webhook-removed',
      { path: pointer('webhooks', name), details: { webhook: name } },
      `webhook \`${name}\` was ${added ? 'added' : 'removed'}`,
    ),
  );
}

function serverUrls(doc: Obj): string[] {
  if (!Array.isArray(doc.servers)) return [];
  return doc.servers.filter(isObj).flatMap((s) => (typeof s.url === 'string' ? [s.url] : []));
}

const METHOD_ORDER = new Map(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'].map((m, i) => [m, i]));

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortChanges(changes: SpecChange[]): SpecChange[] {
  // Rank the distinct operations once by path, then method; equal ranks for equal (path, method).
  const labels = new Set<string>();
  for (const c of changes) if (c.operation !== undefined) labels.add(c.operation);
  const operations = [...labels].map((op) => {
    const space = op.indexOf(' ');
    return { op, path: op.slice(space + 1), method: METHOD_ORDER.get(op.slice(0, space)) ?? -1 };
  });
  operations.sort((x, y) => compare(x.path, y.path) || x.method - y.method);
  const rank = new Map<string, number>();
  operations.forEach((o, i) => {
    const prev = operations[i - 1];
    rank.set(o.op, prev !== undefined && prev.path === o.path && prev.method === o.method ? (rank.get(prev.op) as number) : i + 1);
  });
  const keyed = changes.map((change, index) => ({
    change,
    index,
    rank: change.operation === undefined ? 0 : (rank.get(change.operation) as number),
  }));
  keyed.sort(
    (x, y) =>
      x.rank - y.rank ||
      compare(x.change.id, y.change.id) ||
      compare(x.change.path, y.change.path) ||
      compare(x.change.text, y.change.text) ||
      x.index - y.index,
  );
  return keyed.map((k) => k.change);
}
