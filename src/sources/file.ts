import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { ConfigError, SourceError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { bundleDigest, bundleFiles, mayReferenceFiles, type BundledFile } from '../document/index.js';
import { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, openRegularFile, readLimited } from '../document/index.js';
import type { FetchValidators, SourceFetchContext, SourceFetchResult, SpecSource } from './types.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** The document's path: absolute, or relative to `root` when set, else to the working directory. */
  path: string;
  /**
   * A folder the document must stay inside. When set, the file's real path
   * (after `..` and symlinks are resolved) must lie under the root's real path,
   * else fetch fails with `SOURCE_PATH_ESCAPE`. Default: no containment for
   * the document itself. Files it refers to (`$ref: ./schemas/user.yaml`)
   * must lie under the root, or, without one, under the document's folder.
   */
  root?: string;
  /** Quiet time after the last file event before `onChange` runs, in milliseconds (50 ms are added: see `WATCHER_CHANGE_THROTTLE_MS`). Default 300. */
  debounceMs?: number;
  /**
   * Poll the file instead of using native file events: for network drives,
   * containers with bind mounts, and other places where events do not arrive.
   * `true` polls every 500 ms. Default false.
   */
  poll?: boolean | { intervalMs: number };
  /**
   * Refuse a document larger than this many bytes (`SOURCE_TOO_LARGE`): the
   * file, or all files of a multi-file document together. Default 50 MB. A
   * function is asked before every read (with the document's path), so the
   * limit can follow something that changes: the CLI lets a file that
   * api-live-sync wrote itself be read up to the size it wrote.
   */
  maxBytes?: number | ((path: string) => number | Promise<number>);
  /**
   * Keep `$ref`s to URLs (`https://…/user.json`) as written, never fetched,
   * instead of refusing them with `SPEC_REMOTE_REF`. References to local
   * files are always bundled. Default false.
   */
  allowRemoteRefs?: boolean;
}

const FILE_SOURCE_KEYS = optionKeys<FileSourceOptions>()(['path', 'root', 'debounceMs', 'poll', 'maxBytes', 'allowRemoteRefs']);

/** Default of {@link FileSourceOptions.debounceMs}. */
export const DEFAULT_FILE_DEBOUNCE_MS = 300;
/**
 * chokidar drops further `change` events of a file for 50 ms after it emits
 * one, and emits nothing at the end of that window. A write inside the window
 * is invisible, so the quiet timer waits this long on top of `debounceMs`:
 * the file is read at least `debounceMs` after its last write, seen or not.
 */
const WATCHER_CHANGE_THROTTLE_MS = 50;
/** Poll interval used when {@link FileSourceOptions.poll} is `true`. */
export const DEFAULT_FILE_POLL_MS = 500;

/**
 * A source that reads an OpenAPI document (JSON or YAML) from a local file
 * and can watch it for changes.
 *
 * `fetch` reads the bytes and says `not-modified` when they are the same as
 * the last time (compared by SHA-256, so a `touch` costs no parse and a
 * same-size edit within the clock's resolution is still seen). Its
 * `fileStamp` validator is `mtimeMs:size:sha256`. A path that is not a
 * regular file (a folder, a FIFO, a socket, a device) is refused with
 * `SOURCE_NOT_A_FILE` without being opened: opening a FIFO would block.
 *
 * A multi-file document (`$ref: ./schemas/user.yaml`,
 * `../common.yaml#/components/schemas/Error`) is bundled into one: each
 * referenced file lands in `components` (or in place, for path items) and
 * every `$ref` becomes internal (`#/components/schemas/user`). Referenced
 * files are read like the document (FIFO-safe, within `maxBytes` all
 * together) and must stay inside `root` (default: the document's folder,
 * else `SOURCE_PATH_ESCAPE`); a `$ref` to a URL is refused
 * (`SPEC_REMOTE_REF`) unless `allowRemoteRefs`. The stamp covers every
 * file: a change in any is seen, and none is `not-modified`.
 *
 * `watch` follows the folder of the file (and of every file a bundle read),
 * so editors that save by writing a temporary file and renaming it over the
 * document, and a file that is deleted and re-created, are both seen;
 * events are debounced into one `onChange`, and nothing is reported while
 * the document is missing.
 *
 * @example
 * ```ts
 * engine.addSource({ id: 'api', source: fileSource({ path: 'openapi.yaml', root: process.cwd() }), target });
 * ```
 */
export function fileSource(options: FileSourceOptions): SpecSource {
  return new FileSource(options);
}

/** A running watcher: the folders it follows. */
interface Watching {
  readonly watcher: FSWatcher;
  readonly folders: Set<string>;
}

/** A file read for a fetch. */
interface ReadFile {
  body: Buffer;
  mtimeMs: number;
}

class FileSource implements SpecSource {
  readonly kind = 'file';
  readonly location: string;
  readonly #root: string | undefined;
  readonly #debounceMs: number;
  readonly #pollMs: number | undefined;
  readonly #maxBytes: number | ((path: string) => number | Promise<number>);
  readonly #allowRemoteRefs: boolean;
  readonly #stops = new Set<() => Promise<void>>();
  /** The files watched: the document, and every file the last bundle read or tried to read. */
  #watched: ReadonlySet<string>;
  readonly #watching = new Set<Watching>();
  /** The files of the last multi-file read (the document first) and its stamp, to say `not-modified` without a parse. */
  #lastBundle: { files: readonly string[]; stamp: string } | undefined;

  constructor(options: FileSourceOptions) {
    checkOptions('fileSource options', options, FILE_SOURCE_KEYS);
    if (typeof options.path !== 'string' || options.path.trim() === '') {
      throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options.path)} (${typeof options.path}).`, {
        hint: 'Give the path of the OpenAPI document, e.g. "openapi.yaml".',
      });
    }
    if (options.root !== undefined && (typeof options.root !== 'string' || options.root === '')) {
      throw new ConfigError(`Expected \`root\` to be a non-empty string, got ${JSON.stringify(options.root)}.`, {
        hint: 'Leave `root` out, or give the folder the file must stay inside.',
      });
    }
    this.#debounceMs = nonNegative(options.debounceMs, 'debounceMs', DEFAULT_FILE_DEBOUNCE_MS);
    this.#maxBytes =
      options.maxBytes === undefined
        ? DEFAULT_MAX_BYTES
        : typeof options.maxBytes === 'function'
          ? options.maxBytes
          : positive(options.maxBytes, 'maxBytes');
    if (options.allowRemoteRefs !== undefined && typeof options.allowRemoteRefs !== 'boolean') {
      throw new ConfigError(`Expected \`allowRemoteRefs\` to be a boolean, got ${JSON.stringify(options.allowRemoteRefs)}.`, {
        hint: 'Leave it out to refuse `$ref`s to URLs.',
      });
    }
    this.#allowRemoteRefs = options.allowRemoteRefs ?? false;
    const poll = options.poll ?? false;
    if (poll === false) this.#pollMs = undefined;
    else if (poll === true) this.#pollMs = DEFAULT_FILE_POLL_MS;
    else if (typeof poll === 'object' && poll !== null) this.#pollMs = positive(poll.intervalMs, 'poll.intervalMs');
    else
      throw new ConfigError(`Expected \`poll\` to be a boolean or { intervalMs }, got ${JSON.stringify(poll)}.`, {
        hint: 'Use `poll: true` or `poll: { intervalMs: 1000 }`.',
      });
    this.#root = options.root === undefined ? undefined : resolve(options.root);
    this.location = this.#root === undefined ? resolve(options.path) : resolve(this.#root, options.path);
    this.#watched = new Set([this.location]);
  }

  async fetch({ validators, signal }: SourceFetchContext): Promise<SourceFetchResult> {
    signal.throwIfAborted();
    const maxBytes = await this.#limit();
    const path = await this.#resolve();
    const entry = await this.#read(path, maxBytes, signal);
    const known = digestOf(validators.fileStamp);
    const extra = { maxBytes, ...(this.#allowRemoteRefs ? { allowRemoteRefs: true } : {}) };
    // A multi-file document read before: the same bytes in every file is `not-modified`, without a parse.
    const last = this.#lastBundle;
    if (last !== undefined && known !== undefined && known === digestOf(last.stamp)) {
      const again = await this.#readAgain(last.files, entry, maxBytes, signal).catch(() => undefined);
      if (again !== undefined && digestOf(again) === known) return { kind: 'not-modified', validators: { fileStamp: again } };
    }
    if (mayReferenceFiles(entry.body)) {
      const read = new Map<string, number>([[path, entry.mtimeMs]]);
      const tried = new Set([this.location]);
      // The bundle reads several files at once, each listening to the signal: one listener on the caller's.
      const reads = new AbortController();
      setMaxListeners(64, reads.signal);
      const forward = (): void => reads.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      let realRoot: Promise<string> | undefined;
      let bundle;
      try {
        bundle = await bundleFiles(path, entry.body, {
          read: async (file, limit, referrer) => {
            tried.add(file);
            const got = await this.#readReferenced(
              file,
              Math.min(limit, maxBytes),
              referrer,
              reads.signal,
              (realRoot ??= realpath(this.#bundleRoot)),
            );
            read.set(file, got.mtimeMs);
            return got.body;
          },
          maxBytes,
          allowRemoteRefs: this.#allowRemoteRefs,
          maxDepth: DEFAULT_MAX_DEPTH,
          maxAliasCount: DEFAULT_MAX_ALIAS_COUNT,
        });
      } finally {
        signal.removeEventListener('abort', forward);
        // Watch what it read, and what it looked for: a missing file is seen when it appears.
        this.#watch(tried);
      }
      if (bundle !== undefined) {
        const stamp = this.#stamp(bundle.files, read);
        this.#lastBundle = { files: bundle.files.map((file) => file.path), stamp };
        if (known === digestOf(stamp)) return { kind: 'not-modified', validators: { fileStamp: stamp } };
        return {
          kind: 'document',
          document: bundle.document,
          location: this.location,
          validators: { fileStamp: stamp },
          ...(this.#allowRemoteRefs ? { allowRemoteRefs: true } : {}),
        };
      }
    }
    this.#lastBundle = undefined;
    this.#watch(new Set([this.location]));
    const digest = createHash('sha256').update(entry.body).digest('hex');
    const next: FetchValidators = { fileStamp: `${entry.mtimeMs}:${entry.body.byteLength}:${digest}` };
    if (known === digest) return { kind: 'not-modified', validators: next };
    return { kind: 'raw', body: entry.body, location: this.location, validators: next, ...extra };
  }

  /** The byte limit of this read. */
  async #limit(): Promise<number> {
    if (typeof this.#maxBytes === 'number') return this.#maxBytes;
    let value: unknown;
    try {
      value = await this.#maxBytes(this.location);
    } catch (error) {
      throw new ConfigError(
        `The \`maxBytes\` function of the file source ${this.location} failed: ${(error as Error)?.message ?? String(error)}.`,
        { cause: error, hint: 'Return the limit in bytes.' },
      );
    }
    return positive(value as number, 'maxBytes');
  }

  /** The folder referenced files must stay in. */
  get #bundleRoot(): string {
    return this.#root ?? dirname(this.location);
  }

  /** `mtimeMs:size:digest` of a multi-file read: the newest time, the bytes of all files, the combined digest. */
  #stamp(files: readonly BundledFile[], times: ReadonlyMap<string, number>): string {
    const mtime = Math.max(...files.map((file) => times.get(file.path) ?? 0));
    const size = files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
    return `${mtime}:${size}:${bundleDigest(files, (path) => relative(this.#bundleRoot, path))}`;
  }

  /** The stamp the files of the last bundle have now (the document already read); rejects when one cannot be read. */
  async #readAgain(files: readonly string[], entry: ReadFile, maxBytes: number, signal: AbortSignal): Promise<string> {
    const read: BundledFile[] = [{ path: files[0] as string, bytes: entry.body }];
    const times = new Map([[files[0] as string, entry.mtimeMs]]);
    let left = maxBytes - entry.body.byteLength;
    const realRoot = realpath(this.#bundleRoot);
    for (const file of files.slice(1)) {
      const got = await this.#readReferenced(file, left, { file: this.location, ref: file }, signal, realRoot);
      left -= got.body.byteLength;
      read.push({ path: file, bytes: got.body });
      times.set(file, got.mtimeMs);
    }
    return this.#stamp(read, times);
  }

  /** A file a `$ref` names: inside the bundle root (after symlinks), a regular file, within `limit`. */
  async #readReferenced(
    file: string,
    limit: number,
    referrer: { file: string; ref: string },
    signal: AbortSignal,
    rootReal: Promise<string>,
  ): Promise<ReadFile> {
    const root = this.#bundleRoot;
    const escape = (resolved: string) =>
      new SourceError(
        'SOURCE_PATH_ESCAPE',
        `The $ref "${referrer.ref}" in ${referrer.file} leads to ${resolved}, outside the root ${root}.`,
        {
          retryable: false,
          hint:
            this.#root === undefined
              ? 'Keep the referenced files inside the folder of the document, or set `root` to a folder that holds them all.'
              : 'Keep the referenced files inside `root` (no `..` segments or symlinks that lead out), or widen `root`.',
          details: { path: file, resolved, root, ref: referrer.ref, from: referrer.file },
        },
      );
    if (!inside(root, file)) throw escape(file);
    let realFile: string;
    let realRoot: string;
    try {
      realRoot = await rootReal;
      realFile = await realpath(file);
    } catch (error) {
      throw this.#fsError(error, file, referrer);
    }
    if (!inside(realRoot, realFile)) throw escape(realFile);
    return this.#read(realFile, limit, signal, file, referrer);
  }

  /** Read one regular file (never blocking on a FIFO; a symlink refused) within `maxBytes`. `shown` is its path in messages. */
  async #read(
    path: string,
    maxBytes: number,
    signal: AbortSignal,
    shown = this.location,
    referrer?: { file: string; ref: string },
  ): Promise<ReadFile> {
    let opened;
    try {
      // Never blocks on a FIFO (see openRegularFile); a symlink is refused with ELOOP.
      opened = await openRegularFile(path, { noFollow: true });
    } catch (error) {
      throw this.#fsError(error, shown, referrer);
    }
    if (opened.kind === 'other') {
      throw new SourceError('SOURCE_NOT_A_FILE', `Expected a regular file at ${shown}, found ${opened.found}.`, {
        retryable: false,
        hint: 'Point `path` (and every `$ref`) at the OpenAPI files themselves; a folder, FIFO, socket or device is never read (a FIFO would block).',
        details: { path: shown, found: opened.found },
      });
    }
    const { handle, stats: info } = opened;
    try {
      if (info.size > maxBytes) {
        throw new SourceError(
          'SOURCE_TOO_LARGE',
          `The file ${shown} is ${info.size} bytes, over the limit of ${maxBytes}${shown === this.location ? '' : ' (what is left of `maxBytes` for the files of the document)'}.`,
          {
            retryable: false,
            hint: 'Raise `maxBytes` if the document really is that large.',
            details: { size: info.size, maxBytes, path: shown },
          },
        );
      }
      // Most files of a multi-file document are small: read them in one call instead of through a stream.
      const small = info.size < SMALL_FILE_BYTES ? await readSmall(handle, info.size, maxBytes) : undefined;
      signal.throwIfAborted();
      const body = small ?? (await readLimited(handle.createReadStream({ autoClose: false, start: 0 }), maxBytes, signal, shown));
      return { body, mtimeMs: info.mtimeMs };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const target = this.location;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const fire = async (): Promise<void> => {
      timer = undefined;
      // Deleted and not back yet: stay quiet; its `add` event will schedule us again.
      const present = await stat(target).then(
        (info) => info.isFile(),
        () => false,
      );
      if (!present || stopped) return;
      try {
        onChange();
      } catch {
        // The listener's failure is the engine's to report; the watcher keeps going.
      }
    };
    const schedule = (): void => {
      if (stopped) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void fire(), this.#debounceMs + WATCHER_CHANGE_THROTTLE_MS);
    };
    const folders = foldersOf(this.#watched);
    const watcher: FSWatcher = chokidarWatch([...folders], {
      ignoreInitial: true,
      depth: 0,
      // Only the watched folders and the watched files in them; the set changes as bundles read other files.
      ignored: (path: string) => !folders.has(path) && !this.#watched.has(path),
      usePolling: this.#pollMs !== undefined,
      ...(this.#pollMs === undefined ? {} : { interval: this.#pollMs, binaryInterval: this.#pollMs }),
      atomic: true,
      persistent: true,
    });
    watcher.on('all', (event, path) => {
      if (this.#watched.has(path) && (event === 'add' || event === 'change' || event === 'unlink')) schedule();
    });
    // A watcher error (folder removed, too many watches) must not crash the process; the next fetch reports the problem.
    watcher.on('error', () => undefined);
    await new Promise<void>((done) => watcher.once('ready', () => done()));
    const watching: Watching = { watcher, folders };
    this.#watching.add(watching);
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      this.#stops.delete(stop);
      this.#watching.delete(watching);
      await watcher.close();
    };
    this.#stops.add(stop);
    return stop;
  }

  /** Watch these files (the document always among them) from now on: running watchers follow their folders. */
  #watch(files: ReadonlySet<string>): void {
    const next = new Set([this.location, ...files]);
    if (next.size === this.#watched.size && [...next].every((file) => this.#watched.has(file))) return;
    this.#watched = next;
    const wanted = foldersOf(next);
    for (const { watcher, folders } of this.#watching) {
      const added = [...wanted].filter((folder) => !folders.has(folder));
      const dropped = [...folders].filter((folder) => !wanted.has(folder));
      for (const folder of added) folders.add(folder);
      for (const folder of dropped) folders.delete(folder);
      if (added.length > 0) watcher.add(added);
      if (dropped.length > 0) watcher.unwatch(dropped);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#stops].map((stop) => stop()));
  }

  /** The path to open: checked against the root, with symlinks resolved, when a root is set. */
  async #resolve(): Promise<string> {
    const root = this.#root;
    if (root === undefined) return this.location;
    if (!inside(root, this.location)) throw this.#escape(this.location);
    let realRoot: string;
    let realFile: string;
    try {
      realRoot = await realpath(root);
    } catch (error) {
      throw new SourceError('SOURCE_FAILED', `The root folder ${root} cannot be resolved: ${(error as Error).message}.`, {
        cause: error,
        retryable: false,
        hint: 'Point `root` at an existing folder.',
      });
    }
    try {
      realFile = await realpath(this.location);
    } catch (error) {
      throw this.#fsError(error);
    }
    if (!inside(realRoot, realFile)) throw this.#escape(realFile);
    return realFile;
  }

  #escape(resolved: string): SourceError {
    return new SourceError(
      'SOURCE_PATH_ESCAPE',
      `The file ${this.location} resolves to ${resolved}, outside the root ${this.#root ?? ''}.`,
      {
        retryable: false,
        hint: 'Keep the document inside `root` (no `..` segments or symlinks that lead out), or widen `root`.',
        details: { path: this.location, resolved, root: this.#root },
      },
    );
  }

  /** A file system error reading `path` (the document, or a file `referrer` names) as a `SourceError`. */
  #fsError(error: unknown, path = this.location, referrer?: { file: string; ref: string }): SourceError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const named = referrer === undefined ? '' : ` (named by the $ref "${referrer.ref}" in ${referrer.file})`;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new SourceError('SOURCE_FILE_MISSING', `The file ${path}${named} does not exist.`, {
        cause: error,
        hint:
          referrer === undefined
            ? `Create ${path}, or fix the path; the source will read it as soon as it exists.`
            : `Create ${path}, or fix the $ref; a watching source reads it as soon as it exists.`,
        details: { path, ...(referrer === undefined ? {} : { ref: referrer.ref, from: referrer.file }) },
      });
    }
    if (code === 'ELOOP') {
      return new SourceError('SOURCE_FAILED', `The file ${path}${named} is a symlink that could not be followed safely.`, {
        cause: error,
        retryable: false,
        hint: 'Point `path` at the real file.',
        details: { path: this.location, errno: code },
      });
    }
    return new SourceError('SOURCE_FAILED', `The file ${path}${named} could not be read: ${(error as Error)?.message ?? String(error)}.`, {
      cause: error,
      hint: code === 'EACCES' || code === 'EPERM' ? 'Give the process permission to read the file.' : 'Check the file and try again.',
      details: { errno: code },
    });
  }
}

/** True when `path` is `root` itself or lies under it. Both must be absolute and normalised. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** Files below this size are read with one `read` call (see {@link readSmall}). */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * The bytes of a file of `size` bytes (its size when opened), or `undefined`
 * when it has grown since (the caller then streams it within the limit).
 * Reads at most one byte more than expected, so a growing file costs no
 * more than that.
 */
async function readSmall(handle: FileHandle, size: number, maxBytes: number): Promise<Buffer | undefined> {
  const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
  return undefined;
}

/** The folders of some files. */
function foldersOf(files: Iterable<string>): Set<string> {
  return new Set([...files].map((file) => dirname(file)));
}

/** The content digest in a `fileStamp` of the form `mtimeMs:size:sha256`. */
function digestOf(stamp: string | undefined): string | undefined {
  if (stamp === undefined) return undefined;
  const parts = stamp.split(':');
  return parts.length === 3 ? parts[2] : undefined;
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`Expected \`${name}\` to be a number from 0 up, got ${String(value)} (${typeof value}).`, {
      hint: `Leave \`${name}\` out to use the default of ${fallback}.`,
    });
  }
  return value;
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`Expected \`${name}\` to be a number above 0, got ${String(value)} (${typeof value}).`, {
      hint: `Give \`${name}\` a positive number or leave it out.`,
    });
  }
  return value;
}
