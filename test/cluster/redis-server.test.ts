/** The test harness's redis-server: a real server, and never one left behind. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../support/redis.js';

/** True while `pid` runs (a zombie, killed and not yet reaped by its new parent, counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe('the test redis-server', () => {
  it('starts on a loopback port without persistence, and stop() ends it', async () => {
    const server = await startRedisServer();
    const { Redis } = await import('ioredis');
    const client = new Redis(server.url);
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
  });

  it('dies with the test process even when that process is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'redis-crash-child.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<{ pid: number; port: number }>((done, fail) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n')) done(JSON.parse(text.split('\n')[0]!) as { pid: number; port: number });
      });
      child.once('exit', (code) => fail(new Error(`the child exited (${code}) before starting a server`)));
    });
    expect(alive(started.pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await until(() => !alive(started.pid), 5000)).toBe(true);
  });
});
