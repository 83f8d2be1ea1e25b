import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSyncError, type SyncError } from '../../src/errors.js';
import { SyncEngine } from '../../src/index.js';
import { fileSource } from '../../src/sources/file.js';
import { MemoryTarget } from '../../src/testing/index.js';
import type { FetchValidators, SourceFetchResult, SpecSource } from '../../src/sources/types.js';

const doc = (title: string) => JSON.stringify({ openapi: '3.0.3', info: { title, version: '1' }, paths: {} });

let dir: string;
const sources: SpecSource[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'als-file-'));
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close?.()));
  await rm(dir, { recursive: true, force: true });
});

function track(source: SpecSource): SpecSource {
  sources.push(source);
  return source;
}

function fetch(source: SpecSource, validators: FetchValidators = {}): Promise<SourceFetchResult> {
  return source.fetch({ validators, signal: new AbortController().signal });
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

/** Wait until `check` holds (polling every 10 ms), or fail after `ms`. */
async function until(check: () => boolean, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('fileSource.fetch', () => {
  it('returns the bytes with location and validators, then not-modified while the bytes stay the same', async () => {
    const path = join(dir, 'openapi.json');
    await writeFile(path, doc('A'));
    const source = fileSource({ path });
    const first = await fetch(source);
    expect(first.kind).toBe('raw');
    if (first.kind !== 'raw') return;
    expect(Buffer.from(first.body).toString()).toBe(doc('A'));
    expect(first.location).toBe(path);
    expect(first.validators?.fileStamp).toMatch(/^[\d.]+:\d+:[0-9a-f]{64}$/);
    const second = await fetch(source, first.validators);
    expect(second.kind).toBe('not-modified');
    // touch: new mtime, same bytes: still not modified, with a refreshed stamp
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const touched = await fetch(source, first.validators);
    expect(touched.kind).toBe('not-modified');
    expect(touched.validators?.fileStamp).not.toBe(first.validators?.fileStamp);
    await writeFile(path, doc('B'));
    expect((await fetch(source, first.validators)).kind).toBe('raw');
  });

  it('sees a same-size edit that keeps the modification time', async () => {
    const path = join(dir, 'openapi.json');
    const fixed = new Date(1_700_000_000_000);
    await writeFile(path, doc('A'));
    await utimes(path, fixed, fixed);
    const before = await stat(path);
    const source = fileSource({ path });
    const first = await fetch(source);
    await writeFile(path, doc('Z'));
    await utimes(path, fixed, fixed);
    const after = await stat(path);
    expect(`${after.mtimeMs}:${after.size}`).toBe(`${before.mtimeMs}:${before.size}`);
    const second = await fetch(source, first.validators);
    expect(second.kind).toBe('raw');
  });

  it('reports a missing file as retryable SOURCE_FILE_MISSING naming the path', async () => {
    const path = join(dir, 'nope.yaml');
    const error = await failure(fetch(fileSource({ path })));
    expect(error.code).toBe('SOURCE_FILE_MISSING');
    expect(error.retryable).toBe(true);
    expect(error.hint).toContain(path);
  });

  it('refuses a folder and a file over maxBytes', async () => {
    const folder = await failure(fetch(fileSource({ path: dir })));
    expect(folder.code).toBe('SOURCE_NOT_A_FILE');
    expect(folder.retryable).toBe(false);
    const path = join(dir, 'big.json');
    await writeFile(path, 'x'.repeat(2000));
    const error = await failure(fetch(fileSource({ path, maxBytes: 1000 })));
    expect(error.code).toBe('SOURCE_TOO_LARGE');
    expect(error.retryable).toBe(false);
  });

  it('reads a path relative to root, and refuses `..` and symlink escapes', async () => {
    const root = join(dir, 'root');
    const outside = join(dir, 'outside');
    await mkdir(join(root, 'specs'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'specs', 'api.json'), doc('in'));
    await writeFile(join(outside, 'secret.json'), doc('out'));
    expect((await fetch(fileSource({ root, path: 'specs/api.json' }))).kind).toBe('raw');

    const dotdot = await failure(fetch(fileSource({ root, path: '../outside/secret.json' })));
    expect(dotdot.code).toBe('SOURCE_PATH_ESCAPE');
    expect(dotdot.retryable).toBe(false);

    await symlink(join(outside, 'secret.json'), join(root, 'link.json'));
    expect((await failure(fetch(fileSource({ root, path: 'link.json' })))).code).toBe('SOURCE_PATH_ESCAPE');
    await symlink(outside, join(root, 'linked-dir'));
    expect((await failure(fetch(fileSource({ root, path: 'linked-dir/secret.json' })))).code).toBe('SOURCE_PATH_ESCAPE');

    // a symlink that stays inside the root is fine
    await symlink(join(root, 'specs', 'api.json'), join(root, 'alias.json'));
    expect((await fetch(fileSource({ root, path: 'alias.json' }))).kind).toBe('raw');
  });

  it('honours an aborted signal', async () => {
    const path = join(dir, 'openapi.json');
    await writeFile(path, doc('A'));
    const reason = new Error('stopped');
    await expect(fileSource({ path }).fetch({ validators: {}, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('validates its options', () => {
    expect(() => fileSource({ path: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => fileSource({ path: 'a', debounceMs: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => fileSource({ path: 'a', poll: { intervalMs: 0 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('fileSource.watch', () => {
  const debounceMs = 250; // generous: timers on a busy CI machine run late
  /** Long enough for any stray event after the debounce to have shown up. */
  const quiet = () => sleep(debounceMs * 4);

  async function watched(options: { poll?: { intervalMs: number } } = {}) {
    const path = join(dir, 'openapi.json');
    await writeFile(path, doc('A'));
    const source = track(fileSource({ path, debounceMs, ...options }));
    let calls = 0;
    const stop = await (source.watch as NonNullable<SpecSource['watch']>)(() => {
      calls += 1;
    });
    return { path, source, stop, calls: () => calls };
  }

  it('reports an atomic save (write a temp file, rename it over) exactly once', async () => {
    const { path, calls } = await watched();
    const temp = join(dir, '.openapi.json.tmp-1234');
    await writeFile(temp, doc('B'));
    await rename(temp, path);
    await until(() => calls() >= 1);
    await quiet();
    expect(calls()).toBe(1);
  });

  it('stays quiet while the file is deleted and reports once when it is back', async () => {
    const { path, calls } = await watched();
    await unlink(path);
    await quiet();
    expect(calls()).toBe(0);
    await writeFile(path, doc('C'));
    await until(() => calls() >= 1);
    await quiet();
    expect(calls()).toBe(1);
  });

  it('turns a burst of 50 writes into one change after the debounce', async () => {
    const { path, calls } = await watched();
    for (let i = 0; i < 50; i++) {
      await writeFile(path, doc(`burst ${i}`));
      await sleep(2);
    }
    await until(() => calls() >= 1);
    await quiet();
    expect(calls()).toBe(1);
  });

  it('ignores other files in the same folder, and stops when asked', async () => {
    const { path, stop, calls } = await watched();
    await writeFile(join(dir, 'other.json'), 'x');
    await writeFile(join(dir, 'openapi.json.swp'), 'x');
    await quiet();
    expect(calls()).toBe(0);
    await stop();
    await writeFile(path, doc('after stop'));
    await quiet();
    expect(calls()).toBe(0);
  });

  it('polls when asked to', async () => {
    const { path, calls } = await watched({ poll: { intervalMs: 30 } });
    await writeFile(path, doc('polled change, longer'));
    await until(() => calls() >= 1);
    await quiet();
    expect(calls()).toBe(1);
  });
});

/** Make a FIFO (named pipe); opening it for reading blocks until a writer comes. */
function mkfifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * Release any reader blocked opening a FIFO (so a failing run cannot leave
 * libuv's thread pool stuck): a non-blocking open for writing succeeds only
 * while a reader waits, and closing it gives that reader an end of file.
 * Synchronous on purpose: the thread pool may be full.
 */
function releaseReaders(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is waiting on it.
    }
  }
}

describe('fileSource and special files', () => {
  const fifos: string[] = [];
  afterEach(() => releaseReaders(fifos.splice(0)));

  it('refuses a FIFO at once with SOURCE_NOT_A_FILE, without opening it (an open would block until a writer came)', async () => {
    const path = mkfifo(join(dir, 'openapi.json'));
    fifos.push(path);
    const started = Date.now();
    const error = await failure(fetch(fileSource({ path })));
    expect(error.code).toBe('SOURCE_NOT_A_FILE');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ path });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a socket and a character device the same way', async () => {
    const socketPath = join(dir, 'api.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      expect((await failure(fetch(fileSource({ path: socketPath })))).code).toBe('SOURCE_NOT_A_FILE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect((await failure(fetch(fileSource({ path: '/dev/null' })))).code).toBe('SOURCE_NOT_A_FILE');
  });

  it('an engine with five FIFO bindings still syncs its good binding promptly, and stops at once', async () => {
    const good = join(dir, 'good.json');
    await writeFile(
      good,
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'good', version: '1' },
        paths: { '/pets': { get: { responses: { '200': { description: 'ok' } } } } },
      }),
    );
    const engine = new SyncEngine({ concurrency: 6, stopGracePeriodMs: 30_000, syncOnStart: false, retry: { maxRetries: 0 } });
    for (let i = 0; i < 5; i++) {
      const path = mkfifo(join(dir, `fifo-${i}.json`));
      fifos.push(path);
      await engine.addSource({ id: `fifo-${i}`, source: track(fileSource({ path })), target: new MemoryTarget(), watch: false });
    }
    const target = new MemoryTarget();
    await engine.addSource({ id: 'good', source: track(fileSource({ path: good })), target, watch: false });
    await engine.startSync();
    const started = Date.now();
    const fifoRuns = Array.from({ length: 5 }, (_, i) =>
      engine.syncNow(`fifo-${i}`).then(
        () => 'synced',
        (error: unknown) => (isSyncError(error) ? error.code : String(error)),
      ),
    );
    const result = await engine.syncNow('good');
    expect(result.outcome).toBe('applied');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await Promise.all(fifoRuns)).toEqual(Array(5).fill('SOURCE_NOT_A_FILE'));
    const stopping = Date.now();
    await engine.stopSync();
    expect(Date.now() - stopping).toBeLessThan(1000);
    expect(target.writeCount).toBe(1);
  });
});
