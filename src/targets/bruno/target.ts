/**
 * `brunoTarget`: a sync target whose local copy is a Bruno collection
 * folder. The shared collection model (`clientTarget`) does the merge; this
 * module is Bruno's format: render, read, write, and what only Bruno has.
 * See docs/bruno.md.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { ConfigError, TargetError } from '../../errors.js';
import type { IdentityRule } from '../../merge/index.js';
import { jsonEqual } from '../../json/index.js';
import { checkOptions, optionKeys } from '../../options.js';
import {
  COLLECTION_ROOT_KEY,
  DEPRECATED_NOTE,
  DEPRECATED_PREFIX,
  type ClientStorage,
  type IdentityHints,
  type KeyedCollection,
  type KeyedRequest,
  type ModelRequestCache,
  type OperationFilter,
  type OperationHint,
  type RemovalMark,
  checkFilter,
  clientTarget,
  collectionIdentityRules,
  identityField,
  keyCollection,
  nestCollection,
  operationHintsOf,
} from '../collection/index.js';
import { fencedFileWrite } from '../fence.js';
import type { SyncFence, SyncTarget, TargetWriteReport } from '../types.js';
import { type BrunoParseCache, brunoFiles, parseBrunoFiles } from './collection.js';
import { BrunoFolder, decodeFolderFiles, encodeFolderFiles } from './folder.js';
import { type BruLang, loadBruLang } from './lang.js';
import { NameSet } from './names.js';
import { BRUNO_DEFAULT_ENVIRONMENT, renderBrunoTree } from './render.js';
import { type BrunoTree, type BrunoTreeFolder, type BrunoTreeRequest, collectionOf, inFileOrder, treeOf } from './tree.js';

/** The store record (per binding) holding the identity map of the last write. */
export const BRUNO_IDENTITY_RECORD = 'bruno-identities';

const BRUNO_TARGET_KEYS = optionKeys<BrunoTargetOptions>()(['dir', 'baseUrlVariable', 'environment', 'filter']);

/** Options of {@link brunoTarget}. */
export interface BrunoTargetOptions {
  /** The collection folder (the one holding `bruno.json`); created on the first sync. */
  dir: string;
  /** The environment variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** The environment (`environments/NAME.bru`) the server URL and auth variables go to. Default `api`. */
  environment?: string;
  /**
   * Which operations the collection holds: include and exclude by tag, path
   * glob, operationId and `deprecated`. Applied before the merge, so an
   * operation filtered out is neither added nor removed (see
   * docs/collections.md, "Filters"). All by default.
   */
  filter?: OperationFilter;
}

type Json = Record<string, unknown>;

/**
 * A target whose local copy is a Bruno collection folder: `bruno.json`,
 * `collection.bru`, a directory with a `folder.bru` per tag, one `.bru` file
 * per request and `environments/NAME.bru`, written with Bruno's own language
 * package (`@usebruno/lang`, an optional peer dependency loaded on the first
 * read). Every sync keeps what the user did in Bruno: edited values,
 * disabled params and headers, added requests, renames (name and file),
 * moves, deletions, `seq` order, and every block only Bruno has
 * (`script:pre-request`, `script:post-response`, `tests`, `vars`, `assert`,
 * `docs`, `settings`, `auth: inherit`).
 *
 * - `read`: a folder without `bruno.json` or `.bru` files is no local copy
 *   yet; a file Bruno's parser refuses is a `TargetError` `TARGET_INVALID`
 *   naming it, and the sync stops without touching the folder. A `.bru` file
 *   holds no operation id: requests are tied to their operations by the
 *   identity record of the last write (where each was written) and what was
 *   just rendered (endpoint, method, name);
 * - `write`: only the files that change are replaced, as one journaled
 *   change (see `BrunoFolder`): a write that fails or is killed midway
 *   leaves the folder as it was; a save made meanwhile is never overwritten;
 * - `snapshot`/`restore`: a rollback restores every file byte for byte.
 */
export function brunoTarget(options: BrunoTargetOptions): SyncTarget<KeyedCollection> {
  checkOptions('brunoTarget options', options, BRUNO_TARGET_KEYS);
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw new ConfigError(`Expected \`dir\` to be a non-empty string, got ${JSON.stringify(options?.dir)}.`, {
      hint: 'Pass the Bruno collection folder, e.g. { dir: "collections/petstore" }.',
    });
  }
  if (options.baseUrlVariable !== undefined && !/^[A-Za-z_][\w.-]*$/.test(options.baseUrlVariable)) {
    throw new ConfigError(
      `Expected \`baseUrlVariable\` to be a variable name (letters, digits, _ . -), got ${JSON.stringify(options.baseUrlVariable)}.`,
      { hint: 'Leave it out for "baseUrl".' },
    );
  }
  if (options.environment !== undefined && (typeof options.environment !== 'string' || !/^[\w][\w .-]*$/.test(options.environment))) {
    throw new ConfigError(
      `Expected \`environment\` to be an environment name (letters, digits, spaces, _ . -), got ${JSON.stringify(options.environment)}.`,
      { hint: `Leave it out for "${BRUNO_DEFAULT_ENVIRONMENT}".` },
    );
  }
  if (options.filter !== undefined) checkFilter(options.filter, 'brunoTarget options.filter');
  const dir = resolve(options.dir);
  const renderOptions = {
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
    ...(options.environment === undefined ? {} : { environment: options.environment }),
  };
  const cache: ModelRequestCache = new WeakMap();
  // What Bruno's parser made of each file last time: a read or write parses only the files that changed.
  const parsedFiles: BrunoParseCache = new Map();
  const storage = new BrunoStorage(dir);
  const target = clientTarget<BrunoTree>({
    kind: 'bruno',
    location: dir,
    recordKey: BRUNO_IDENTITY_RECORD,
    identityRules: brunoIdentityRules,
    marker: brunoMark,
    storage,
    render: (document) => renderBrunoTree(document, renderOptions, cache),
    hints: brunoHints,
    key: keyBrunoTree,
    nest: (keyed) => nestBrunoTree(keyed),
    parse: (bytes) => treeOf(parseBrunoFiles(decodeFolderFiles(bytes), storage.lang(), dir, parsedFiles)),
    serialise(tree) {
      const lang = storage.lang();
      const files = brunoFiles(collectionOf(blankSecrets(tree)), lang);
      const bytes = encodeFolderFiles(files);
      return { bytes, parsed: treeOf(parseBrunoFiles(files, lang, dir, parsedFiles)) };
    },
  });
  const reconcile = target.reconcile?.bind(target);
  const prepareMerge = target.prepareMerge?.bind(target);
  return {
    ...target,
    // File names and the environment values a user changed are theirs: upstream's changes to them are not merged.
    async prepareMerge(sides, context) {
      const prepared = prepareMerge === undefined ? {} : await prepareMerge(sides, context);
      const base = prepared.base ?? sides.base;
      if (base === undefined) return prepared;
      const owned = userOwnedBase(base, prepared.local ?? sides.local, sides.remote);
      return owned === base ? prepared : { ...prepared, base: owned };
    },
    // The merged copy in the form its files read back as (list order, unique file names), so what is
    // written is what the next read finds, and the journal's hash of it holds.
    async reconcile(merged, info, context) {
      return inFileForm(reconcile === undefined ? merged : await reconcile(merged, info, context));
    },
    async read(context, info) {
      await storage.load();
      return target.read(context, info);
    },
    async restore(bytes, context) {
      await storage.load();
      return (target.restore as NonNullable<typeof target.restore>)(bytes, context);
    },
  };
}

/**
 * Read a Bruno collection folder as a {@link BrunoTree} (every file parsed
 * by `@usebruno/lang`): `undefined` when the folder has no `bruno.json` and
 * no `.bru` files; a `TargetError` `TARGET_INVALID` naming a file Bruno's
 * parser refuses. A write a crash interrupted is settled first.
 */
export async function readBrunoFolder(dir: string): Promise<BrunoTree | undefined> {
  const lang = await loadBruLang();
  const absolute = resolve(dir);
  const files = await new BrunoFolder(absolute).read();
  return files === undefined ? undefined : treeOf(parseBrunoFiles(files, lang, absolute));
}

/**
 * The collection folder as the one byte string `clientTarget` keeps (see
 * `encodeFolderFiles`). Under a lease (`context.fence`) a write is fenced
 * as a file is (`fencedFileWrite`), through the epoch recorded beside the
 * folder's `bruno.json` (`.bruno.json.als-epoch`, inside the folder, which
 * Bruno and the target ignore as they ignore every dotfile): one lock and
 * one epoch for the whole folder, since a sync writes it as one change.
 */
class BrunoStorage implements ClientStorage {
  readonly #folder: BrunoFolder;
  /** The file whose epoch record and lock fence the folder. */
  readonly #fenced: string;
  #lang: BruLang | undefined;

  constructor(dir: string) {
    this.#folder = new BrunoFolder(dir);
    this.#fenced = join(dir, 'bruno.json');
  }

  /** Load `@usebruno/lang` (once). */
  async load(): Promise<BruLang> {
    this.#lang ??= await loadBruLang();
    return this.#lang;
  }

  /** `@usebruno/lang`, loaded by the read of the same sync. */
  lang(): BruLang {
    if (this.#lang === undefined) {
      throw new TargetError('TARGET_ADAPTER_FAILED', 'The Bruno target wrote or parsed before its first read loaded @usebruno/lang.', {
        hint: 'Call read() (the engine always does) before write().',
      });
    }
    return this.#lang;
  }

  async read(): Promise<Buffer | undefined> {
    await this.load();
    const files = await this.#folder.read();
    return files === undefined ? undefined : encodeFolderFiles(files);
  }

  async write(bytes: Uint8Array, expected: Uint8Array | null, fence?: SyncFence): Promise<TargetWriteReport> {
    const write = () => this.#folder.write(decodeFolderFiles(bytes), expected === null ? null : decodeFolderFiles(expected));
    await (fence === undefined ? write() : fencedFileWrite(this.#fenced, fence, write));
    return {};
  }

  /** Claim the folder for `fence.token`: from now on a write with an older token is refused (see `fencedFileWrite`). */
  async claim(fence: SyncFence): Promise<void> {
    // No `confirm`: a claim never lets an older token in, whoever holds the lease now.
    await fencedFileWrite(this.#fenced, { token: fence.token }, async () => undefined);
  }
}

// ---------------------------------------------------------------- the keyed form

/**
 * Identity rules of Bruno's lists: headers by name case-insensitively;
 * params by type and name (a query and a path param may share a name); form
 * fields, assertions, request variables and environment variables by name.
 */
export const brunoIdentityRules: readonly IdentityRule[] = collectionIdentityRules([
  { path: '/**/headers', key: identityField('name', true) },
  {
    path: '/**/params',
    key: (item) => {
      const name = identityField('name')(item);
      return name === undefined ? undefined : `${identityField('type')(item) ?? 'query'}:${name}`;
    },
  },
  { path: '/**/assertions', key: identityField('name') },
  { path: '/**/vars/req', key: identityField('name') },
  { path: '/**/vars/res', key: identityField('name') },
  { path: '/**/formUrlEncoded', key: identityField('name') },
  { path: '/**/multipartForm', key: identityField('name') },
  { path: '/**/variables', key: identityField('name') },
]);

/** The shape of a request, for ties: its path and query param names and body fields. */
function requestShape(request: BrunoTreeRequest): string {
  const names = (list: ReadonlyArray<{ name: string }> | undefined) =>
    (list ?? [])
      .map((item) => item.name)
      .sort()
      .join(',');
  const body = (request.body ?? {}) as Json;
  const fields = Array.isArray(body.formUrlEncoded)
    ? names(body.formUrlEncoded as Array<{ name: string }>)
    : Array.isArray(body.multipartForm)
      ? names(body.multipartForm as Array<{ name: string }>)
      : '';
  return `${names(request.params.filter((p) => p.type === 'path'))}|${names(request.params.filter((p) => p.type === 'query'))}|${request.bodyMode}|${fields}`;
}

function allRequests(node: BrunoTree | BrunoTreeFolder): BrunoTreeRequest[] {
  return [...node.requests, ...node.folders.flatMap(allRequests)];
}

/**
 * The operations of a rendered tree (see `operationHintsOf`): the
 * environments' variables give an endpoint that starts with one
 * (`{{baseUrl}}/pets`) its literal spelling too
 * (`https://api.example.com/v1/pets`), as a request whose user wrote the
 * server URL in place of the variable holds it.
 */
function brunoHints(tree: BrunoTree): OperationHint[] {
  const values = new Map<string, string>();
  for (const environment of Object.values(tree.environments)) {
    for (const variable of Array.isArray(environment.variables) ? environment.variables : []) {
      if (variable.enabled !== false && typeof variable.value === 'string' && !values.has(variable.name))
        values.set(variable.name, variable.value);
    }
  }
  return operationHintsOf(allRequests(tree), values, requestShape);
}

/** The keyed form of a tree: folders by name, requests by operation identity. */
export function keyBrunoTree(tree: BrunoTree, hints: IdentityHints): KeyedCollection {
  return keyCollection(tree, hints, requestShape);
}

/** The tree of a keyed collection (request ids left out: a `.bru` file has none). */
export function nestBrunoTree(keyed: KeyedCollection): ReturnType<typeof nestCollection<BrunoTree, BrunoTreeRequest, null>> {
  return nestCollection<BrunoTree, BrunoTreeRequest, null>(keyed, {
    root: null,
    // Folders are built as BrunoTree nodes for the hooks' sake; a folder node holds a BrunoTreeFolder's fields.
    folder: (fields, children) => ({ ...fields, folders: children.folders, requests: children.requests }) as unknown as BrunoTree,
    request(fields) {
      const { id: _id, ...rest } = fields;
      return rest as unknown as BrunoTreeRequest;
    },
  });
}

/**
 * The keyed collection as its files will read back: each request's lists in
 * file order (see `inFileOrder`), and file and directory names unique in
 * their folder, case-insensitively (a request moved next to one of the same
 * name gets ` (2)`).
 */
export function inFileForm(keyed: KeyedCollection): KeyedCollection {
  let requests: Record<string, KeyedRequest> | undefined;
  const setRequest = (key: string, entry: KeyedRequest) => {
    requests ??= { ...keyed.requests };
    requests[key] = entry;
  };
  for (const [key, entry] of Object.entries(keyed.requests)) {
    const ordered = inFileOrder(entry.request as unknown as BrunoTreeRequest) as unknown as Json;
    if (ordered !== entry.request) setRequest(key, { ...entry, request: ordered });
  }
  let folders: typeof keyed.folders | undefined;
  // Names per directory, in the order the folder will list them: folders first, then requests.
  const byParent = new Map<string, NameSet>();
  const namesOf = (parent: string | null) => {
    const id = parent ?? COLLECTION_ROOT_KEY;
    let names = byParent.get(id);
    if (names === undefined) byParent.set(id, (names = new NameSet()));
    return names;
  };
  const orderOf = (order: Record<string, string[]>, members: Record<string, unknown>) => {
    const listed = Object.values(order).flat();
    return [...listed.filter((k) => Object.hasOwn(members, k)), ...Object.keys(members).filter((k) => !listed.includes(k))];
  };
  for (const key of orderOf(keyed.folderOrder, keyed.folders)) {
    const entry = keyed.folders[key];
    if (entry === undefined) continue;
    const dir = typeof entry.folder.dir === 'string' ? entry.folder.dir : String(entry.folder.name ?? 'untitled');
    const unique = namesOf(entry.parent).take(dir);
    if (unique !== entry.folder.dir) {
      folders ??= { ...keyed.folders };
      folders[key] = { ...entry, folder: { ...entry.folder, dir: unique } };
    }
  }
  const current = requests ?? keyed.requests;
  for (const key of orderOf(keyed.requestOrder, current)) {
    const entry = (requests ?? keyed.requests)[key];
    if (entry === undefined) continue;
    const parent = entry.folder !== null && Object.hasOwn(keyed.folders, entry.folder) ? entry.folder : null;
    const file = typeof entry.request.file === 'string' ? entry.request.file : String(entry.request.name ?? 'untitled');
    const unique = namesOf(parent).take(file);
    if (unique !== entry.request.file) setRequest(key, { ...entry, request: { ...entry.request, file: unique } });
  }
  if (requests === undefined && folders === undefined) return keyed;
  return { ...keyed, ...(requests === undefined ? {} : { requests }), ...(folders === undefined ? {} : { folders }) };
}

/** The tree with every secret environment variable's value blanked (a copy where it changes). */
function blankSecrets(tree: BrunoTree): BrunoTree {
  let environments: BrunoTree['environments'] | undefined;
  for (const [name, environment] of Object.entries(tree.environments)) {
    if (!environment.variables.some((v) => v.secret && v.value !== '')) continue;
    environments ??= { ...tree.environments };
    environments[name] = { ...environment, variables: environment.variables.map((v) => (v.secret ? { ...v, value: '' } : v)) };
  }
  return environments === undefined ? tree : { ...tree, environments };
}

/**
 * The base with what the user owns once it is written taken from the
 * remote, so the merge keeps the local value without a conflict:
 * - every request's file name (a file keeps the name it was first written
 *   under, or the one the user gave it; upstream renames change `meta.name`);
 * - each environment variable whose value the user changed (`baseUrl`
 *   pointed at their own server stays there when upstream's server moves;
 *   while they have not changed it, it follows upstream), and each the user
 *   deleted (it stays deleted when upstream changes it). The shared
 *   `keepUserVariables` rule, for variables that live in environment files.
 */
export function userOwnedBase(base: KeyedCollection, local: KeyedCollection, remote: KeyedCollection): KeyedCollection {
  let requests: Record<string, KeyedRequest> | undefined;
  for (const [key, entry] of Object.entries(base.requests)) {
    const upstream = Object.hasOwn(remote.requests, key) ? remote.requests[key] : undefined;
    if (upstream === undefined || upstream.request.file === entry.request.file) continue;
    requests ??= { ...base.requests };
    requests[key] = { ...entry, request: { ...entry.request, file: upstream.request.file } };
  }
  const environments = (tree: KeyedCollection) => (tree.collection.environments ?? {}) as BrunoTree['environments'];
  const baseEnvironments = environments(base);
  let changedEnvironments: BrunoTree['environments'] | undefined;
  for (const [name, environment] of Object.entries(baseEnvironments)) {
    const mine = Object.hasOwn(environments(local), name) ? environments(local)[name] : undefined;
    const theirs = Object.hasOwn(environments(remote), name) ? environments(remote)[name] : undefined;
    if (mine === undefined || theirs === undefined) continue;
    const variables = environment.variables.map((variable) => {
      const local = mine.variables.find((v) => v.name === variable.name);
      const upstream = theirs.variables.find((v) => v.name === variable.name);
      if (upstream === undefined) return variable;
      // Deleted by the user: merged as if upstream had not changed it, so it stays deleted.
      if (local === undefined) return jsonEqual(variable, upstream) ? variable : upstream;
      return local.value !== variable.value && upstream.value !== variable.value ? { ...variable, value: upstream.value } : variable;
    });
    if (variables.some((v, i) => v !== environment.variables[i])) {
      changedEnvironments ??= { ...baseEnvironments };
      changedEnvironments[name] = { ...environment, variables };
    }
  }
  if (requests === undefined && changedEnvironments === undefined) return base;
  return {
    ...base,
    ...(requests === undefined ? {} : { requests }),
    ...(changedEnvironments === undefined ? {} : { collection: { ...base.collection, environments: changedEnvironments } }),
  };
}

// ---------------------------------------------------------------- removal mark

function isMarked(entry: KeyedRequest): boolean {
  return typeof entry.request.name === 'string' && entry.request.name.startsWith(DEPRECATED_PREFIX);
}

/**
 * Bruno's {@link RemovalMark}: the request name prefixed with
 * `[deprecated] ` and a `Removed upstream:` paragraph at the end of its
 * `docs` block; the file keeps its name.
 */
export const brunoMark: RemovalMark = {
  isMarked,
  mark(entry, policy) {
    if (isMarked(entry)) return entry;
    const note =
      policy === 'remove'
        ? `${DEPRECATED_NOTE} the API no longer has this operation. Kept because you edited it (removal policy "remove"); delete it when you no longer need it.`
        : `${DEPRECATED_NOTE} the API no longer has this operation. Kept by api-live-sync (removal policy "deprecate").`;
    const docs = typeof entry.request.docs === 'string' && entry.request.docs !== '' ? `${entry.request.docs}\n\n${note}` : note;
    return { ...entry, request: { ...entry.request, name: `${DEPRECATED_PREFIX}${String(entry.request.name ?? '')}`, docs } };
  },
  unmark(entry) {
    const name = isMarked(entry) ? String(entry.request.name).slice(DEPRECATED_PREFIX.length) : entry.request.name;
    const parts = typeof entry.request.docs === 'string' ? entry.request.docs.split('\n\n') : undefined;
    const kept = parts?.filter((part) => !part.startsWith(DEPRECATED_NOTE));
    if (name === entry.request.name && parts?.length === kept?.length) return entry;
    const { docs: _docs, ...rest } = entry.request;
    const docs = kept?.join('\n\n') ?? '';
    return { ...entry, request: { ...rest, name, ...(docs === '' ? {} : { docs }) } };
  },
};
