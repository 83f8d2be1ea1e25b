/**
 * A Bruno collection folder as data: its files parsed with `@usebruno/lang`
 * into {@link BrunoCollection}, and back into the files' bytes.
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import type { FolderFiles } from './folder.js';
import type { BruEnvironmentFile, BruFolderFile, BruLang, BruRequestFile } from './lang.js';

/** `bruno.json`: `{ version: "1", name, type: "collection" }` and whatever else the app keeps there. */
export interface BrunoConfig {
  version: string;
  name: string;
  type: 'collection';
  [key: string]: unknown;
}

/**
 * A collection folder's files, parsed. Keys are paths relative to the
 * folder, `/`-separated: requests by file (`pets/List pets.bru`), folders by
 * directory (`pets`), environments by name (`environments/local.bru` →
 * `local`).
 */
export interface BrunoCollection {
  /** `bruno.json`. */
  config: BrunoConfig;
  /** `collection.bru`, when there is one. */
  root?: BruFolderFile;
  /** Every directory that holds requests or folders, with its `folder.bru` (`{}` when it has none). */
  folders: Record<string, BruFolderFile>;
  /** Every request file (`.bru` outside `environments/`, other than `folder.bru` and `collection.bru`). */
  requests: Record<string, BruRequestFile>;
  /** `environments/NAME.bru` by NAME. */
  environments: Record<string, BruEnvironmentFile>;
}

/**
 * What a target parsed before, by file path: the bytes and what they parsed
 * to. {@link parseBrunoFiles} parses only files whose bytes changed (Bruno's
 * parser costs milliseconds a file; a sync changes few).
 */
export type BrunoParseCache = Map<string, { bytes: Buffer; value: unknown }>;

/** The folder that holds environments. */
export const ENVIRONMENTS_FOLDER = 'environments';

/**
 * Parse a collection folder's files (as {@link BrunoFolder.read} gives
 * them). A file Bruno's parser refuses is a `TargetError`
 * `TARGET_INVALID` naming it; the folder is then never written.
 */
export function parseBrunoFiles(files: FolderFiles, lang: BruLang, where: string, cache?: BrunoParseCache): BrunoCollection {
  const parse = <T>(path: string, read: (text: string) => T): T => {
    const bytes = files.get(path) as Buffer;
    const known = cache?.get(path);
    // A copy: callers own what they get (the tree is built from it).
    if (known !== undefined && known.bytes.equals(bytes)) return structuredClone(known.value) as T;
    try {
      const value = read(bytes.toString('utf8'));
      cache?.set(path, { bytes, value: structuredClone(value) });
      return value;
    } catch (error) {
      throw new TargetError('TARGET_INVALID', `${where}/${path} is not a file Bruno can read: ${(error as Error).message}`, {
        cause: error,
        hint: 'Fix the file (open the collection in Bruno to see the error), or restore it from version control; the engine does not overwrite a collection it cannot read.',
        details: { path: `${where}/${path}` },
      });
    }
  };
  const configText = files.get('bruno.json');
  if (configText === undefined) {
    throw new TargetError('TARGET_INVALID', `${where} has .bru files but no bruno.json: it is not a Bruno collection folder.`, {
      hint: 'Point the target at the collection folder (the one holding bruno.json), or at an empty or new folder.',
      details: { path: where },
    });
  }
  const config = parse('bruno.json', (text) => JSON.parse(text) as BrunoConfig);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TargetError('TARGET_INVALID', `${where}/bruno.json is not a JSON object.`, {
      hint: 'Restore bruno.json: {"version": "1", "name": "…", "type": "collection"}.',
      details: { path: `${where}/bruno.json` },
    });
  }
  const collection: BrunoCollection = { config, folders: {}, requests: {}, environments: {} };
  if (cache !== undefined) for (const path of cache.keys()) if (!files.has(path)) cache.delete(path);
  for (const path of files.keys()) {
    if (path === 'bruno.json') continue;
    if (path === 'collection.bru') collection.root = parse(path, (t) => lang.collectionBruToJson(t));
    else if (path.startsWith(`${ENVIRONMENTS_FOLDER}/`) && path.split('/').length === 2)
      collection.environments[path.slice(ENVIRONMENTS_FOLDER.length + 1, -'.bru'.length)] = parse(path, (t) => lang.bruToEnvJsonV2(t));
    else if (path.endsWith('/folder.bru'))
      collection.folders[path.slice(0, -'/folder.bru'.length)] = parse(path, (t) => lang.collectionBruToJson(t));
    else if (path !== 'folder.bru') collection.requests[path] = parse(path, (t) => lang.bruToJsonV2(t));
  }
  // Directories without a folder.bru are folders too.
  for (const path of [...Object.keys(collection.requests), ...Object.keys(collection.folders)]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!(folder in collection.folders)) collection.folders[folder] = {};
    }
  }
  return collection;
}

/**
 * The files of a collection: `bruno.json` (JSON, two-space indent),
 * `collection.bru`, `folder.bru` of each folder that has settings, one
 * `.bru` per request and per environment, written by `@usebruno/lang`.
 */
export function brunoFiles(collection: BrunoCollection, lang: BruLang): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('bruno.json', Buffer.from(`${JSON.stringify(collection.config, null, 2)}\n`));
  if (collection.root !== undefined) files.set('collection.bru', Buffer.from(lang.jsonToCollectionBru(structuredClone(collection.root))));
  for (const [path, folder] of Object.entries(collection.folders)) {
    if (Object.keys(folder).length > 0) files.set(`${path}/folder.bru`, Buffer.from(lang.jsonToCollectionBru(structuredClone(folder))));
  }
  for (const [path, request] of Object.entries(collection.requests)) {
    // jsonToBruV2 changes what it is given (it deletes meta.tags): a copy.
    files.set(path, Buffer.from(lang.jsonToBruV2(structuredClone(request))));
  }
  for (const [name, environment] of Object.entries(collection.environments)) {
    files.set(`${ENVIRONMENTS_FOLDER}/${name}.bru`, Buffer.from(lang.envJsonToBruV2(structuredClone(environment))));
  }
  return files;
}
