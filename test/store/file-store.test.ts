import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, TEMP_SUFFIX } from '../../src/index.js';
import { storeConformance } from './conformance.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'als-store-'));
}

storeConformance('FileStore', async () => new FileStore({ dir: await tempDir() }));

describe('FileStore', () => {
  it('ignores and removes a torn temporary file left by a crash', async () => {
    const dir = await tempDir();
    const store = new FileStore({ dir });
    await store.setRecord('api', 'base', { v: 1 });
    const bindingDir = join(dir, 'api');
    await writeFile(join(bindingDir, `.base.json.abc123${TEMP_SUFFIX}`), '{"v": 2, "trunc');
    const fresh = new FileStore({ dir });
    expect(await fresh.getRecord('api', 'base')).toEqual({ v: 1 });
    expect((await readdir(bindingDir)).filter((n) => n.endsWith(TEMP_SUFFIX))).toEqual([]);
  });

  it('reports a record that is not JSON as STORE_CORRUPT instead of replacing it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'api'));
    await writeFile(join(dir, 'api', 'base.json'), 'not json');
    const store = new FileStore({ dir });
    await expect(store.getBase('api')).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('reports a FIFO where a record belongs as STORE_READ_FAILED at once, instead of blocking on it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'api'));
    const fifo = join(dir, 'api', 'base.json');
    execFileSync('mkfifo', [fifo]);
    try {
      const store = new FileStore({ dir });
      const started = Date.now();
      await expect(store.getBase('api')).rejects.toMatchObject({ code: 'STORE_READ_FAILED', details: { found: 'a FIFO (named pipe)' } });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      // Release a reader blocked in the open (a failing run), synchronously: the thread pool may be full.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody waits on it.
      }
    }
  });

  it('refuses odd record keys', async () => {
    const store = new FileStore({ dir: await tempDir() });
    await expect(store.setRecord('api', '../escape', 1)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('survives a process killed mid-write: the record is always the old or the new one, whole', async () => {
    const dir = await tempDir();
    const writer = resolve(import.meta.dirname, 'crash-writer.ts');
    for (const delayMs of [40, 90, 150]) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let written = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        written = Math.max(written, ...chunk.toString().trim().split('\n').map(Number));
      });
      await new Promise<void>((resolveWrites) => {
        const check = setInterval(() => {
          if (written >= 3) {
            clearInterval(check);
            resolveWrites();
          }
        }, 5);
      });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const store = new FileStore({ dir });
      const record = await store.getRecord<{ i: number; payload: string; check: string }>('crash', 'base');
      expect(record).toBeDefined();
      expect(record!.check).toBe(`${record!.i}:${record!.payload.length}`);
      expect(record!.i).toBeGreaterThanOrEqual(written);
      expect(record!.i).toBeLessThanOrEqual(written + 1);
    }
  }, 60_000);
});
