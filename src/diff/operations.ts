/**
 * Operations: indexing a document's operations by key, and comparing one
 * operation present on both sides (parameters, request body, responses,
 * security, tags, operationId, deprecation).
 *
 * @module
 */
import { pathTemplateOf } from '../document/index.js';
import { HTTP_METHODS } from '../json/index.js';
import type { ChangeSink, Where } from './emit.js';
import { escapeSegment as escape, isObj, pointer, type Obj, type RefResolver } from './resolve.js';
import type { Unchanged } from './same.js';
import type { SchemaDiffer } from './schema.js';

/** The HTTP methods of a path item, in the order OpenAPI lists them. */
export const METHODS = HTTP_METHODS;

/** One operation of a document. */
export interface OperationEntry {
  /** Lower-case method. */
  method: string;
  /** The path template as written. */
  path: string;
  /** The path template with parameter names blanked: `/pets/{}`. */
  template: string;
  /** `METHOD /path` as shown in changes. */
  label: string;
  /** The resolved path item. */
  pathItem: Obj;
  /** The operation object. */
  operation: Obj;
  /** JSON Pointer of the operation. */
  pointer: string;
}

/** A parameter with the pointer where it is declared. */
interface ParameterEntry {
  value: Obj;
  raw: unknown;
  pointer: string;
}

/** Blank parameter names, so `/pets/{id}` and `/pets/{petId}` are the same endpoint (as oasdiff does). */
export const templateOf = pathTemplateOf;

/** Every operation of a document, keyed by `METHOD template`. */
export function indexOperations(doc: Obj, resolver: RefResolver): Map<string, OperationEntry> {
  const out = new Map<string, OperationEntry>();
  const paths = isObj(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const pathItem = resolver.deref(rawItem);
    if (!isObj(pathItem)) continue;
    const template = templateOf(path);
    const at = `/paths/${escape(path)}/`;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObj(operation)) continue;
      const upper = method.toUpperCase();
      const key = `${upper} ${template}`;
      if (out.has(key)) continue;
      out.set(key, { method, path, template, label: `${upper} ${path}`, pathItem, operation, pointer: at + method });
    }
  }
  return out;
}

/** Path-level and operation-level parameters merged (the operation wins), keyed by `in:name`. */
export function parametersOf(entry: OperationEntry, resolver: RefResolver): Map<string, ParameterEntry> {
  const out = new Map<string, ParameterEntry>();
  if (Array.isArray(entry.pathItem.parameters)) addParameters(out, entry.pathItem.parameters, pointer('paths', entry.path), resolver);
  addParameters(out, entry.operation.parameters, entry.pointer, resolver);
  return out;
}

function addParameters(out: Map<string, ParameterEntry>, list: unknown, base: string, resolver: RefResolver): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const raw: unknown = list[i];
    const value = resolver.deref(raw);
    if (!isObj(value) || typeof value.name !== 'string' || typeof value.in !== 'string') continue;
    out.set(`${value.in}:${value.name}`, { value, raw, pointer: `${base}/parameters/${i}` });
  }
}

/** The schema of a parameter: `schema`, or the schema of its first `content` entry. */
function parameterSchema(parameter: Obj): unknown {
  if (parameter.schema !== undefined) return parameter.schema;
  if (isObj(parameter.content)) {
    const first = Object.values(parameter.content)[0];
    if (isObj(first)) return first.schema;
  }
  return undefined;
}

/** Everything one comparison needs. */
export interface OperationContext {
  sink: ChangeSink;
  schemas: SchemaDiffer;
  unchanged: Unchanged;
  base: RefResolver;
  remote: RefResolver;
}

/** Compare an operation present in both documents. */
export function diffOperation(b: OperationEntry, r: OperationEntry, ctx: OperationContext): void {
  const { sink } = ctx;
  const op = r.label;
  const bo = b.operation;
  const ro = r.operation;

  if (bo.deprecated !== true && ro.deprecated === true) {
    const sunset = ro['x-sunset'];
    sink.add(
      sunset === undefined ? 'endpoint-deprecated' : 'endpoint-deprecated-with-sunset',
      { operation: op, path: `${r.pointer}/deprecated`, ...(sunset === undefined ? {} : { details: { sunset } }) },
      `${op} was deprecated${sunset === undefined ? '' : ` (sunset ${String(sunset)})`}`,
    );
  }
  if (bo.deprecated === true && ro.deprecated !== true) {
    sink.add('endpoint-reactivated', { operation: op, path: r.pointer }, `${op} is no longer deprecated`);
  }

  const bId = typeof bo.operationId === 'string' ? bo.operationId : undefined;
  const rId = typeof ro.operationId === 'string' ? ro.operationId : undefined;
  if (bId !== undefined && bId !== rId) {
    sink.add(
      'api-operation-id-removed',
      { operation: op, path: `${r.pointer}/operationId`, details: { from: bId, to: rId ?? null } },
      rId === undefined ? `${op}: operationId \`${bId}\` was removed` : `${op}: operationId \`${bId}\` was replaced by \`${rId}\``,
    );
  } else if (bId === undefined && rId !== undefined) {
    sink.add(
      'api-operation-id-added',
      { operation: op, path: `${r.pointer}/operationId`, details: { to: rId } },
      `${op}: operationId \`${rId}\` was added`,
    );
  }

  diffStringSet(stringList(bo.tags), stringList(ro.tags), (tag, added) =>
    sink.add(
      added ? 'api-tag-added' : 'api-tag-removed',
      { operation: op, path: `${added ? r.pointer : b.pointer}/tags`, details: { tag } },
      `${op}: tag \`${tag}\` was ${added ? 'added' : 'removed'}`,
    ),
  );

  diffSecurity(bo.security, ro.security, { operation: op, path: `${r.pointer}/security` }, 'api', sink);
  diffParameters(b, r, ctx);
  diffRequestBody(b, r, ctx);
  diffResponses(b, r, ctx);
}

/**
 * True when nothing {@link diffOperation} reads differs between the two
 * operations (descriptions, examples and extensions aside), so comparing
 * them could only report nothing. Reads what diffOperation reads: keep the
 * two in step.
 */
export function operationUnchanged(b: OperationEntry, r: OperationEntry, ctx: OperationContext): boolean {
  const bo = b.operation;
  const ro = r.operation;
  const same = ctx.unchanged;
  return (
    (bo.deprecated === true) === (ro.deprecated === true) &&
    same.value(bo['x-sunset'], ro['x-sunset']) &&
    same.value(bo.operationId, ro.operationId) &&
    same.value(bo.tags, ro.tags) &&
    same.value(bo.security, ro.security) &&
    parametersUnchanged(b.pathItem.parameters, r.pathItem.parameters, ctx) &&
    parametersUnchanged(bo.parameters, ro.parameters, ctx) &&
    requestBodyUnchanged(bo.requestBody, ro.requestBody, ctx) &&
    responsesUnchanged(bo.responses, ro.responses, ctx)
  );
}

/** Two parameter lists, entry by entry, as {@link parametersOf} and diffParameters read them. */
function parametersUnchanged(before: unknown, after: unknown, ctx: OperationContext): boolean {
  if (!Array.isArray(before) || !Array.isArray(after)) return !Array.isArray(before) && !Array.isArray(after);
  if (before.length !== after.length) return false;
  for (let i = 0; i < before.length; i++) {
    const b = ctx.base.deref(before[i]);
    const r = ctx.remote.deref(after[i]);
    if (!isObj(b) || !isObj(r)) {
      if (isObj(b) || isObj(r)) return false;
      continue;
    }
    if (
      b.name !== r.name ||
      b.in !== r.in ||
      (b.required === true) !== (r.required === true) ||
      (b.deprecated === true) !== (r.deprecated === true)
    )
      return false;
    if (!ctx.unchanged.schema(parameterSchema(b), parameterSchema(r))) return false;
  }
  return true;
}

function requestBodyUnchanged(before: unknown, after: unknown, ctx: OperationContext): boolean {
  const b = ctx.base.deref(before);
  const r = ctx.remote.deref(after);
  if (!isObj(b) || !isObj(r)) return isObj(b) === isObj(r);
  return (b.required === true) === (r.required === true) && contentUnchanged(content(b), content(r), ctx);
}

function responsesUnchanged(before: unknown, after: unknown, ctx: OperationContext): boolean {
  const bResponses = isObj(before) ? before : {};
  const rResponses = isObj(after) ? after : {};
  if (!sameKeys(bResponses, rResponses)) return false;
  for (const status of Object.keys(bResponses)) {
    const b = ctx.base.deref(bResponses[status]);
    const r = ctx.remote.deref(rResponses[status]);
    if (!isObj(b) || !isObj(r)) {
      if (isObj(b) || isObj(r)) return false;
      continue;
    }
    if (!contentUnchanged(content(b), content(r), ctx)) return false;
    const bHeaders = isObj(b.headers) ? b.headers : {};
    const rHeaders = isObj(r.headers) ? r.headers : {};
    if (!sameKeys(bHeaders, rHeaders)) return false;
    for (const name of Object.keys(bHeaders)) {
      const bHeader = ctx.base.deref(bHeaders[name]);
      const rHeader = ctx.remote.deref(rHeaders[name]);
      if ((isObj(bHeader) && bHeader.required === true) !== (isObj(rHeader) && rHeader.required === true)) return false;
    }
  }
  return true;
}

/** The media types of a request body or response: the same ones, with unchanged schemas. */
function contentUnchanged(before: Obj, after: Obj, ctx: OperationContext): boolean {
  if (!sameKeys(before, after)) return false;
  for (const mediaType of Object.keys(before)) {
    const b = before[mediaType];
    const r = after[mediaType];
    if (!isObj(b) || !isObj(r)) {
      if (isObj(b) || isObj(r)) return false;
      continue;
    }
    if (!ctx.unchanged.schema(b.schema, r.schema)) return false;
  }
  return true;
}

/** The same own keys, in any order. */
function sameKeys(a: Obj, b: Obj): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue;
    if (!Object.hasOwn(b, key)) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count--;
  return count === 0;
}

function diffParameters(b: OperationEntry, r: OperationEntry, ctx: OperationContext): void {
  const { sink } = ctx;
  const op = r.label;
  const before = parametersOf(b, ctx.base);
  const after = parametersOf(r, ctx.remote);
  for (const [key, p] of after) {
    if (before.has(key)) continue;
    const details = { in: p.value.in, name: p.value.name };
    const required = p.value.required === true;
    sink.add(
      required ? 'new-required-request-parameter' : 'new-optional-request-parameter',
      { operation: op, path: p.pointer, details },
      `${op}: new ${required ? 'required' : 'optional'} ${String(p.value.in)} parameter \`${String(p.value.name)}\``,
    );
  }
  for (const [key, p] of before) {
    if (after.has(key)) continue;
    const deprecated = p.value.deprecated === true;
    sink.add(
      deprecated ? 'request-parameter-removed-with-deprecation' : 'request-parameter-removed',
      { operation: op, path: p.pointer, details: { in: p.value.in, name: p.value.name } },
      `${op}: ${String(p.value.in)} parameter \`${String(p.value.name)}\` was removed${deprecated ? ' after deprecation' : ''}`,
    );
  }
  for (const [key, p] of after) {
    const old = before.get(key);
    if (old === undefined) continue;
    const wasRequired = old.value.required === true;
    const isRequired = p.value.required === true;
    const wasDeprecated = old.value.deprecated === true;
    const isDeprecated = p.value.deprecated === true;
    const changes = ctx.schemas.diff(parameterSchema(old.value), parameterSchema(p.value));
    if (wasRequired === isRequired && wasDeprecated === isDeprecated && changes.length === 0) continue;
    const subject = `${op}: ${String(p.value.in)} parameter \`${String(p.value.name)}\``;
    const where: Where = { operation: op, path: p.pointer, details: { in: p.value.in, name: p.value.name } };
    if (wasRequired !== isRequired) {
      sink.add(
        isRequired ? 'request-parameter-became-required' : 'request-parameter-became-optional',
        where,
        `${subject} became ${isRequired ? 'required' : 'optional'}`,
      );
    }
    if (!wasDeprecated && isDeprecated) sink.add('request-parameter-deprecated', where, `${subject} was deprecated`);
    if (wasDeprecated && !isDeprecated) sink.add('request-parameter-reactivated', where, `${subject} is no longer deprecated`);
    sink.schema('parameter', changes, { ...where, path: `${p.pointer}/schema` }, subject);
  }
}

function content(value: Obj): Obj {
  return isObj(value.content) ? value.content : {};
}

function diffRequestBody(b: OperationEntry, r: OperationEntry, ctx: OperationContext): void {
  const { sink } = ctx;
  const op = r.label;
  const before = ctx.base.deref(b.operation.requestBody);
  const after = ctx.remote.deref(r.operation.requestBody);
  const path = `${r.pointer}/requestBody`;
  if (!isObj(before) && !isObj(after)) return;
  if (!isObj(before) && isObj(after)) {
    const required = after.required === true;
    sink.add(
      required ? 'request-body-added-required' : 'request-body-added-optional',
      { operation: op, path },
      `${op}: a ${required ? 'required' : 'optional'} request body was added`,
    );
    return;
  }
  if (isObj(before) && !isObj(after)) {
    sink.add('request-body-removed', { operation: op, path: `${b.pointer}/requestBody` }, `${op}: the request body was removed`);
    return;
  }
  if (!isObj(before) || !isObj(after)) return;
  const wasRequired = before.required === true;
  const isRequired = after.required === true;
  if (wasRequired !== isRequired) {
    sink.add(
      isRequired ? 'request-body-became-required' : 'request-body-became-optional',
      { operation: op, path },
      `${op}: the request body became ${isRequired ? 'required' : 'optional'}`,
    );
  }
  const bContent = content(before);
  const rContent = content(after);
  diffStringSet(Object.keys(bContent), Object.keys(rContent), (mediaType, added) =>
    sink.add(
      added ? 'request-body-media-type-added' : 'request-body-media-type-removed',
      { operation: op, path: `${added ? path : `${b.pointer}/requestBody`}/content/${escape(mediaType)}`, details: { mediaType } },
      `${op}: request body media type \`${mediaType}\` was ${added ? 'added' : 'removed'}`,
    ),
  );
  for (const [mediaType, media] of Object.entries(rContent)) {
    const old = bContent[mediaType];
    if (!isObj(old) || !isObj(media)) continue;
    const changes = ctx.schemas.diff(old.schema, media.schema);
    if (changes.length === 0) continue;
    sink.schema(
      'request',
      changes,
      { operation: op, path: `${path}/content/${escape(mediaType)}/schema`, details: { mediaType } },
      `${op}: request body (${mediaType})`,
    );
  }
}

function diffResponses(b: OperationEntry, r: OperationEntry, ctx: OperationContext): void {
  const { sink } = ctx;
  const op = r.label;
  const before = isObj(b.operation.responses) ? b.operation.responses : {};
  const after = isObj(r.operation.responses) ? r.operation.responses : {};
  if (!sameKeys(before, after)) diffStatuses(b, r, before, after, sink);
  for (const [status, rawAfter] of Object.entries(after)) {
    if (!Object.hasOwn(before, status)) continue;
    const old = ctx.base.deref(before[status]);
    const now = ctx.remote.deref(rawAfter);
    if (!isObj(old) || !isObj(now)) continue;
    const path = `${r.pointer}/responses/${escape(status)}`;
    const bContent = content(old);
    const rContent = content(now);
    if (!sameKeys(bContent, rContent)) diffResponseMediaTypes(b, r, status, bContent, rContent, sink);
    diffResponseHeaders(old, now, { operation: op, path }, status, ctx);
    for (const [mediaType, media] of Object.entries(rContent)) {
      const prior = bContent[mediaType];
      if (!isObj(prior) || !isObj(media)) continue;
      const changes = ctx.schemas.diff(prior.schema, media.schema);
      if (changes.length === 0) continue;
      sink.schema(
        'response',
        changes,
        { operation: op, path: `${path}/content/${escape(mediaType)}/schema`, details: { status, mediaType } },
        `${op}: response \`${status}\` (${mediaType})`,
      );
    }
  }
}

/** Responses added or removed. */
function diffStatuses(b: OperationEntry, r: OperationEntry, before: Obj, after: Obj, sink: ChangeSink): void {
  const op = r.label;
  diffStringSet(Object.keys(before), Object.keys(after), (status, added) => {
    const success = status.startsWith('2');
    const id = `response-${success ? 'success' : 'non-success'}-status-${added ? 'added' : 'removed'}`;
    sink.add(
      id,
      { operation: op, path: pointer(...splitPointer(added ? r.pointer : b.pointer), 'responses', status), details: { status } },
      `${op}: ${success ? 'success' : 'non-success'} response \`${status}\` was ${added ? 'added' : 'removed'}`,
    );
  });
}

/** Media types added to or removed from one response. */
function diffResponseMediaTypes(b: OperationEntry, r: OperationEntry, status: string, before: Obj, after: Obj, sink: ChangeSink): void {
  const op = r.label;
  diffStringSet(Object.keys(before), Object.keys(after), (mediaType, added) =>
    sink.add(
      added ? 'response-media-type-added' : 'response-media-type-removed',
      {
        operation: op,
        path: `${added ? r.pointer : b.pointer}/responses/${escape(status)}/content/${escape(mediaType)}`,
        details: { status, mediaType },
      },
      `${op}: media type \`${mediaType}\` of response \`${status}\` was ${added ? 'added' : 'removed'}`,
    ),
  );
}

function diffResponseHeaders(old: Obj, now: Obj, where: Where, status: string, ctx: OperationContext): void {
  const before = isObj(old.headers) ? old.headers : {};
  const after = isObj(now.headers) ? now.headers : {};
  for (const [name, raw] of Object.entries(before)) {
    const header = ctx.base.deref(raw);
    const required = isObj(header) && header.required === true;
    const details = { status, header: name };
    if (!Object.hasOwn(after, name)) {
      ctx.sink.add(
        required ? 'required-response-header-removed' : 'optional-response-header-removed',
        { ...where, details },
        `${where.operation ?? ''}: ${required ? 'required' : 'optional'} header \`${name}\` of response \`${status}\` was removed`,
      );
      continue;
    }
    const next = ctx.remote.deref(after[name]);
    if (required && !(isObj(next) && next.required === true)) {
      ctx.sink.add(
        'response-header-became-optional',
        { ...where, path: `${where.path}/headers/${escape(name)}`, details },
        `${where.operation ?? ''}: header \`${name}\` of response \`${status}\` became optional`,
      );
    }
  }
}

/**
 * Compare two `security` arrays. A requirement is identified by the sorted
 * names of its schemes; scopes are compared within the same requirement.
 */
export function diffSecurity(before: unknown, after: unknown, where: Where, prefix: 'api' | 'api-global', sink: ChangeSink): void {
  const index = (list: unknown): Map<string, Obj> => {
    const out = new Map<string, Obj>();
    if (!Array.isArray(list)) return out;
    for (const req of list) if (isObj(req)) out.set(Object.keys(req).sort().join(' AND '), req);
    return out;
  };
  const b = index(before);
  const a = index(after);
  const scope = where.operation === undefined ? 'the API' : where.operation;
  for (const key of a.keys()) {
    if (!b.has(key))
      sink.add(
        `${prefix}-security-added`,
        { ...where, details: { requirement: key } },
        `${scope}: security requirement \`${key || '{}'}\` was added`,
      );
  }
  for (const key of b.keys()) {
    if (!a.has(key))
      sink.add(
        `${prefix}-security-removed`,
        { ...where, details: { requirement: key } },
        `${scope}: security requirement \`${key || '{}'}\` was removed`,
      );
  }
  for (const [key, req] of a) {
    const old = b.get(key);
    if (old === undefined) continue;
    for (const scheme of Object.keys(req)) {
      diffStringSet(stringList(old[scheme]), stringList(req[scheme]), (s, added) =>
        sink.add(
          `${prefix}-security-scope-${added ? 'added' : 'removed'}`,
          { ...where, details: { scheme, scope: s } },
          `${scope}: scope \`${s}\` of security scheme \`${scheme}\` was ${added ? 'added' : 'removed'}`,
        ),
      );
    }
  }
}

/** Call `report` for each string added to or removed from a set, in a stable order. */
export function diffStringSet(before: readonly string[], after: readonly string[], report: (value: string, added: boolean) => void): void {
  const b = new Set(before);
  const a = new Set(after);
  for (const v of a) if (!b.has(v)) report(v, true);
  for (const v of b) if (!a.has(v)) report(v, false);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

function splitPointer(p: string): string[] {
  return p
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
