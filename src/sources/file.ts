import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { ConfigError, SourceError } from '../errors.js';
import { DEFAULT_MAX_BYTES, openRegularFile, readLimited } from '../spec/index.js';
import type { FetchValidators, SourceFetchContext, SourceFetchResult, SpecSource } from './types.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** The document's path: absolute, or relative to `root` when set, else to the working directory. */
  path: string;
  /**
   * A folder the document must stay inside. When set, the file's real path
   * (after `..` and symlinks are resolved) must lie under the root's real path,
   * else fetch fails with `SOURCE_PATH_ESCAPE`. Default: no containment.
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
  /** Refuse files larger than this many bytes (`SOURCE_TOO_LARGE`). Default 50 MB. */
  maxBytes?: number;
}

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
 * `watch` follows the file's folder, so editors that save by writing a
 * temporary file and renaming it over the document, and a file that is
 * deleted and re-created, are both seen; events are debounced into one
 * `onChange`, and nothing is reported while the file is missing.
 *
 * @example
 * ```ts
 * engine.addSource({ id: 'api', source: fileSource({ path: 'openapi.yaml', root: process.cwd() }), target });
 * ```
 */
export function fileSource(options: FileSourceOptions): SpecSource {
  return new FileSource(options);
}

class FileSource implements SpecSource {
  readonly kind = 'file';
  readonly location: string;
  readonly #root: string | undefined;
  readonly #debounceMs: number;
  readonly #pollMs: number | undefined;
  readonly #maxBytes: number;
  readonly #stops = new Set<() => Promise<void>>();

  constructor(options: FileSourceOptions) {
    if (options === null || typeof options !== 'object') throw new ConfigError(`Expected fileSource options to be an object, got ${String(options)}.`, { hint: 'Call fileSource({ path: "openapi.json" }).' });
    if (typeof options.path !== 'string' || options.path.trim() === '') {
      throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options.path)} (${typeof options.path}).`, { hint: 'Give the path of the OpenAPI document, e.g. "openapi.yaml".' });
    }
    if (options.root !== undefined && (typeof options.root !== 'string' || options.root === '')) {
      throw new ConfigError(`Expected \`root\` to be a non-empty string, got ${JSON.stringify(options.root)}.`, { hint: 'Leave `root` out, or give the folder the file must stay inside.' });
    }
    this.#debounceMs = nonNegative(options.debounceMs, 'debounceMs', DEFAULT_FILE_DEBOUNCE_MS);
    this.#maxBytes = options.maxBytes === undefined ? DEFAULT_MAX_BYTES : positive(options.maxBytes, 'maxBytes');
    const poll = options.poll ?? false;
    if (poll === false) this.#pollMs = undefined;
    else if (poll === true) this.#pollMs = DEFAULT_FILE_POLL_MS;
    else if (typeof poll === 'object' && poll !== null) this.#pollMs = positive(poll.intervalMs, 'poll.intervalMs');
    else throw new ConfigError(`Expected \`poll\` to be a boolean or { intervalMs }, got ${JSON.stringify(poll)}.`, { hint: 'Use `poll: true` or `poll: { intervalMs: 1000 }`.' });
    this.#root = options.root === undefined ? undefined : resolve(options.root);
    this.location = this.#root === undefined ? resolve(options.path) : resolve(this.#root, options.path);
  }

  async fetch({ validators, signal }: SourceFetchContext): Promise<SourceFetchResult> {
    signal.throwIfAborted();
    const path = await this.#resolve();
    let opened;
    try {
      // Never blocks on a FIFO (see openRegularFile); a symlink is refused with ELOOP.
      opened = await openRegularFile(path, { noFollow: true });
    } catch (error) {
      throw this.#fsError(error);
    }
    if (opened.kind === 'other') {
      throw new SourceError('SOURCE_NOT_A_FILE', `Expected a regular file at ${this.location}, found ${opened.found}.`, {
        retryable: false,
        hint: 'Point `path` at the OpenAPI document itself; a folder, FIFO, socket or device is never read (a FIFO would block).',
        details: { path: this.location, found: opened.found },
      });
    }
    const { handle, stats: info } = opened;
    try {
      if (info.size > this.#maxBytes) {
        throw new SourceError('SOURCE_TOO_LARGE', `The file ${this.location} is ${info.size} bytes, over the limit of ${this.#maxBytes}.`, {
          retryable: false,
          hint: 'Raise `maxBytes` if the document really is that large.',
          details: { size: info.size, maxBytes: this.#maxBytes },
        });
      }
      const body = await readLimited(handle.createReadStream({ autoClose: false, start: 0 }), this.#maxBytes, signal, this.location);
      const digest = createHash('sha256').update(body).digest('hex');
      const next: FetchValidators = { fileStamp: `${info.mtimeMs}:${body.byteLength}:${digest}` };
      if (digestOf(validators.fileStamp) === digest) return { kind: 'not-modified', validators: next };
      return { kind: 'raw', body, location: this.location, validators: next };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const target = this.location;
    const folder = dirname(target);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const fire = async (): Promise<void> => {
      timer = undefined;
      // Deleted and not back yet: stay quiet; its `add` event will schedule us again.
      const present = await stat(target).then((info) => info.isFile(), () => false);
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
    const watcher: FSWatcher = chokidarWatch(folder, {
      ignoreInitial: true,
      depth: 0,
      ignored: (path: string) => path !== folder && path !== target,
      usePolling: this.#pollMs !== undefined,
      ...(this.#pollMs === undefined ? {} : { interval: this.#pollMs, binaryInterval: this.#pollMs }),
      atomic: true,
      persistent: true,
    });
    watcher.on('all', (event, path) => {
      if (path === target && (event === 'add' || event === 'change' || event === 'unlink')) schedule();
    });
    // A watcher error (folder removed, too many watches) must not crash the process; the next fetch reports the problem.
    watcher.on('error', () => undefined);
    await new Promise<void>((done) => watcher.once('ready', () => done()));
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      this.#stops.delete(stop);
      await watcher.close();
    };
    this.#stops.add(stop);
    return stop;
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
    return new SourceError('SOURCE_PATH_ESCAPE', `The file ${this.location} resolves to ${resolved}, outside the root ${this.#root ?? ''}.`, {
      retryable: false,
      hint: 'Keep the document inside `root` (no `..` segments or symlinks that lead out), or widen `root`.',
      details: { path: this.location, resolved, root: this.#root },
    });
  }

  #fsError(error: unknown): SourceError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new SourceError('SOURCE_FILE_MISSING', `The file ${this.location} does not exist.`, {
        cause: error,
        hint: `Create ${this.location}, or fix the path; the source will read it as soon as it exists.`,
        details: { path: this.location },
      });
    }
    if (code === 'ELOOP') {
      return new SourceError('SOURCE_FAILED', `The file ${this.location} is a symlink that could not be followed safely.`, {
        cause: error,
        retryable: false,
        hint: 'Point `path` at the real file.',
        details: { path: this.location, errno: code },
      });
    }
    return new SourceError('SOURCE_FAILED', `The file ${this.location} could not be read: ${(error as Error)?.message ?? String(error)}.`, {
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

/** The content digest in a `fileStamp` of the form `mtimeMs:size:sha256`. */
function digestOf(stamp: string | undefined): string | undefined {
  if (stamp === undefined) return undefined;
  const parts = stamp.split(':');
  return parts.length === 3 ? parts[2] : undefined;
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`Expected \`${name}\` to be a number from 0 up, got ${String(value)} (${typeof value}).`, { hint: `Leave \`${name}\` out to use the default of ${fallback}.` });
  }
  return value;
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`Expected \`${name}\` to be a number above 0, got ${String(value)} (${typeof value}).`, { hint: `Give \`${name}\` a positive number or leave it out.` });
  }
  return value;
}
