/** fencedFileWrite: the epoch record beside a file, and the lock that serialises fenced writes, with real files and processes. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fencedFileWrite, isSyncError, type SyncError } from '../../src/index.js';
import { fileEpochPath, readFileEpoch } from '../../src/targets/index.js';
import { prng } from '../support/prng.js';

const CHILD = resolve(import.meta.dirname, 'fence-child.ts');
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function tempFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'als-fence-')), 'collection.json');
}

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

function child(args: string[]): ChildProcessWithoutNullStreams {
  const started = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(started);
  return started;
}

async function output(process: ChildProcessWithoutNullStreams): Promise<string> {
  let text = '';
  let errors = '';
  process.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  process.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const code = await new Promise((done) => process.once('exit', done));
  if (code !== 0) throw new Error(`the writer exited with ${String(code)}: ${errors}`);
  return text;
}

async function untilLocked(holder: ChildProcessWithoutNullStreams): Promise<void> {
  await new Promise<void>((done, fail) => {
    holder.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('locked')) done();
    });
    holder.once('exit', (code) => fail(new Error(`the holder exited (${code}) before locking`)));
  });
}

describe('fencedFileWrite', () => {
  it('records the epoch beside the file and refuses a write from an older one with STALE_LEASE, leaving the file as it was', async () => {
    const file = await tempFile();
    expect(await readFileEpoch(file)).toBeUndefined();
    await fencedFileWrite(file, { token: 5 }, () => writeFile(file, 'epoch 5'));
    expect(await readFileEpoch(file)).toBe(5);
    expect(await readFile(fileEpochPath(file), 'utf8')).toBe('5\n');
    let called = false;
    const error = await rejection(
      fencedFileWrite(file, { token: 4 }, async () => {
        called = true;
        await writeFile(file, 'epoch 4');
      }),
    );
    expect(error.code).toBe('STALE_LEASE');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ token: 4, epoch: 5 });
    expect(called).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('epoch 5');
    expect(await readFileEpoch(file)).toBe(5);
    // The same epoch writes again; a newer one takes over.
    await fencedFileWrite(file, { token: 5 }, () => writeFile(file, 'epoch 5 again'));
    expect(await fencedFileWrite(file, { token: 6 }, async () => 'returned')).toBe('returned');
    expect(await readFileEpoch(file)).toBe(6);
    expect((await readdir(join(file, '..'))).sort()).toEqual(['.collection.json.als-epoch', 'collection.json']);
  });

  it('claims a file with a write that does nothing: an older epoch cannot write it afterwards', async () => {
    const file = await tempFile();
    await writeFile(file, 'the user’s file');
    await fencedFileWrite(file, { token: 1_700_000_000_002 }, async () => undefined);
    expect((await rejection(fencedFileWrite(file, { token: 1_700_000_000_001 }, () => writeFile(file, 'stale')))).code).toBe('STALE_LEASE');
    expect(await readFile(file, 'utf8')).toBe('the user’s file');
  });

  it('writes nothing and records nothing when confirm throws', async () => {
    const file = await tempFile();
    await fencedFileWrite(file, { token: 3 }, () => writeFile(file, 'epoch 3'));
    const refusal = Object.assign(new Error('lease lost'), { code: 'X' });
    await expect(
      fencedFileWrite(file, { token: 9, confirm: () => Promise.reject(refusal) }, () => writeFile(file, 'epoch 9')),
    ).rejects.toBe(refusal);
    expect(await readFile(file, 'utf8')).toBe('epoch 3');
    expect(await readFileEpoch(file)).toBe(3);
    expect(existsSync(join(file, '..', '.collection.json.als-lock'))).toBe(false);
  });

  it('releases the lock when the write throws, and keeps the raised epoch', async () => {
    const file = await tempFile();
    await expect(fencedFileWrite(file, { token: 2 }, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await readFileEpoch(file)).toBe(2);
    await fencedFileWrite(file, { token: 2, lockTimeoutMs: 0 }, () => writeFile(file, 'fine'));
    expect(await readFile(file, 'utf8')).toBe('fine');
  });

  it('refuses to guess on an epoch record it cannot read: TARGET_INVALID', async () => {
    const file = await tempFile();
    await writeFile(fileEpochPath(file), 'twelve');
    expect((await rejection(fencedFileWrite(file, { token: 99 }, () => writeFile(file, 'x')))).code).toBe('TARGET_INVALID');
    expect(existsSync(file)).toBe(false);
  });

  it('validates its arguments with CONFIG_INVALID', async () => {
    const file = await tempFile();
    for (const fence of [
      { token: 0 },
      { token: 1.5 },
      { token: -3 },
      { token: '5' },
      {},
      { token: 1, lockTimeoutMs: -1 },
      { token: 1, staleLockMs: 0.5 },
    ]) {
      expect((await rejection(fencedFileWrite(file, fence as never, async () => undefined))).code, JSON.stringify(fence)).toBe(
        'CONFIG_INVALID',
      );
    }
    expect((await rejection(fencedFileWrite('', { token: 1 }, async () => undefined))).code).toBe('CONFIG_INVALID');
  });

  it('serialises writers in several processes: critical sections never overlap, and a write never lands after a newer epoch’s', async () => {
    const file = await tempFile();
    const log = `${file}.log`;
    const random = prng(15);
    const lists = Array.from({ length: 3 }, () => {
      const tokens = Array.from({ length: 60 }, (_, i) => i + 1).filter(() => random() < 0.5);
      return tokens.sort(() => random() - 0.5);
    });
    const outputs = await Promise.all(lists.map((tokens) => output(child(['hammer', file, log, tokens.join(',')]))));
    const results = outputs.flatMap((text) =>
      text
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
    expect(results).toHaveLength(lists.flat().length);
    expect(new Set(results.map(([, outcome]) => outcome))).toSatisfy((outcomes: Set<string>) =>
      [...outcomes].every((o) => o === 'ok' || o === 'STALE_LEASE'),
    );

    const events = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    let inside: string | undefined;
    let highest = 0;
    for (const [kind, token, pid] of events) {
      if (kind === 'start') {
        expect(inside, 'a critical section started inside another').toBeUndefined();
        inside = `${token} ${pid}`;
        expect(Number(token)).toBeGreaterThanOrEqual(highest);
        highest = Number(token);
      } else {
        expect(`${token} ${pid}`).toBe(inside);
        inside = undefined;
      }
    }
    const written = results.filter(([, outcome]) => outcome === 'ok').map(([token]) => Number(token));
    expect(events.filter(([kind]) => kind === 'start')).toHaveLength(written.length);
    expect(await readFile(file, 'utf8')).toBe(`written by epoch ${highest}\n`);
    expect(await readFileEpoch(file)).toBe(highest);
    expect(written.length).toBeGreaterThan(3);
  }, 120_000);

  it('breaks the lock of a writer that died holding it (SIGKILL)', async () => {
    const file = await tempFile();
    const holder = child(['hold', file, '7']);
    await untilLocked(holder);
    holder.kill('SIGKILL');
    await new Promise((done) => holder.once('exit', done));
    expect(existsSync(join(file, '..', '.collection.json.als-lock'))).toBe(true);
    const started = Date.now();
    await fencedFileWrite(file, { token: 8, lockTimeoutMs: 5000 }, () => writeFile(file, 'after the crash'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await readFile(file, 'utf8')).toBe('after the crash');
    expect(existsSync(join(file, '..', '.collection.json.als-lock'))).toBe(false);
  });

  it('waits for a writer that is paused holding the lock (SIGSTOP), failing retryably after lockTimeoutMs, and never breaks a live lock', async () => {
    const file = await tempFile();
    await writeFile(file, 'before');
    const holder = child(['hold', file, '7']);
    await untilLocked(holder);
    holder.kill('SIGSTOP');
    try {
      const error = await rejection(fencedFileWrite(file, { token: 8, lockTimeoutMs: 300 }, () => writeFile(file, 'too early')));
      expect(error.code).toBe('TARGET_WRITE_FAILED');
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ holderPid: holder.pid, holderToken: 7 });
      expect(await readFile(file, 'utf8')).toBe('before');
    } finally {
      holder.kill('SIGCONT');
    }
    holder.kill('SIGKILL');
    await new Promise((done) => holder.once('exit', done));
    await fencedFileWrite(file, { token: 8 }, () => writeFile(file, 'after'));
    expect(await readFile(file, 'utf8')).toBe('after');
  });
});
