/**
 * The engine's journal with a folder target: a sync killed in the middle of
 * replacing a Bruno collection's files leaves the folder, byte for byte, as
 * it was; the next process drops the interrupted journal entry, syncs again
 * with the user's edit kept, and a rollback restores the folder exactly.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, functionSource } from '../../../src/index.js';
import { BrunoFolder, brunoTarget } from '../../../src/targets/bruno/index.js';
import { crashDocument } from './engine-crash-doc.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-bruno-engine-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file of the collection folder with its bytes (as text), the journal and temporary files included. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = await readFile(join(e.parentPath, e.name), 'utf8');
  return out;
}

async function engineFor(dir: string, version: { current: number }) {
  const engine = new SyncEngine({ store: new FileStore({ dir: join(dir, '.store') }) });
  await engine.addSource({
    id: 'api',
    source: functionSource(() => crashDocument(version.current)),
    target: brunoTarget({ dir: join(dir, 'coll') }),
    maxRetries: 0,
    policy: { maxRemovalShare: 1 },
  });
  return engine;
}

describe('a sync into a Bruno folder killed midway', () => {
  for (const killAfter of [1, 3, 6]) {
    it(`leaves the folder as it was (killed after file ${killAfter}), then converges with the edit kept and rolls back exactly`, async () => {
      const dir = await mkdtemp(join(root, 'case-'));
      const coll = join(dir, 'coll');
      const version = { current: 1 };
      expect(await (await engineFor(dir, version)).syncNow('api')).toMatchObject({ outcome: 'applied', written: true });
      // The user's edit, saved as Bruno saves it.
      const edited = join(coll, 'pets', 'List pets 0 (v1).bru');
      await writeFile(edited, `${await readFile(edited, 'utf8')}\ntests {\n  test("mine", function () {});\n}\n`);
      const before = await snapshot(coll);

      const child = spawn(
        process.execPath,
        ['--import', 'tsx', resolve(import.meta.dirname, 'engine-crash-child.ts'), dir, '2', String(killAfter)],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const [, signal] = (await new Promise((done) => child.once('exit', (...args) => done(args)))) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
      // Killed midway: files of both versions and the journal are on disk.
      expect(await snapshot(coll)).not.toEqual(before);

      // Any next read puts the folder back as it was.
      await new BrunoFolder(coll).read();
      expect(await snapshot(coll)).toEqual(before);
      // The next process drops the interrupted entry and syncs again.
      version.current = 2;
      const engine = await engineFor(dir, version);
      const result = await engine.syncNow('api');
      expect(result).toMatchObject({ outcome: 'applied', written: true, conflicts: [] });
      const journal = await engine.getJournal('api');
      expect(journal.map((e) => e.kind)).toEqual(['sync', 'sync']);
      const after = await snapshot(coll);
      expect(after['pets/List pets 0 (v1).bru']).toContain('test("mine"');
      expect(after['pets/List pets 0 (v1).bru']).toContain('name: List pets 0 (v2)');
      expect(Object.keys(after).filter((p) => p.endsWith('.bru') && p.startsWith('pets/'))).toHaveLength(7);
      expect(Object.keys(after).some((p) => p.includes('.als-'))).toBe(false);

      // Rolling the sync back restores the folder as the user left it, byte for byte.
      await engine.rollback('api');
      expect(await snapshot(coll)).toEqual(before);
    }, 60_000);
  }
});
