/**
 * Issue 4, "Must show", at the engine level: a watched file source drives a
 * started engine that does not poll (`defaultIntervalMs: 0`), with real file
 * events and a small debounce. Saves become exactly one sync each; a missing
 * file or a path outside the root never breaks the engine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncEngine, fileSource, isSyncError, openApiFileTarget, type SyncEngineEventName } from '../../src/index.js';
import { EventRecorder } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

const DEBOUNCE_MS = 250; // generous: a busy CI machine must not split the 50-write burst into two syncs
/** Longer than the debounce plus chokidar's own delays: when nothing more arrives within it, nothing more is coming. */
const QUIET_MS = 700;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolve with `promise`, or fail naming what was awaited after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let base: string;
let root: string;
let specPath: string;
let localPath: string;
let engine: SyncEngine;
let recorder: EventRecorder;

function text(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function local(): unknown {
  return JSON.parse(readFileSync(localPath, 'utf8'));
}

function count(name: SyncEngineEventName, sourceId = 'api'): number {
  return recorder.names(sourceId).filter((n) => n === name).length;
}

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), 'als-file-watch-'));
  root = join(base, 'root');
  mkdirSync(root);
  mkdirSync(join(base, 'local'));
  specPath = join(root, 'openapi.json');
  localPath = join(base, 'local', 'openapi.json');
  await writeFile(specPath, text(petstore(2, 'v1')));

  // No polling and no start sync: only file events and the explicit first sync below.
  engine = new SyncEngine({ defaultIntervalMs: 0, syncOnStart: false, retry: { maxRetries: 0 } });
  recorder = new EventRecorder(engine);
  await engine.addSource({
    id: 'api',
    source: fileSource({ path: 'openapi.json', root, debounceMs: DEBOUNCE_MS }),
    target: openApiFileTarget({ path: localPath }),
  });
  await engine.startSync();
  await expect(engine.syncNow('api')).resolves.toMatchObject({ outcome: 'applied' });
  expect(local()).toEqual(petstore(2, 'v1'));
  expect(engine.getSyncStatus().bindings[0]).toMatchObject({ intervalMs: 0, nextPoll: undefined });
  recorder.clear();
});

afterEach(async () => {
  await engine.stopSync();
  recorder.dispose();
  rmSync(base, { recursive: true, force: true });
});

describe('engine + fileSource watch (no polling)', () => {
  it('an atomic save (write a temp file, rename it over the document) gives exactly one sync:applied', async () => {
    const applied = recorder.waitFor('sync:applied', (e) => e.sourceId === 'api');
    const temp = join(root, '.openapi.json.tmp-1234');
    await writeFile(temp, text(petstore(3, 'v2')));
    await rename(temp, specPath);

    await within(applied, 5_000, 'sync:applied after the atomic save');
    await sleep(QUIET_MS);
    expect(count('sync:applied')).toBe(1);
    expect(count('job:queued')).toBe(1);
    expect(recorder.of('job:queued')[0]?.job.trigger).toBe('watch');
    expect(count('job:failed')).toBe(0);
    expect(local()).toEqual(petstore(3, 'v2'));
  });

  it('a burst of 50 writes gives one sync, of the last content', async () => {
    const applied = recorder.waitFor('sync:applied', (e) => e.sourceId === 'api');
    // Synchronous writes, yielding one event-loop turn after each so the watcher reads every event
    // (inotify would merge unread identical events): 50 separate changes, far less than the debounce apart.
    const started = performance.now();
    for (let i = 1; i <= 50; i++) {
      writeFileSync(specPath, text(petstore(2 + (i % 3), `burst ${i}`)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const burstMs = performance.now() - started;

    await within(applied, 5_000, 'sync:applied after the burst');
    await sleep(QUIET_MS);
    expect(count('job:queued'), `the burst took ${burstMs.toFixed(0)} ms`).toBe(1);
    expect(count('job:started')).toBe(1);
    expect(count('sync:applied')).toBe(1);
    expect(local()).toEqual(petstore(2 + (50 % 3), 'burst 50'));
  });

  it('delete, then re-create: one sync after it is back, and no failure', async () => {
    await unlink(specPath);
    // chokidar holds an unlink 100 ms (atomic-save detection); then the quiet timer runs out while the
    // file is missing, and nothing is reported.
    await sleep(QUIET_MS);
    expect(count('job:queued')).toBe(0);

    const applied = recorder.waitFor('sync:applied', (e) => e.sourceId === 'api');
    await writeFile(specPath, text(petstore(3, 'recreated')));
    await within(applied, 5_000, 'sync:applied after re-creating the file');
    await sleep(QUIET_MS);
    expect(count('sync:applied')).toBe(1);
    expect(count('job:queued')).toBe(1);
    expect(count('job:failed')).toBe(0);
    expect(recorder.of('error')).toEqual([]);
    expect(engine.state).toBe('running');
    expect(local()).toEqual(petstore(3, 'recreated'));
  });

  it("a save that lands inside the watcher's change throttle is not lost, even with debounceMs 0", async () => {
    // chokidar drops 'change' events for a file within 50 ms of the last one it emitted (a
    // leading-edge throttle with no trailing event); the source must not read before that window ends.
    const fastRoot = join(base, 'fast');
    mkdirSync(fastRoot);
    const fastSpec = join(fastRoot, 'openapi.json');
    const fastLocal = join(base, 'local', 'fast.json');
    await writeFile(fastSpec, text(petstore(2, 'fast v1')));
    await engine.addSource({
      id: 'fast',
      source: fileSource({ path: 'openapi.json', root: fastRoot, debounceMs: 0 }),
      target: openApiFileTarget({ path: fastLocal }),
    });
    await expect(engine.syncNow('fast')).resolves.toMatchObject({ outcome: 'applied' });

    for (let round = 1; round <= 3; round++) {
      writeFileSync(fastSpec, text(petstore(3, `fast A${round}`)));
      await sleep(20);
      writeFileSync(fastSpec, text(petstore(3, `fast B${round}`)));
      await sleep(QUIET_MS);
      expect(JSON.parse(readFileSync(fastLocal, 'utf8')), `round ${round}`).toEqual(petstore(3, `fast B${round}`));
    }
    expect(recorder.of('job:failed')).toEqual([]);
  });

  it('a path outside the root is refused (SOURCE_PATH_ESCAPE), not retried, and the engine keeps running', async () => {
    const outside = join(base, 'outside.json');
    await writeFile(outside, text(petstore(2, 'secret')));
    symlinkSync(outside, join(root, 'link.json'));
    await engine.addSource({
      id: 'dotdot',
      source: fileSource({ path: '../outside.json', root }),
      target: openApiFileTarget({ path: join(base, 'local', 'dotdot.json') }),
    });
    await engine.addSource({
      id: 'symlink',
      source: fileSource({ path: 'link.json', root }),
      target: openApiFileTarget({ path: join(base, 'local', 'symlink.json') }),
    });

    for (const id of ['dotdot', 'symlink']) {
      const error = await engine.syncNow(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSyncError(error), id).toBe(true);
      expect((error as { code?: string }).code, id).toBe('SOURCE_PATH_ESCAPE');
      expect((error as { retryable?: boolean }).retryable).toBe(false);
      const failed = recorder.of('job:failed').filter((e) => e.job.sourceId === id);
      expect(failed).toHaveLength(1);
      expect(failed[0]?.error.code).toBe('SOURCE_PATH_ESCAPE');
      expect(failed[0]?.job.retryCount).toBe(0);
    }
    expect(readFileSync(outside, 'utf8')).toContain('secret');
    expect(recorder.of('sync:applied').filter((e) => e.sourceId !== 'api')).toEqual([]);
    expect(() => readFileSync(join(base, 'local', 'dotdot.json'))).toThrow();
    expect(engine.state).toBe('running');

    // The watched binding still syncs on its own.
    const applied = recorder.waitFor('sync:applied', (e) => e.sourceId === 'api');
    await writeFile(specPath, text(petstore(3, 'after escape')));
    await within(applied, 5_000, 'sync:applied of the good binding');
    expect(local()).toEqual(petstore(3, 'after escape'));
  });
});
