/**
 * Kill -9 at every step of a sync's write sequence (a child process kills
 * itself right after the step), then check: the target holds the old bytes
 * or the new ones, never a mix; the next run converges with the person's
 * edits kept; `rollback` restores exactly the state before the sync. Then
 * random real kills of a process syncing in a loop.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, functionSource } from '../../src/index.js';
import { canonicalHash } from '../../src/json/index.js';
import { crashBinding, crashTargetPath, editLocalCopy, editsKept, type CrashKind } from './crash-support.js';

const CHILD = resolve(import.meta.dirname, 'crash-sync.ts');

function run(
  dir: string,
  kind: CrashKind,
  mode: string,
  version: number,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, kind, mode, String(version)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((done) => child.once('close', (code, signal) => done({ code, signal, stdout })));
}

/** An engine over a test folder, as a new process would make it. */
async function engineFor(dir: string, kind: CrashKind, version: number) {
  const { source, target } = crashBinding(dir, kind, version);
  const engine = new SyncEngine({ store: new FileStore({ dir: join(dir, '.store') }) });
  await engine.addSource({ id: 'api', source: functionSource(() => source), target, maxRetries: 0, policy: { maxRemovalShare: 1 } });
  return engine;
}

const read = (path: string) => readFile(path).catch(() => undefined);
const leftovers = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.als-tmp') || n.endsWith('.als-moved'));

describe.each(['openapi', 'hoppscotch'] as const)('a sync killed at every step (%s target)', (kind) => {
  it('leaves old or new bytes, converges with edits kept, and rolls back exactly', async () => {
    // The state before the sync: synced at version 1, then edited by a person.
    const setup = await mkdtemp(join(tmpdir(), 'als-crash-'));
    const path = crashTargetPath(setup, kind);
    await (await engineFor(setup, kind, 1)).syncNow('api');
    editLocalCopy(setup, kind);
    const before = (await readFile(path)) as Buffer;
    const v1 = canonicalHash(crashBinding(setup, kind, 1).source);
    const v2 = canonicalHash(crashBinding(setup, kind, 2).source);

    // The sync to version 2, uninterrupted: its steps and the bytes it writes.
    const reference = await mkdtemp(join(tmpdir(), 'als-crash-'));
    await cp(setup, reference, { recursive: true });
    const listed = await run(reference, kind, 'list', 2);
    expect(listed.code).toBe(0);
    const steps = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: number; name: string });
    const after = (await readFile(crashTargetPath(reference, kind))) as Buffer;
    expect(editsKept(after.toString(), kind)).toBe(true);
    expect(after.equals(before)).toBe(false);
    // The write sequence: journal prepared, the target written, base, validators, journal committed.
    const names = steps.map((s) => s.name);
    expect(names.indexOf('store: set journal.pending')).toBeLessThan(names.indexOf('target file: linked'));
    expect(names.indexOf('target file: linked')).toBeLessThan(names.indexOf('store: base'));
    expect(names.indexOf('store: base')).toBeLessThan(names.indexOf('store: set journal'));

    const outcomes: string[] = [];
    for (const { step, name } of steps) {
      const crashed = await mkdtemp(join(tmpdir(), 'als-crash-'));
      await cp(setup, crashed, { recursive: true });
      const result = await run(crashed, kind, String(step), 2);
      expect(result.signal, name).toBe('SIGKILL');
      const crashedPath = crashTargetPath(crashed, kind);
      const left = await read(crashedPath);
      // Never torn: the old bytes or the new ones (or, killed in the instant of the swap, the old file moved aside).
      if (left === undefined)
        expect(
          (await leftovers(crashed)).some((n) => n.endsWith('.als-moved')),
          name,
        ).toBe(true);
      else expect(left.equals(before) || left.equals(after), name).toBe(true);

      // Converges: the next run writes exactly what an uninterrupted sync wrote, edits kept, nothing left behind.
      const again = await mkdtemp(join(tmpdir(), 'als-crash-'));
      await cp(crashed, again, { recursive: true });
      const next = await engineFor(again, kind, 2);
      await next.syncNow('api');
      expect((await readFile(crashTargetPath(again, kind))).equals(after), name).toBe(true);
      expect(await next.syncNow('api'), name).toMatchObject({ outcome: 'unchanged' });
      expect(await leftovers(again), name).toEqual([]);

      // Rolls back: to exactly the bytes and base before the sync (or the sync never happened).
      const undo = await engineFor(crashed, kind, 2);
      const journal = await undo.getJournal('api');
      const newest = journal[journal.length - 1]!;
      if (newest.hash === v2) {
        await undo.rollback('api');
        outcomes.push(`${name}: committed`);
      } else {
        expect(newest.hash, name).toBe(v1);
        outcomes.push(`${name}: dropped`);
      }
      expect((await readFile(crashedPath)).equals(before), name).toBe(true);
      expect((await new FileStore({ dir: join(crashed, '.store') }).getBase('api'))?.hash, name).toBe(v1);
      expect(await leftovers(crashed), name).toEqual([]);
    }
    console.log(`${kind}: killed at each of ${steps.length} steps:\n  ${outcomes.join('\n  ')}`);
  }, 180_000);
});

describe.each(['openapi', 'hoppscotch'] as const)('random kill -9 of a process syncing in a loop (%s target)', (kind) => {
  it('never tears the file, and the next run converges with edits kept and can roll back', async () => {
    const setup = await mkdtemp(join(tmpdir(), 'als-crash-'));
    await (await engineFor(setup, kind, 1)).syncNow('api');
    editLocalCopy(setup, kind);
    const path = crashTargetPath(setup, kind);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let version = 2;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, setup, kind, 'loop', String(version)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let last = version - 1;
      child.stdout.on('data', (chunk: Buffer) => (last = Math.max(last, ...chunk.toString().trim().split('\n').map(Number))));
      // Let it get going, then kill it at a random moment among its syncs.
      await new Promise<void>((started) => {
        const check = setInterval(() => {
          if (last >= version) {
            clearInterval(check);
            started();
          }
        }, 5);
      });
      await new Promise((r) => setTimeout(r, Math.floor(random() * 120)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) expect(() => JSON.parse(text)).not.toThrow();
      version = last + 2;
    }
    const engine = await engineFor(setup, kind, version);
    await engine.syncNow('api');
    const text = await readFile(path, 'utf8');
    expect(editsKept(text, kind)).toBe(true);
    expect(text).toContain(`(v${version})`);
    expect(await engine.syncNow('api')).toMatchObject({ outcome: 'unchanged' });
    expect(await leftovers(setup)).toEqual([]);
    const entry = await engine.rollback('api');
    expect(entry.kind).toBe('rollback');
    const rolledBack = await readFile(path, 'utf8');
    expect(editsKept(rolledBack, kind)).toBe(true);
    expect(rolledBack).not.toContain(`(v${version})`);
  }, 120_000);
});
