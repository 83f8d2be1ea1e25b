/**
 * A person saves the local copy while the engine writes it: with real
 * processes saving, no save may be lost. Before compare-and-swap writes, a
 * save made while the temporary file existed was overwritten every time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore, MemoryStore, SyncEngine, openApiFileTarget, type SyncEngineEvents, type SyncTarget } from '../../src/index.js';
import { hoppscotchTarget } from '../../src/targets/hoppscotch/public.js';
import { setLocalFileStepHook } from '../../src/targets/local-file.js';
import { MemorySource } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

const SAVER = resolve(import.meta.dirname, 'saver.mjs');
type Kind = 'openapi' | 'hoppscotch';

afterEach(() => setLocalFileStepHook(undefined));

/** A spec with `n` operations, version `v` of each one's summary. */
function api(n: number, v: number): Record<string, unknown> {
  const doc = petstore(n) as { paths: Record<string, { get: { summary: string } }> };
  for (const item of Object.values(doc.paths)) item.get.summary = `${item.get.summary} (v${v})`;
  return doc;
}

/** The save numbers the local copy holds. */
async function savesIn(path: string, kind: Kind): Promise<number[]> {
  const value = JSON.parse(await readFile(path, 'utf8')) as { 'x-saves'?: number[]; preRequestScript?: string };
  if (kind === 'openapi') return value['x-saves'] ?? [];
  return [...(value.preRequestScript ?? '').matchAll(/save (\d+)/g)].map((m) => Number(m[1]));
}

async function setup(kind: Kind, operations: number, maxRetries = 3, store: 'file' | 'memory' = 'file') {
  const dir = await mkdtemp(join(tmpdir(), 'als-race-'));
  const path = join(dir, kind === 'openapi' ? 'api.json' : 'api.hoppscotch.json');
  const source = new MemorySource(api(operations, 0));
  const target: SyncTarget<unknown> = (
    kind === 'openapi' ? openApiFileTarget({ path }) : hoppscotchTarget({ path })
  ) as SyncTarget<unknown>;
  // No circuit breaker: a person saving in place makes runs fail on half-written files, and the loop below must keep syncing.
  const engine = new SyncEngine({
    store: store === 'file' ? new FileStore({ dir: join(dir, '.store') }) : new MemoryStore(),
    circuitBreaker: { failureThreshold: 0 },
  });
  await engine.addSource({ id: 'api', source, target, maxRetries, policy: { maxRemovalShare: 1 } });
  await engine.syncNow('api');
  return { dir, path, source, engine };
}

describe.each(['openapi', 'hoppscotch'] as const)('a save while the engine writes (%s target)', (kind) => {
  it('keeps a save that lands exactly when the temporary file appears: 10 of 10', async () => {
    const { path, source, engine } = await setup(kind, 5);
    const changed: Array<SyncEngineEvents['target:changed']> = [];
    engine.on('target:changed', (e) => void changed.push(e));
    for (let n = 1; n <= 10; n++) {
      source.set(api(5 + n, n));
      let fired = false;
      // A real second process saves while the engine's temporary file exists, before the engine swaps it in.
      setLocalFileStepHook((step) => {
        if (step !== 'temp-written' || fired) return;
        fired = true;
        execFileSync(process.execPath, [SAVER, path, kind, 'once', String(n), n % 2 === 0 ? 'rename' : 'inplace']);
      });
      const result = await engine.syncNow('api');
      expect(result.outcome).toBe('applied');
      expect(fired).toBe(true);
      expect(await savesIn(path, kind)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      // The remote change is there too: merged again from the person's save.
      const text = await readFile(path, 'utf8');
      expect(text).toContain(`(v${n})`);
    }
    expect(changed.map((e) => e.action)).toEqual(Array(10).fill('remerge'));
    expect(changed.every((e) => e.sourceId === 'api' && e.attempt === 1 && e.location === path)).toBe(true);
    expect(await engine.syncNow('api')).toMatchObject({ outcome: 'unchanged' });
  });

  it('fails with the retryable TARGET_CHANGED_DURING_WRITE when every write is beaten by a save, keeping the last save', async () => {
    const { path, source, engine } = await setup(kind, 3, 0);
    source.set(api(4, 1));
    let n = 0;
    setLocalFileStepHook((step) => {
      if (step === 'temp-written') execFileSync(process.execPath, [SAVER, path, kind, 'once', String(++n), 'inplace']);
    });
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE', retryable: true });
    expect(n).toBe(3);
    expect(await savesIn(path, kind)).toEqual([1, 2, 3]);
    setLocalFileStepHook(undefined);
    expect(await engine.syncNow('api')).toMatchObject({ outcome: 'applied', written: true });
    expect(await savesIn(path, kind)).toEqual([1, 2, 3]);
    expect(await engine.getJournal('api')).toHaveLength(2);
  });

  it.each(['rename', 'inplace'] as const)(
    'loses none of 200 saves made in a loop by another process while it syncs (%s saves)',
    async (style) => {
      // The race is with the target file: a memory store keeps each sync short, so the engine writes often.
      const { path, source, engine } = await setup(kind, 40, 3, 'memory');
      // Batches of 20 saves, each after one more engine write: the engine writes at least 10 times while the saves run, on any machine.
      const saver = spawn(process.execPath, [SAVER, path, kind, 'loop', '200', style, '20'], { stdio: ['pipe', 'pipe', 'inherit'] });
      saver.stdin.on('error', () => undefined); // a line written as the saver exits
      let saved = 0;
      saver.stdout.on('data', (chunk: Buffer) => {
        saved = Math.max(saved, ...chunk.toString().trim().split('\n').map(Number));
      });
      const exited = new Promise<number | null>((done) => saver.once('exit', (code) => done(code)));
      const changed: string[] = [];
      engine.on('target:changed', (e) => void changed.push(e.action));
      let running = true;
      void exited.then(() => (running = false));
      let version = 0;
      let applied = 0;
      const failures: string[] = [];
      while (running) {
        version += 1;
        source.set(api(40 + (version % 7), version));
        try {
          const result = await engine.syncNow('api');
          if (result.written) {
            applied += 1;
            if (running) saver.stdin.write('written\n');
          }
        } catch (error) {
          // A save caught half-written by an in-place writer does not parse (the engine refuses it); a write beaten three times fails.
          failures.push((error as { code: string }).code);
        }
        // Let the saver's exit (an I/O event) through even when a run fails without touching the disk.
        await new Promise((r) => setImmediate(r));
      }
      expect(await exited).toBe(0);
      expect(saved).toBe(200);
      // The next run merges whatever came last, and then the copy is settled.
      await engine.syncNow('api');
      expect(await engine.syncNow('api')).toMatchObject({ outcome: 'unchanged' });
      const inFile = new Set(await savesIn(path, kind));
      const displaced = (await engine.getJournal('api')).filter((e) => e.displaced !== undefined);
      const missing = Array.from({ length: 200 }, (_, i) => i + 1).filter((n) => !inFile.has(n));
      expect({ missing, displaced: displaced.length }).toEqual({ missing: [], displaced: 0 });
      expect(failures.every((code) => code === 'TARGET_CHANGED_DURING_WRITE' || code === 'TARGET_INVALID')).toBe(true);
      expect(applied).toBeGreaterThanOrEqual(10);
      saver.stdin.end();
      // (Remote changes a save's read-modify-write took back stay taken back: to the merge they are the person's edits.)
      console.log(
        `${kind} ${style}: 200 saves, ${applied} engine writes, ${changed.length} writes refused and merged again, ${failures.length} failed runs (${[...new Set(failures)].join(', ') || 'none'}), 0 lost`,
      );
    },
    60_000,
  );
});
