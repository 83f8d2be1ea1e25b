/**
 * Bundle a multi-file OpenAPI document into one: every `$ref` to another
 * local file (`./network.json`, `components/schemas/user.yaml`,
 * `../common.yaml#/components/schemas/Error`) is replaced by an internal
 * reference (`#/components/schemas/user`) to a copy of what it pointed at,
 * or, where OpenAPI has no components section for it (path items, media
 * types), by the content itself.
 *
 * The bundler knows OpenAPI the way the loader does (`inspectTree`): a
 * `$ref` inside an example, a default, an enum, `const` or an `x-`
 * extension is data and is left alone, and so is a key named `$ref` in a map
 * of author-chosen names. Every file is read through the caller's `read`
 * (the file source: its root, its FIFO-safe open, its byte limit) and parsed
 * by the loader's own parser (the same YAML rules and limits as a one-file
 * document). A root component that is only a `$ref` to a file
 * (`components: schemas: User: {$ref: ./user.yaml}`) gets that file's
 * content under its own name, so bundling what `splitSpec`-style tools
 * split gives back the document they split. References between files may be
 * circular. URLs are refused (`SPEC_REMOTE_REF`) unless `allowRemoteRefs`,
 * which keeps them as written, never fetched.
 *
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { SourceError, SpecError } from '../errors.js';
import { childFlags, type FastFlags } from './inspect.js';
import { parseBytes } from './load.js';
import type { ParseOptions } from './parse.js';

/** Reads one file of a bundle; `limit` is what is left of the byte budget. Throws a typed error. */
export type BundleReader = (path: string, limit: number, referrer: { file: string; ref: string }) => Promise<Uint8Array>;

/** Options of {@link bundleFiles}. */
export interface BundleOptions extends Pick<ParseOptions, 'maxDepth' | 'maxAliasCount'> {
  /** Reads a referenced file (an absolute path); the caller checks where it may be. */
  read: BundleReader;
  /** Byte budget of all files together, the entry's included. */
  maxBytes: number;
  /** Keep `$ref`s to URLs as written instead of refusing them. */
  allowRemoteRefs: boolean;
}

/** One file a bundle read. */
export interface BundledFile {
  /** Absolute path. */
  path: string;
  bytes: Uint8Array;
}

/** What {@link bundleFiles} made: the one-file document and every file it read, the entry first. */
export interface BundleResult {
  document: Record<string, unknown>;
  files: BundledFile[];
  warnings: string[];
}

/** Components sections a bundled file can live in, by the keyword that names them. */
const SECTIONS = new Set([
  'schemas',
  'parameters',
  'responses',
  'requestBodies',
  'headers',
  'examples',
  'links',
  'callbacks',
  'securitySchemes',
  'pathItems',
]);
/** Maps whose values are schemas. */
const SCHEMA_MAPS = new Set(['schemas', 'properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = new Set([
  'schema',
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'additionalItems',
  'contentSchema',
]);
/** How many files are read at the same time. */
const READS_AT_ONCE = 16;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/**
 * A cheap look at a file's bytes: could it hold a `$ref` to another file?
 * True when some `$ref` key's value does not start with `#`. A false "yes"
 * costs a parse; a false "no" (a `$ref` key written with escapes) leaves
 * the reference to the loader, which refuses it.
 */
export function mayReferenceFiles(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /\$ref['"]?\s*:\s*(?!['"]?#)/.test(text);
}

/**
 * Bundle the document in `entryBytes` (read from the absolute path `entry`).
 * Returns `undefined` when it refers to no other file: the caller then loads
 * the bytes as they are.
 */
export async function bundleFiles(entry: string, entryBytes: Uint8Array, options: BundleOptions): Promise<BundleResult | undefined> {
  const bundler = new Bundler(entry, entryBytes, options);
  return bundler.run();
}

/** Where a walked value sits: its file (for relative references) and how its keys are read. */
interface Place {
  file: string;
  flags: FastFlags;
  /** The key of the parent object holding this value, when the parent is a map of names ('' otherwise). */
  inMap: string;
  /** The key this value sits under in its parent. */
  key: string;
  /** The parent's key, for list items (`allOf/0`): the list's own key. */
  listKey: string;
  depth: number;
}

class Bundler {
  readonly #entry: string;
  readonly #options: BundleOptions;
  readonly #docs = new Map<string, unknown>();
  readonly #files: BundledFile[] = [];
  readonly #warnings: string[] = [];
  /** `file#pointer` → the internal reference of its home in components. */
  readonly #homes = new Map<string, string>();
  /** Components added by the bundle, by section. */
  readonly #added = new Map<string, Map<string, unknown>>();
  /** Names taken per section (the entry's own and the added ones), lower-cased. */
  readonly #taken = new Map<string, Set<string>>();
  /** Targets being inlined, to refuse a cycle that has no components home. */
  readonly #inlining = new Set<string>();
  #bytes = 0;
  #external = false;

  constructor(entry: string, entryBytes: Uint8Array, options: BundleOptions) {
    this.#entry = entry;
    this.#options = options;
    this.#bytes = entryBytes.byteLength;
    this.#files.push({ path: entry, bytes: entryBytes });
    this.#docs.set(entry, this.#parse(entry, entryBytes));
  }

  async run(): Promise<BundleResult | undefined> {
    const root = this.#docs.get(this.#entry);
    if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
    const components = (root as Record<string, unknown>).components;
    // Root components that are only a reference to a file take that file's content under their own name.
    const filled = new Map<string, string>();
    if (isRecord(components)) {
      for (const [section, entries] of Object.entries(components)) {
        if (!SECTIONS.has(section) || !isRecord(entries)) continue;
        const taken = this.#takenIn(section);
        for (const [name, value] of Object.entries(entries)) {
          taken.add(name.toLowerCase());
          if (!isRecord(value) || Object.keys(value).length !== 1 || typeof value.$ref !== 'string' || !isFileRef(value.$ref)) continue;
          const key = this.#targetKey(this.#entry, value.$ref);
          const home = `#/components/${escapePointer(section)}/${escapePointer(name)}`;
          if (!this.#homes.has(key)) {
            this.#homes.set(key, home);
            filled.set(home, value.$ref);
          }
        }
      }
    }
    const top: Place = { file: this.#entry, flags: childFlags(undefined, false, '', false), inMap: '', key: '', listKey: '', depth: 1 };
    await this.#loadAll(top);
    const document = this.#walkObject(root as Record<string, unknown>, top, filled) as Record<string, unknown>;
    if (!this.#external) return undefined;
    if (this.#added.size > 0) {
      const merged: Record<string, unknown> = isRecord(document.components) ? { ...document.components } : {};
      for (const [section, entries] of this.#added) {
        merged[section] = { ...(isRecord(merged[section]) ? merged[section] : {}), ...Object.fromEntries(entries) };
      }
      document.components = merged;
    }
    return { document, files: this.#files, warnings: this.#warnings };
  }

  #parse(file: string, bytes: Uint8Array): unknown {
    const { maxDepth, maxAliasCount } = this.#options;
    return parseBytes(bytes, { maxDepth, maxAliasCount, contentType: undefined, where: ` from ${file}` }, this.#warnings).value;
  }

  #takenIn(section: string): Set<string> {
    let taken = this.#taken.get(section);
    if (taken === undefined) this.#taken.set(section, (taken = new Set()));
    return taken;
  }

  /** `file#pointer` of the target of `ref` written in `from`. */
  #targetKey(from: string, ref: string): string {
    const hash = ref.indexOf('#');
    const path = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    const file = path === '' ? from : resolve(dirname(from), decodePath(path));
    return `${file}#${pointer === '/' ? '' : pointer}`;
  }

  #walk(value: unknown, place: Place): unknown {
    // YAML 1.1 timestamps parse to Dates: JSON keeps their text, as the loader does.
    if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
      value = (value as { toJSON: () => unknown }).toJSON();
    if (value === null || typeof value !== 'object') return value;
    if (place.depth > this.#options.maxDepth) {
      throw new SpecError('SPEC_TOO_DEEP', `The document from ${place.file} is nested deeper than ${this.#options.maxDepth} levels.`, {
        hint: 'Real OpenAPI documents are far shallower; check the generator, or raise `maxDepth` if the nesting is intended.',
        details: { maxDepth: this.#options.maxDepth },
      });
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const isArray = Array.isArray(item);
        out.push(
          this.#walk(item, {
            ...place,
            flags: childFlags(place.flags, true, String(i), isArray),
            inMap: '',
            key: String(i),
            listKey: place.key,
            depth: place.depth + 1,
          }),
        );
      }
      return out;
    }
    return this.#walkObject(value as Record<string, unknown>, place, undefined);
  }

  #walkObject(record: Record<string, unknown>, place: Place, filled: Map<string, string> | undefined): unknown {
    const { flags } = place;
    const ref = record.$ref;
    if (
      typeof ref === 'string' &&
      ref !== '' &&
      !flags.freeForm &&
      !flags.namedMap &&
      (isFileRef(ref) || place.file !== this.#entry) &&
      !isUrl(ref)
    ) {
      const target = this.#place(place, ref);
      if (target.inline !== undefined) return target.inline;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(record)) out[key] = key === '$ref' ? target.ref : this.#child(item, key, place);
      return out;
    }
    if (typeof ref === 'string' && !flags.freeForm && !flags.namedMap && isUrl(ref) && !this.#options.allowRemoteRefs) {
      throw new SpecError('SPEC_REMOTE_REF', `The document from ${place.file} has a $ref to a URL: "${ref}".`, {
        hint: 'Only references to local files are bundled; save the referenced document next to the others and refer to the file, or set `allowRemoteRefs: true` to keep such references as written (they are never fetched).',
        details: { ref, file: place.file },
      });
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      let next: unknown;
      if (filled !== undefined && key === 'components' && isRecord(item)) next = this.#walkComponents(item, place, filled);
      else if (key === 'mapping' && place.key === 'discriminator' && !flags.freeForm && isRecord(item))
        next = this.#walkMapping(item, place);
      else next = this.#child(item, key, place);
      if (key === '__proto__') Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
      else out[key] = next;
    }
    return out;
  }

  #child(item: unknown, key: string, place: Place): unknown {
    return this.#walk(item, {
      file: place.file,
      flags: childFlags(place.flags, false, key, Array.isArray(item)),
      inMap: place.flags.namedMap ? place.key : '',
      key,
      listKey: '',
      depth: place.depth + 1,
    });
  }

  /** The entry's `components`: the entries that were only a file reference get the file's content. */
  #walkComponents(components: Record<string, unknown>, place: Place, filled: Map<string, string>): unknown {
    const inner: Place = {
      ...place,
      flags: childFlags(place.flags, false, 'components', false),
      key: 'components',
      inMap: '',
      depth: place.depth + 1,
    };
    const out: Record<string, unknown> = {};
    for (const [section, entries] of Object.entries(components)) {
      if (!SECTIONS.has(section) || !isRecord(entries)) {
        out[section] = this.#child(entries, section, inner);
        continue;
      }
      const map: Place = { ...inner, flags: childFlags(inner.flags, false, section, false), key: section, depth: inner.depth + 1 };
      const walked: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(entries)) {
        const ref = filled.get(`#/components/${escapePointer(section)}/${escapePointer(name)}`);
        const at: Place = { ...map, flags: childFlags(map.flags, false, name, false), inMap: section, key: name, depth: map.depth + 1 };
        walked[name] = ref === undefined ? this.#walk(value, at) : this.#content(this.#targetKey(this.#entry, ref), at, ref);
      }
      out[section] = walked;
    }
    return out;
  }

  /** A discriminator's mapping: values that name a file (`./dog.yaml`) become references to the bundled schema. */
  #walkMapping(mapping: Record<string, unknown>, place: Place): unknown {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(mapping)) {
      const local =
        typeof value === 'string' &&
        !isUrl(value) &&
        (value.startsWith('#') ? place.file !== this.#entry : value.includes('/') || /\.(json|ya?ml)(#|$)/i.test(value));
      out[name] = local ? this.#place({ ...place, inMap: 'schemas' }, value as string).ref : value;
    }
    return out;
  }

  /**
   * Where the target of `ref`, written at `place`, goes: an internal
   * reference to its home in components (made on first sight), or, for what
   * has no components section, its content in place.
   */
  #place(place: Place, ref: string): { ref?: string; inline?: unknown } {
    this.#external = true;
    const key = this.#targetKey(place.file, ref);
    const hash = key.indexOf('#');
    const file = key.slice(0, hash);
    const pointer = key.slice(hash + 1);
    // Back into the entry: its own parts stay where they are.
    if (file === this.#entry) return { ref: `#${pointer}` };
    const known = this.#homes.get(key);
    if (known !== undefined) return { ref: known };
    const section = sectionOf(place);
    if (section === undefined) {
      if (this.#inlining.has(key)) {
        throw new SpecError(
          'SPEC_INVALID',
          `The $ref "${ref}" in ${place.file} leads back to itself through parts that have no components section (path items, media types).`,
          {
            hint: 'Break the cycle, or move the shared part into `components` and refer to it there.',
            details: { ref, file: place.file },
          },
        );
      }
      this.#inlining.add(key);
      try {
        return { inline: this.#content(key, place, ref) };
      } finally {
        this.#inlining.delete(key);
      }
    }
    const name = this.#name(section, file, pointer);
    const home = `#/components/${section}/${escapePointer(name)}`;
    this.#homes.set(key, home);
    let entries = this.#added.get(section);
    if (entries === undefined) this.#added.set(section, (entries = new Map()));
    entries.set(name, null);
    const at: Place = {
      file,
      flags: childFlags(childFlags(undefined, false, section, false), false, name, false),
      inMap: section,
      key: name,
      listKey: '',
      depth: 4,
    };
    entries.set(name, this.#content(key, at, ref));
    return { ref: home };
  }

  /** The target of `key` (`file#pointer`), walked as if it sat at `place` (whose `file` is replaced by the target's). */
  #content(key: string, place: Place, ref: string): unknown {
    const hash = key.indexOf('#');
    const file = key.slice(0, hash);
    const pointer = key.slice(hash + 1);
    const document = this.#docs.get(file);
    const target = resolvePointer(document, pointer);
    if (target === undefined) {
      throw new SpecError(
        'SPEC_INVALID',
        `The $ref "${ref}" in ${place.file} points at nothing: ${file} has no ${pointer === '' ? 'document' : `"#${pointer}"`}.`,
        {
          hint: 'Fix the reference (the part after `#` is a JSON Pointer into that file), or add what it names.',
          details: { ref, file: place.file, target: file, pointer },
        },
      );
    }
    return this.#walk(target, { ...place, file });
  }

  /**
   * Read and parse every file the entry leads to, breadth first, before the
   * (synchronous) walk: the references of each file are found by the same
   * rules as the walk's, from the file's own top.
   */
  async #loadAll(top: Place): Promise<void> {
    let level: string[] = [this.#entry];
    while (level.length > 0) {
      // The files this level leads to, each once, with the first file and `$ref` that named it (for messages).
      const wanted = new Map<string, { from: string; ref: string }>();
      for (const file of level) {
        const found: Array<[string, string]> = [];
        this.#scan(this.#docs.get(file), { ...top, file }, found);
        for (const [target, ref] of found) if (!this.#docs.has(target) && !wanted.has(target)) wanted.set(target, { from: file, ref });
      }
      // A few reads at a time: the thread pool does them in parallel; their order in `files` stays the order they were named.
      const targets = [...wanted];
      for (let i = 0; i < targets.length; i += READS_AT_ONCE) {
        const batch = targets.slice(i, i + READS_AT_ONCE);
        const read = await Promise.all(batch.map(([target, { from, ref }]) => this.#read(target, from, ref)));
        batch.forEach(([target], j) => this.#add(target, read[j] as Uint8Array));
      }
      level = targets.map(([target]) => target);
    }
  }

  /** Collect into `wanted` the files (and the `$ref` naming each) that references in `value` lead to. */
  #scan(value: unknown, place: Place, wanted: Array<[string, string]>): void {
    if (value === null || typeof value !== 'object' || place.depth > this.#options.maxDepth) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        this.#scan(
          value[i],
          { ...place, flags: childFlags(place.flags, true, String(i), Array.isArray(value[i])), key: String(i), depth: place.depth + 1 },
          wanted,
        );
      return;
    }
    const record = value as Record<string, unknown>;
    const { flags } = place;
    const want = (ref: string): void => {
      const key = this.#targetKey(place.file, ref);
      wanted.push([key.slice(0, key.indexOf('#')), ref]);
    };
    if (typeof record.$ref === 'string' && !flags.freeForm && !flags.namedMap && isFileRef(record.$ref)) want(record.$ref);
    for (const key in record) {
      const item = record[key];
      if (item === null || typeof item !== 'object') continue;
      if (key === 'mapping' && place.key === 'discriminator' && !flags.freeForm) {
        for (const target of Object.values(item))
          if (typeof target === 'string' && isFileRef(target) && (target.includes('/') || /\.(json|ya?ml)(#|$)/i.test(target)))
            want(target);
        continue;
      }
      this.#scan(item, { ...place, flags: childFlags(flags, false, key, Array.isArray(item)), key, depth: place.depth + 1 }, wanted);
    }
  }

  #read(file: string, from: string, ref: string): Promise<Uint8Array> {
    return this.#options.read(file, Math.max(0, this.#options.maxBytes - this.#bytes), { file: from, ref });
  }

  /** Count, keep and parse the bytes of a file read for the bundle. */
  #add(file: string, bytes: Uint8Array): void {
    this.#bytes += bytes.byteLength;
    if (this.#bytes > this.#options.maxBytes) {
      throw new SourceError(
        'SOURCE_TOO_LARGE',
        `The files of the document from ${this.#entry} add up to more than the limit of ${this.#options.maxBytes} bytes (${this.#files.length + 1} files read).`,
        {
          retryable: false,
          hint: 'Raise `maxBytes` if the document really is that large.',
          details: { maxBytes: this.#options.maxBytes, files: this.#files.length + 1 },
        },
      );
    }
    this.#files.push({ path: file, bytes });
    this.#docs.set(file, this.#parse(file, bytes));
  }

  /** A component name for the target: the pointer's last part, else the file name without its extension; unique in its section. */
  #name(section: string, file: string, pointer: string): string {
    const last =
      pointer === ''
        ? (file.split(/[\\/]/).pop() ?? 'part').replace(/\.(json|ya?ml)$/i, '')
        : unescapePointer(pointer.split('/').pop() ?? '');
    const base = last.replace(/[^A-Za-z0-9._-]+/g, '_') || 'part';
    const taken = this.#takenIn(section);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    return name;
  }
}

/** The components section a reference written at `place` lives in, or `undefined` when it is inlined. */
function sectionOf(place: Place): string | undefined {
  if (place.inMap !== '') {
    if (SCHEMA_MAPS.has(place.inMap)) return 'schemas';
    if (SECTIONS.has(place.inMap) && place.inMap !== 'pathItems') return place.inMap;
    return undefined;
  }
  if (SCHEMA_KEYWORDS.has(place.key)) return 'schemas';
  if (place.key === 'requestBody') return 'requestBodies';
  if (place.listKey !== '') {
    if (SCHEMA_LISTS.has(place.listKey)) return 'schemas';
    if (place.listKey === 'parameters') return 'parameters';
  }
  return undefined;
}

/** The combined digest of a bundle's files: of each file's path (relative to `base`) and SHA-256. */
export function bundleDigest(files: readonly BundledFile[], relative: (path: string) => string): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${relative(file.path)}\0${createHash('sha256').update(file.bytes).digest('hex')}\n`);
  return hash.digest('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A `$ref` to another document: not a fragment of this one. */
function isFileRef(ref: string): boolean {
  return ref !== '' && !ref.startsWith('#') && !isUrl(ref);
}

/** `http:`, `https:`, `file:` and any other scheme, or a network-path reference (`//host/…`). */
function isUrl(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('//');
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointer(part: string): string {
  return decodePath(part).replaceAll('~1', '/').replaceAll('~0', '~');
}

/** The value a JSON Pointer (`/a/b`, maybe percent-encoded) names in `document`, or `undefined`. */
function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let node = document;
  for (const raw of pointer.slice(1).split('/')) {
    const part = unescapePointer(raw);
    if (Array.isArray(node)) node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    else if (isRecord(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}
