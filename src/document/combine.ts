/**
 * Combine several OpenAPI documents into one (the composite source's
 * merger): paths and operations side by side, components merged by name,
 * with per-member path prefixes, component renames and operationId
 * prefixes; a clash is a `SOURCE_CLASH` naming both members and the remedy.
 *
 * @module
 */
import { SourceError } from '../errors.js';
import { canonicalJson, HTTP_METHODS } from '../json/index.js';

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

/** Every {@link ComponentKind}, in OpenAPI's order. */
export const COMPONENT_KINDS: readonly ComponentKind[] = [
  'schemas',
  'parameters',
  'responses',
  'requestBodies',
  'securitySchemes',
  'headers',
  'examples',
  'links',
  'callbacks',
  'pathItems',
];

/** One document to combine, and how: its id (for messages), a path prefix, component renames, an operationId prefix. */
export interface CombineMember {
  /** A unique name, used in messages and to remember this member's validators. */
  id: string;
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

type Json = Record<string, unknown>;

/** Merge member documents (already loaded, OpenAPI 3) into one. Member documents are not modified. */
export function combineDocuments(
  members: ReadonlyArray<{ member: CombineMember; document: Json }>,
  info: Record<string, unknown> | undefined,
): Json {
  const prepared = members.map(({ member, document }) => ({ member, document: prepare(member, structuredClone(document)) }));
  const head = prepared[0] as { member: CombineMember; document: Json };
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
    if (document.servers !== undefined && canonicalJson(document.servers) !== canonicalJson(topServers ?? null))
      pushServersDown(document, document.servers);

    for (const [key, item] of Object.entries((document.paths ?? {}) as Json)) {
      const template = key.startsWith('x-') ? key : key.replace(/\{[^}]*\}/g, '{}');
      const existing = pathOwners.get(template);
      if (existing !== undefined) {
        if (existing.key === key && canonicalJson(paths[key]) === canonicalJson(item)) continue;
        throw clash(
          existing.key === key ? `path "${key}"` : `paths "${existing.key}" and "${key}" (the same template)`,
          existing.owner,
          member.id,
          'Give one member a `prefix`.',
        );
      }
      pathOwners.set(template, { key, owner: member.id });
      paths[key] = item;
      for (const method of HTTP_METHODS) {
        const id = ((item as Json | null)?.[method] as Json | undefined)?.operationId;
        if (typeof id !== 'string') continue;
        const owner = operationOwners.get(id);
        if (owner !== undefined && owner !== member.id)
          throw clash(`operationId "${id}"`, owner, member.id, 'Set `operationIdPrefix` on one member.');
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
          throw clash(
            `component ${kind}/${name}`,
            owner,
            member.id,
            `Add \`rename: { ${kind}: { ${JSON.stringify(name)}: "NewName" } }\` to one member.`,
          );
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
function prepare(member: CombineMember, document: Json): Json {
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
        throw clash(
          `component ${kind}/${to} twice after renaming`,
          member.id,
          member.id,
          'Pick a new name that the member does not already use.',
        );
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
        for (const method of HTTP_METHODS) {
          const operation = (item as Json | null)?.[method] as Json | undefined;
          if (typeof operation?.operationId === 'string') operation.operationId = idPrefix + operation.operationId;
        }
      }
    }
  }
  if (pointers.size > 0 || schemaNames.size > 0 || schemeNames.size > 0 || idPrefix !== undefined)
    rewrite(document, pointers, schemaNames, schemeNames, idPrefix);
  return document;
}

/** Keywords whose values are user data: references inside them are left alone. */
const FREE_FORM = new Set(['example', 'default', 'enum', 'const']);
/** Maps whose keys are names chosen by the author (a response called `default`, a property called `enum`). */
const NAMED_MAPS = new Set([
  'paths',
  'webhooks',
  'responses',
  'properties',
  'patternProperties',
  'schemas',
  'parameters',
  'examples',
  'headers',
  'links',
  'callbacks',
  'requestBodies',
  'securitySchemes',
  'pathItems',
  '$defs',
  'definitions',
  'content',
  'encoding',
]);

/** Rewrite references in place, without recursion. */
function rewrite(
  document: Json,
  pointers: Map<string, string>,
  schemaNames: Map<string, string>,
  schemeNames: Map<string, string>,
  idPrefix: string | undefined,
): void {
  const moveRef = (ref: string): string => {
    if (!ref.startsWith('#/')) return ref;
    const fragment = ref.slice(1);
    for (const [from, to] of pointers) {
      for (const [a, b] of [
        [from, to],
        [encodeURI(from), encodeURI(to)],
      ] as const) {
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
      else if (key === 'operationId' && ownKey === 'link' && idPrefix !== undefined && typeof value === 'string')
        node[key] = idPrefix + value;
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
    for (const method of HTTP_METHODS) {
      const operation = (item as Json | null)?.[method] as Json | undefined;
      if (operation !== undefined && operation !== null && operation.security === undefined) operation.security = structuredClone(security);
    }
  }
}

/** Give every path item that has no `servers` of its own the document's top-level servers. */
function pushServersDown(document: Json, servers: unknown): void {
  for (const item of Object.values((document.paths ?? {}) as Json)) {
    if (item !== null && typeof item === 'object' && (item as Json).servers === undefined)
      (item as Json).servers = structuredClone(servers);
  }
}

function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
