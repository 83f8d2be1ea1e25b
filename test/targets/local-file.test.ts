import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFile, SyncEngine } from '../../src/index.js';
import { hoppscotchTarget } from '../../src/targets/hoppscotch/public.js';
import { MemorySource } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';
import { setLocalFileStepHook } from '../../src/targets/local-file.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'als-local-file-'));

afterEach(() => setLocalFileStepHook(undefined));

describe('LocalFile', () => {
  it('replaces the file when it still holds what was read, keeping its permissions', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    await chmod(path, 0o600);
    const file = new LocalFile(path);
    const before = await file.read();
    expect(await file.write('two', before ?? null)).toEqual({});
    expect(await readFile(path, 'utf8')).toBe('two');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it('refuses to overwrite a save made after the read, and leaves it in place', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    const file = new LocalFile(path);
    const before = await file.read();
    await writeFile(path, 'saved by a person');
    await expect(file.write('two', before ?? null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE', retryable: true });
    expect(await readFile(path, 'utf8')).toBe('saved by a person');
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it('refuses a save that lands while the new bytes are being written (temporary file present)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    const file = new LocalFile(path);
    const before = await file.read();
    setLocalFileStepHook((step) => {
      if (step === 'temp-written') writeFileSync(path, 'saved exactly then');
    });
    await expect(file.write('two', before ?? null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    expect(await readFile(path, 'utf8')).toBe('saved exactly then');
  });

  it('refuses a save by rename (an editor) that lands while the file is moved aside, keeping the save', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    const file = new LocalFile(path);
    const before = await file.read();
    setLocalFileStepHook((step) => {
      if (step !== 'moved-away') return;
      writeFileSync(join(dir, 'editor.tmp'), 'saved by rename');
      execFileSync('mv', [join(dir, 'editor.tmp'), path]);
    });
    await expect(file.write('two', before ?? null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    expect(await readFile(path, 'utf8')).toBe('saved by rename');
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it('reports bytes written through a handle opened before the swap as displaced', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    const file = new LocalFile(path);
    const before = await file.read();
    const fd = openSync(path, 'r+');
    setLocalFileStepHook((step) => {
      if (step === 'linked') writeSync(fd, 'ONE, edited', 0);
    });
    try {
      const report = await file.write('two', before ?? null);
      expect(report.displaced?.toString()).toBe('ONE, edited');
    } finally {
      closeSync(fd);
    }
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it('creates a missing file only while it is still missing', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    const file = new LocalFile(path);
    expect(await file.read()).toBeUndefined();
    setLocalFileStepHook((step) => {
      if (step === 'temp-written') writeFileSync(path, 'created by a person');
    });
    await expect(file.write('engine', null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    expect(await readFile(path, 'utf8')).toBe('created by a person');
    setLocalFileStepHook(undefined);
    await expect(file.write('engine', null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    await new LocalFile(join(dir, 'fresh.json')).write('new', null);
    expect(await readFile(join(dir, 'fresh.json'), 'utf8')).toBe('new');
  });

  it('refuses a deleted file instead of recreating it from a stale merge', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, 'one');
    const file = new LocalFile(path);
    const before = await file.read();
    await rename(path, join(dir, 'elsewhere.json'));
    await expect(file.write('two', before ?? null)).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    expect(await readdir(dir)).toEqual(['elsewhere.json']);
  });

  it('refuses a FIFO or a folder at the path without blocking', async () => {
    const dir = await tempDir();
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(new LocalFile(fifo).read()).rejects.toMatchObject({
      code: 'TARGET_READ_FAILED',
      message: expect.stringContaining('FIFO'),
    });
    await expect(new LocalFile(dir).read()).rejects.toMatchObject({
      code: 'TARGET_READ_FAILED',
      message: expect.stringContaining('folder'),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a binding whose target path is a FIFO fails fast, and the engine stops at once', async () => {
    const dir = await tempDir();
    const fifo = join(dir, 'api.hoppscotch.json');
    execFileSync('mkfifo', [fifo]);
    const engine = new SyncEngine();
    await engine.addSource({ id: 'fifo', source: new MemorySource(petstore(2)), target: hoppscotchTarget({ path: fifo }), maxRetries: 0 });
    const started = Date.now();
    await expect(engine.syncNow('fifo')).rejects.toMatchObject({ code: 'TARGET_READ_FAILED' });
    await engine.startSync();
    await engine.stopSync();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('puts back a file a killed process had moved aside, and removes its temporary files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, "the person's copy");
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'local-file-crash.ts'), path, 'moved-away'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [, signal] = (await new Promise((done) => child.once('exit', (...args) => done(args)))) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const left = await readdir(dir);
    expect(left).not.toContain('api.json');
    expect(left.some((n) => n.endsWith('.als-moved'))).toBe(true);
    expect(left.some((n) => n.endsWith('.als-tmp'))).toBe(true);
    expect((await new LocalFile(path).read())?.toString()).toBe("the person's copy");
    expect(await readdir(dir)).toEqual(['api.json']);
  }, 30_000);

  it('puts back a file another process moved aside and was killed, in a LocalFile that had read the file before (another worker)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'api.json');
    await writeFile(path, "the person's copy");
    const worker = new LocalFile(path);
    expect((await worker.read())?.toString()).toBe("the person's copy");
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'local-file-crash.ts'), path, 'moved-away'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [, signal] = (await new Promise((done) => child.once('exit', (...args) => done(args)))) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    expect(await readdir(dir)).not.toContain('api.json');
    expect((await worker.read())?.toString()).toBe("the person's copy");
    expect(await readdir(dir)).toEqual(['api.json']);
  }, 30_000);
});
