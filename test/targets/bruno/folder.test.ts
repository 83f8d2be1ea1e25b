/**
 * BrunoFolder: the owned files of a collection folder are replaced as one
 * change, compare-and-swap, and a write killed at any step leaves the folder
 * as it was once the next process reads it.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../../src/errors.js';
import { BRUNO_JOURNAL_FILE, BrunoFolder, decodeFolderFiles, encodeFolderFiles } from '../../../src/targets/bruno/folder.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-bruno-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` (relative paths, sorted) with its text. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
    out[path] = await readFile(join(dir, path), 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = join(root, `case-${++counter}`);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const map = (files: Record<string, string>) => new Map(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)]));

const BEFORE = {
  'bruno.json': '{"version":"1","name":"before","type":"collection"}',
  'pets/folder.bru': 'meta {\n  name: pets\n}\n',
  'pets/List pets.bru': 'before list',
  'pets/Get a pet.bru': 'before get',
  'store/Inventory.bru': 'before inventory',
  '.env': 'TOKEN=mine',
  'scripts/helper.js': 'module.exports = 1;',
};
const NEXT = {
  'bruno.json': '{"version":"1","name":"next","type":"collection"}',
  'pets/folder.bru': 'meta {\n  name: pets\n}\n',
  'pets/List pets.bru': 'next list',
  'pets/Add a pet.bru': 'next add',
  'users/List users.bru': 'next users',
};

describe('BrunoFolder', () => {
  it('reads bruno.json and .bru files only, skipping dot folders and node_modules', async () => {
    const dir = await folderWith({ ...BEFORE, '.git/x.bru': 'no', 'node_modules/y/z.bru': 'no', 'notes.txt': 'no' });
    const files = await new BrunoFolder(dir).read();
    expect([...(files ?? new Map()).keys()].sort()).toEqual([
      'bruno.json',
      'pets/Get a pet.bru',
      'pets/List pets.bru',
      'pets/folder.bru',
      'store/Inventory.bru',
    ]);
    expect(await new BrunoFolder(join(root, 'missing')).read()).toBeUndefined();
  });

  it('replaces the owned files and nothing else, removing folders it emptied', async () => {
    const dir = await folderWith(BEFORE);
    const folder = new BrunoFolder(dir);
    await folder.write(map(NEXT), (await folder.read()) ?? null);
    expect(await tree(dir)).toEqual(
      Object.fromEntries(
        Object.entries({ ...NEXT, '.env': 'TOKEN=mine', 'scripts/helper.js': 'module.exports = 1;' }).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    );
    expect(await readdir(dir)).not.toContain('store');
  });

  it('refuses, touching nothing, when a file changed since the read', async () => {
    const dir = await folderWith(BEFORE);
    const folder = new BrunoFolder(dir);
    const read = (await folder.read())!;
    await writeFile(join(dir, 'pets/Get a pet.bru'), 'saved by a person');
    const error = await folder.write(map(NEXT), read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('TARGET_CHANGED_DURING_WRITE');
    expect(await tree(dir)).toEqual(await tree(await folderWith({ ...BEFORE, 'pets/Get a pet.bru': 'saved by a person' })));
  });

  it('refuses paths outside the owned files', async () => {
    const dir = await folderWith(BEFORE);
    const folder = new BrunoFolder(dir);
    for (const path of ['../x.bru', 'a/../../x.bru', '.hidden.bru', 'notes.txt', '/abs.bru']) {
      const error = await folder.write(map({ [path]: 'x' }), (await folder.read()) ?? null).catch((e: unknown) => e);
      expect((error as TargetError).code).toBe('TARGET_INVALID');
    }
  });

  it('snapshots are byte-exact, text or not', () => {
    const files = new Map([
      ['a.bru', Buffer.from('text ünïcode\r\n')],
      ['b/c.bru', Buffer.from([0xff, 0xfe, 0x00, 0x41])],
    ]);
    const back = decodeFolderFiles(encodeFolderFiles(files));
    expect([...back.entries()]).toEqual([...files.entries()]);
    expect(() => decodeFolderFiles(Buffer.from('{"openapi":"3.0.0"}'))).toThrow(TargetError);
  });

  // A process killed at every step of a write: the next read finds the folder as it was before it.
  for (const step of ['journal-written', 'applied:1', 'applied:3', 'applied:5']) {
    it(`leaves the folder as it was when the writing process is killed (${step})`, async () => {
      const dir = await folderWith(BEFORE);
      const before = await tree(dir);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', resolve(import.meta.dirname, 'folder-crash-child.ts'), dir, step, JSON.stringify(NEXT)],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const [, signal] = (await new Promise((done) => child.once('exit', (...args) => done(args)))) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
      // Killed midway: the journal is there and the folder is half written.
      expect((await readdir(dir)).includes(BRUNO_JOURNAL_FILE)).toBe(true);
      if (step !== 'journal-written') expect(await tree(dir)).not.toEqual(before);
      const files = await new BrunoFolder(dir).read();
      expect(await tree(dir)).toEqual(before);
      expect(files?.get('pets/List pets.bru')?.toString()).toBe('before list');
    }, 30_000);
  }

  it('after a crash, leaves alone a file a person saved since', async () => {
    const dir = await folderWith(BEFORE);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, 'folder-crash-child.ts'), dir, 'applied:2', JSON.stringify(NEXT)],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await new Promise((done) => child.once('exit', done));
    await writeFile(join(dir, 'pets/List pets.bru'), 'saved after the crash');
    await new BrunoFolder(dir).read();
    const after = await tree(dir);
    expect(after['pets/List pets.bru']).toBe('saved after the crash');
    expect(after['bruno.json']).toBe(BEFORE['bruno.json']);
    expect(Object.keys(after).some((p) => p.endsWith('.als-tmp') || p.endsWith(BRUNO_JOURNAL_FILE))).toBe(false);
  }, 30_000);
});
