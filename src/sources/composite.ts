import { ConfigError, isSyncError, SourceError } from '../errors.js';
import { canonicalHash, canonicalJson, loadSpec, type LoadedSpec, type LoadOptions } from '../spec/index.js';
import type { FetchValidators, SourceFetchContext, SourceFetchResult, SpecSource } from './types.js';

/** The component maps a composite merges (OpenAPI 3 `components.*`). */
export type ComponentKind =
  | 'schemas'
  | 'parameters'
  | 'responses'
  | 'requestBodies'
  | 'securitySchemes'
  | 'headers'
  | 'examples'
  | 'links'
  | 'callbacks'
  | 'pathItems';

const COMPONENT_KINDS: readonly ComponentKind[] = ['schemas', 'parameters', 'responses', 'requestBodies', 'securitySchemes', 'headers', 'examples', 'links', 'callbacks', 'pathItems'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const VALIDATOR_PREFIX = 'composite:';

/** One member of a {@link compositeSource}. */
export interface CompositeMember {
  /** A unique name, used in messages and to remember this member's validators. */
  id: string;
  /** Where this member's document comes from. */
  source: SpecSource;
  /** Prepended to every path template of this member, e.g. `"/billing"` turns `/invoices` into `/billing/invoices`. */
  prefix?: string;
  /**
   * Rename components of this member before merging, per kind: `{ schemas: { Error: 'BillingError' } }`.
   * Every `$ref` (and discriminator mapping, and security requirement for
   * `securitySchemes`) of this member is rewritten to the new name.
   */
  rename?: Partial<Record<ComponentKind, Record<string, string>>>;
  /** Prepended to every `operationId` of this member (and to link `operationId`s), to keep them unique. */
  operationIdPrefix?: string;
}

/** Options of {@link compositeSource}. */
export interface CompositeSourceOptions {
  /** The members, merged in this order: the first one's `info`, `servers` and extensions win. */
  sources: CompositeMember[];
  /** Fields of the merged document's `info`, over the first member's. */
  info?: Record<string, unknown>;
  /** Options for loading each member's document (limits, `allowRemoteRefs`). */
  load?: LoadOptions;
}

interface Cached {
  key: string;
  loaded: LoadedSpec;
}

interface Fetched {
  member: CompositeMember;
  /** The member's document: freshly loaded, or the one held from an earlier round; undefined when not held. */
  loaded: LoadedSpec | undefined;
  /** True when the member said not-modified. */
  unchanged: boolean;
  validators: FetchValidators;
}

/**
 * A source that serves several APIs as one OpenAPI 3 document: it fetches
 * every member in parallel, loads each (Swagger 2.0 members are upgraded),
 * and merges their paths, webhooks, components and tags.
 *
 * A path or component defined by two members with different content is a
 * `SOURCE_CLASH` (not retryable) naming both members, unless a `prefix` or a
 * `rename` rule keeps them apart; identical definitions are merged silently.
 * The result is `not-modified` when every member says so. Member validators
 * are kept, encoded, in the composite's `etag` validator.
 *
 * @example
 * ```ts
 * compositeSource({
 *   sources: [
 *     { id: 'users', source: httpSource({ url: 'http://127.0.0.1:3001/openapi.json' }) },
 *     { id: 'billing', source: fileSource({ path: 'billing.yaml' }), prefix: '/billing', rename: { schemas: { Error: 'BillingError' } } },
 *   ],
 *   info: { title: 'Platform API' },
 * });
 * ```
 */
export function compositeSource(options: CompositeSourceOptions): SpecSource {
  return new CompositeSource(options);
}

class CompositeSource implements SpecSource {
  readonly kind = 'composite';
  readonly location: string;
  readonly watch?: (onChange: () => void) => Promise<() => Promise<void>>;
  readonly #members: CompositeMember[];
  readonly #info: Record<string, unknown> | undefined;
  readonly #load: LoadOptions;
  readonly #cache = new Map<string, Cached>();

  constructor(options: CompositeSourceOptions) {
    this.#members = checkMembers(options);
    this.#info = options.info;
    this.#load = options.load ?? {};
    this.location = `composite(${this.#members.map((member) => member.id).join(', ')})`;
    const watchers = this.#members.filter((member) => typeof member.source.watch === 'function');
    if (watchers.length > 0) {
      this.watch = async (onChange) => {
        const started = await Promise.allSettled(watchers.map(async (member) => (member.source.watch as NonNullable<SpecSource['watch']>)(onChange)));
        const stops = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
        const stopAll = async (): Promise<void> => {
          await Promise.allSettled(stops.map(async (stop) => stop()));
        };
        const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        if (failed !== undefined) {
          // Do not leave the members that did start watching behind.
          await stopAll();
          throw failed.reason;
        }
        return stopAll;
      };
    }
  }

  async fetch(context: SourceFetchContext): Promise<SourceFetchResult> {
    context.signal.throwIfAborted();
    const previous = decodeValidators(context.validators.etag);
    const controller = new AbortController();
    const signal = AbortSignal.any([context.signal, controller.signal]);
    const run = async <T>(member: CompositeMember, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        controller.abort();
        throw wrap(error, member, context.signal);
      }
    };

    const first = await Promise.all(
      this.#members.map((member) =>
        run(member, async (): Promise<Fetched> => {
          const given = previous[member.id] ?? {};
          const result = await member.source.fetch({ validators: given, signal });
          if (result.kind === 'not-modified') {
            const validators = result.validators ?? given;
            const cached = this.#cache.get(member.id);
            const held = cached !== undefined && (cached.key === canonicalJson(given) || cached.key === canonicalJson(validators)) ? cached.loaded : undefined;
            if (held !== undefined) this.#cache.set(member.id, { key: canonicalJson(validators), loaded: held });
            return { member, loaded: held, unchanged: true, validators };
          }
          return { member, loaded: await this.#loadResult(member, result), unchanged: false, validators: result.validators ?? {} };
        }),
      ),
    );
    if (first.every((entry) => entry.unchanged)) {
      return { kind: 'not-modified', validators: { etag: encodeValidators(first) } };
    }
    // Some member changed. Members that said not-modified but whose document this instance
    // does not hold (a fresh process) are asked again without validators.
    const complete = await Promise.all(
      first.map((entry) =>
        entry.loaded !== undefined
          ? entry
          : run(entry.member, async (): Promise<Fetched> => {
              const result = await entry.member.source.fetch({ validators: {}, signal });
              if (result.kind === 'not-modified') {
                throw new SourceError('SOURCE_FAILED', `Member "${entry.member.id}" of ${this.location} said not-modified to a fetch without validators.`, {
                  retryable: false,
                  hint: 'A source must return the document when it is given no validators; fix that source.',
                });
              }
              return { member: entry.member, loaded: await this.#loadResult(entry.member, result), unchanged: false, validators: result.validators ?? {} };
            }),
      ),
    );
    for (const entry of complete) this.#cache.set(entry.member.id, { key: canonicalJson(entry.validators), loaded: entry.loaded as LoadedSpec });
    const document = mergeMembers(complete.map((entry) => ({ member: entry.member, document: (entry.loaded as LoadedSpec).document })), this.#info);
    return {
      kind: 'document',
      document,
      location: this.location,
      validators: { etag: encodeValidators(complete), contentHash: canonicalHash(document) },
    };
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await Promise.allSettled(this.#members.map(async (member) => member.source.close?.()));
  }

  async #loadResult(member: CompositeMember, result: Exclude<SourceFetchResult, { kind: 'not-modified' }>): Promise<LoadedSpec> {
    const location = result.location ?? member.source.location ?? member.id;
    const options: LoadOptions = { ...this.#load, location: `member "${member.id}" (${location})` };
    if (result.kind === 'raw') {
      if (result.contentType !== undefined) options.contentType = result.contentType;
      return loadSpec(result.body, options);
    }
    return loadSpec(result.document as object, options);
  }
}

function checkMembers(options: CompositeSourceOptions): CompositeMember[] {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.sources) || options.sources.length === 0) {
    throw new ConfigError(`Expected \`sources\` to be a non-empty array of { id, source }, got ${describeValue(options?.sources)}.`, {
      hint: 'compositeSource({ sources: [{ id: "users", source: ... }, { id: "billing", source: ... }] })',
    });
  }
  const ids = new Set<string>();
  return options.sources.map((member, index) => {
    if (member === null || typeof member !== 'object' || typeof member.id !== 'string' || member.id === '') {
      throw new ConfigError(`Expected sources[${index}].id to be a non-empty string, got ${describeValue(member?.id)}.`, { hint: 'Give every member a unique id.' });
    }
    if (ids.has(member.id)) throw new ConfigError(`Two members share the id "${member.id}".`, { hint: 'Give every member a unique id.' });
    ids.add(member.id);
    if (member.source === null || typeof member.source !== 'object' || typeof member.source.fetch !== 'function') {
      throw new ConfigError(`Expected sources[${index}].source ("${member.id}") to be a SpecSource with a fetch method, got ${describeValue(member.source)}.`, { hint: 'Use fileSource(), httpSource() or your own SpecSource.' });
    }
    if (member.prefix !== undefined && (typeof member.prefix !== 'string' || !/^\/[^{}?#]*$/.test(member.prefix) || member.prefix === '/')) {
      throw new ConfigError(`Expected the prefix of "${member.id}" to be a path such as "/billing", got ${describeValue(member.prefix)}.`, { hint: 'Start the prefix with "/" and leave out templates, queries and fragments.' });
    }
    for (const [kind, map] of Object.entries(member.rename ?? {})) {
      if (!COMPONENT_KINDS.includes(kind as ComponentKind)) {
        throw new ConfigError(`Unknown component kind "${kind}" in the rename rules of "${member.id}".`, { hint: `Use one of ${COMPONENT_KINDS.join(', ')}.` });
      }
      for (const [from, to] of Object.entries(map ?? {})) {
        if (typeof to !== 'string' || to === '') throw new ConfigError(`Expected rename.${kind}["${from}"] of "${member.id}" to be a non-empty name, got ${describeValue(to)}.`, { hint: 'Map each old name to a new one.' });
      }
    }
    return member;
  });
}

/** Keep an abort as it is; give any other failure the member's name, keeping its code and retryability. */
function wrap(error: unknown, member: CompositeMember, signal: AbortSignal): unknown {
  // Cancelled by the caller: the caller's reason, whatever shape the member gave its abort.
  if (signal.aborted) return signal.reason;
  if (isSyncError(error)) {
    return new SourceError(error.code, `Member "${member.id}": ${error.message}`, {
      cause: error,
      retryable: error.retryable,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      details: { ...error.details, member: member.id },
    });
  }
  return new SourceError('SOURCE_FAILED', `Member "${member.id}" failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    hint: 'See the cause; the member source threw something that is not a SyncError.',
    details: { member: member.id },
  });
}

function encodeValidators(entries: readonly Fetched[]): string {
  const record: Record<string, FetchValidators> = {};
  for (const entry of entries) record[entry.member.id] = entry.validators;
  return VALIDATOR_PREFIX + Buffer.from(canonicalJson(record)).toString('base64url');
}

function decodeValidators(etag: string | undefined): Record<string, FetchValidators> {
  if (etag === undefined || !etag.startsWith(VALIDATOR_PREFIX)) return {};
  try {
    const value = JSON.parse(Buffer.from(etag.slice(VALIDATOR_PREFIX.length), 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, FetchValidators>) : {};
  } catch {
    // Unreadable validators only cost a full fetch.
    return {};
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

// ---------------------------------------------------------------------------
// Merging

type Json = Record<string, unknown>;

/** Merge member documents (already loaded, OpenAPI 3) into one. Member documents are not modified. */
export function mergeMembers(members: ReadonlyArray<{ member: CompositeMember; document: Json }>, info: Record<string, unknown> | undefined): Json {
  const prepared = members.map(({ member, document }) => ({ member, document: prepare(member, structuredClone(document)) }));
  const head = prepared[0] as { member: CompositeMember; document: Json };
  const version = prepared.some(({ document }) => String(document.openapi).startsWith('3.1'))
    ? String(prepared.find(({ document }) => String(document.openapi).startsWith('3.1'))?.document.openapi)
    : String(head.document.openapi);

  // Top-level security: kept when every member agrees, else moved onto each member's operations.
  const securities = new Set(prepared.map(({ document }) => canonicalJson(document.security ?? null)));
  const sharedSecurity = securities.size === 1 ? head.document.security : undefined;
  const topServers = head.document.servers;

  const merged: Json = {};
  for (const [key, value] of Object.entries(head.document)) if (key.startsWith('x-')) merged[key] = value;
  merged.openapi = version;
  merged.info = { ...(head.document.info as Json), ...(info ?? {}) };
  if (topServers !== undefined) merged.servers = topServers;
  if (sharedSecurity !== undefined) merged.security = sharedSecurity;
  if (head.document.externalDocs !== undefined) merged.externalDocs = head.document.externalDocs;

  const paths: Json = {};
  const pathOwners = new Map<string, { key: string; owner: string }>();
  const webhooks: Json = {};
  const webhookOwners = new Map<string, string>();
  const components: Record<string, Json> = {};
  const componentOwners = new Map<string, string>();
  const tags: Json[] = [];
  const tagNames = new Set<string>();
  const operationOwners = new Map<string, string>();

  for (const { member, document } of prepared) {
    if (sharedSecurity === undefined && document.security !== undefined) pushSecurityDown(document, document.security);
    if (document.servers !== undefined && canonicalJson(document.servers) !== canonicalJson(topServers ?? null)) pushServersDown(document, document.servers);

    for (const [key, item] of Object.entries((document.paths ?? {}) as Json)) {
      const template = key.startsWith('x-') ? key : key.replace(/\{[^}]*\}/g, '{}');
      const existing = pathOwners.get(template);
      if (existing !== undefined) {
        if (existing.key === key && canonicalJson(paths[key]) === canonicalJson(item)) continue;
        throw clash(existing.key === key ? `path "${key}"` : `paths "${existing.key}" and "${key}" (the same template)`, existing.owner, member.id, 'Give one member a `prefix`.');
      }
      pathOwners.set(template, { key, owner: member.id });
      paths[key] = item;
      for (const method of METHODS) {
        const id = ((item as Json | null)?.[method] as Json | undefined)?.operationId;
        if (typeof id !== 'string') continue;
        const owner = operationOwners.get(id);
        if (owner !== undefined && owner !== member.id) throw clash(`operationId "${id}"`, owner, member.id, 'Set `operationIdPrefix` on one member.');
        operationOwners.set(id, member.id);
      }
    }
    for (const [name, item] of Object.entries((document.webhooks ?? {}) as Json)) {
      const owner = webhookOwners.get(name);
      if (owner !== undefined) {
        if (canonicalJson(webhooks[name]) === canonicalJson(item)) continue;
        throw clash(`webhook "${name}"`, owner, member.id, 'Rename the webhook in one of the documents.');
      }
      webhookOwners.set(name, member.id);
      webhooks[name] = item;
    }
    const own = (document.components ?? {}) as Record<string, unknown>;
    for (const [kind, map] of Object.entries(own)) {
      if (map === null || typeof map !== 'object' || Array.isArray(map)) continue;
      const target = (components[kind] ??= {});
      for (const [name, value] of Object.entries(map as Json)) {
        const key = `${kind}/${name}`;
        const owner = componentOwners.get(key);
        if (owner !== undefined) {
          if (canonicalJson(target[name]) === canonicalJson(value)) continue;
          throw clash(`component ${kind}/${name}`, owner, member.id, `Add \`rename: { ${kind}: { ${JSON.stringify(name)}: "NewName" } }\` to one member.`);
        }
        componentOwners.set(key, member.id);
        target[name] = value;
      }
    }
    for (const tag of (Array.isArray(document.tags) ? document.tags : []) as Json[]) {
      const name = typeof tag?.name === 'string' ? tag.name : undefined;
      if (name === undefined || tagNames.has(name)) continue;
      tagNames.add(name);
      tags.push(tag);
    }
  }
  merged.paths = paths;
  if (webhookOwners.size > 0) merged.webhooks = webhooks;
  if (Object.keys(components).length > 0) merged.components = components;
  if (tags.length > 0) merged.tags = tags;
  return merged;
}

function clash(what: string, first: string, second: string, remedy: string): SourceError {
  return new SourceError('SOURCE_CLASH', `Members "${first}" and "${second}" both define ${what}, with different content.`, {
    retryable: false,
    hint: `${remedy} Identical definitions are merged without complaint.`,
    details: { what, sources: [first, second] },
  });
}

/** Apply a member's rename rules, prefix and operationId prefix to its (private copy of the) document. */
function prepare(member: CompositeMember, document: Json): Json {
  const pointers = new Map<string, string>();
  const schemaNames = new Map<string, string>();
  const schemeNames = new Map<string, string>();
  const components = document.components as Record<string, Json | undefined> | undefined;
  for (const [kind, rules] of Object.entries(member.rename ?? {}) as Array<[ComponentKind, Record<string, string> | undefined]>) {
    const map = components?.[kind];
    if (map === undefined || rules === undefined) continue;
    const renamed: Json = {};
    for (const [name, value] of Object.entries(map)) {
      const to = rules[name] ?? name;
      if (Object.hasOwn(renamed, to)) {
        throw clash(`component ${kind}/${to} twice after renaming`, member.id, member.id, 'Pick a new name that the member does not already use.');
      }
      renamed[to] = value;
      if (to === name) continue;
      pointers.set(`/components/${kind}/${escape(name)}`, `/components/${kind}/${escape(to)}`);
      if (kind === 'schemas') schemaNames.set(name, to);
      if (kind === 'securitySchemes') schemeNames.set(name, to);
    }
    (components as Record<string, Json>)[kind] = renamed;
  }
  if (member.prefix !== undefined && document.paths !== undefined) {
    const prefix = member.prefix.replace(/\/+$/, '');
    const prefixed: Json = {};
    for (const [key, item] of Object.entries(document.paths as Json)) {
      if (key.startsWith('x-')) {
        prefixed[key] = item;
        continue;
      }
      const next = prefix + (key.startsWith('/') ? key : `/${key}`);
      prefixed[next] = item;
      pointers.set(`/paths/${escape(key)}`, `/paths/${escape(next)}`);
    }
    document.paths = prefixed;
  }
  const idPrefix = member.operationIdPrefix;
  if (idPrefix !== undefined) {
    for (const container of [document.paths, document.webhooks]) {
      for (const item of Object.values((container ?? {}) as Json)) {
        for (const method of METHODS) {
          const operation = (item as Json | null)?.[method] as Json | undefined;
          if (typeof operation?.operationId === 'string') operation.operationId = idPrefix + operation.operationId;
        }
      }
    }
  }
  if (pointers.size > 0 || schemaNames.size > 0 || schemeNames.size > 0 || idPrefix !== undefined) rewrite(document, pointers, schemaNames, schemeNames, idPrefix);
  return document;
}

/** Keywords whose values are user data: references inside them are left alone. */
const FREE_FORM = new Set(['example', 'default', 'enum', 'const']);
/** Maps whose keys are names chosen by the author (a response called `default`, a property called `enum`). */
const NAMED_MAPS = new Set(['paths', 'webhooks', 'responses', 'properties', 'patternProperties', 'schemas', 'parameters', 'examples', 'headers', 'links', 'callbacks', 'requestBodies', 'securitySchemes', 'pathItems', '$defs', 'definitions', 'content', 'encoding']);

/** Rewrite references in place, without recursion. */
function rewrite(document: Json, pointers: Map<string, string>, schemaNames: Map<string, string>, schemeNames: Map<string, string>, idPrefix: string | undefined): void {
  const moveRef = (ref: string): string => {
    if (!ref.startsWith('#/')) return ref;
    const fragment = ref.slice(1);
    for (const [from, to] of pointers) {
      for (const [a, b] of [[from, to], [encodeURI(from), encodeURI(to)]] as const) {
        if (fragment === a || fragment.startsWith(`${a}/`)) return `#${b}${fragment.slice(a.length)}`;
      }
    }
    return ref;
  };
  const stack: Array<{ node: Json | unknown[]; key: string }> = [{ node: document, key: '' }];
  while (stack.length > 0) {
    const { node, key: ownKey } = stack.pop() as { node: Json | unknown[]; key: string };
    if (Array.isArray(node)) {
      if (ownKey === 'security' && schemeNames.size > 0) renameRequirements(node, schemeNames);
      for (const item of node) if (item !== null && typeof item === 'object') stack.push({ node: item as Json, key: '' });
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (FREE_FORM.has(key) && !NAMED_MAPS.has(ownKey)) continue;
      if ((key === '$ref' || key === 'operationRef') && typeof value === 'string') node[key] = moveRef(value);
      else if (key === 'operationId' && ownKey === 'link' && idPrefix !== undefined && typeof value === 'string') node[key] = idPrefix + value;
      else if (key === 'mapping' && ownKey === 'discriminator' && value !== null && typeof value === 'object') {
        const mapping = value as Record<string, unknown>;
        for (const [tag, target] of Object.entries(mapping)) {
          if (typeof target !== 'string') continue;
          mapping[tag] = target.startsWith('#') ? moveRef(target) : (schemaNames.get(target) ?? target);
        }
      } else if (value !== null && typeof value === 'object') {
        stack.push({ node: value as Json, key: ownKey === 'links' ? 'link' : key });
      }
    }
  }
}

function renameRequirements(requirements: unknown[], names: Map<string, string>): void {
  for (let i = 0; i < requirements.length; i++) {
    const requirement = requirements[i];
    if (requirement === null || typeof requirement !== 'object' || Array.isArray(requirement)) continue;
    requirements[i] = Object.fromEntries(Object.entries(requirement).map(([name, scopes]) => [names.get(name) ?? name, scopes]));
  }
}

/** Give every operation of the document that has no `security` of its own the document's top-level one. */
function pushSecurityDown(document: Json, security: unknown): void {
  for (const item of Object.values((document.paths ?? {}) as Json)) {
    for (const method of METHODS) {
      const operation = (item as Json | null)?.[method] as Json | undefined;
      if (operation !== undefined && operation !== null && operation.security === undefined) operation.security = structuredClone(security);
    }
  }
}

/** Give every path item that has no `servers` of its own the document's top-level servers. */
function pushServersDown(document: Json, servers: unknown): void {
  for (const item of Object.values((document.paths ?? {}) as Json)) {
    if (item !== null && typeof item === 'object' && (item as Json).servers === undefined) (item as Json).servers = structuredClone(servers);
  }
}

function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
