/**
 * `api-live-sync worker` and `api-live-sync status --redis`: the real CLI as
 * child processes against a real redis-server and a loopback HTTP server;
 * assertions on `--json` output only.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/cluster/index.js';
import { freePort, useRedisServer } from '../support/redis.js';
import { api, cli, finished, serveDocument, startCli, tempDir, waitForOutput, type DocServer } from './helpers.js';

const redis = useRedisServer();
let temp: ReturnType<typeof tempDir>;
let doc: DocServer;

beforeAll(async () => {
  temp = tempDir();
  doc = await serveDocument(api(['/pets']));
});
afterAll(async () => {
  await doc.close();
  temp.dispose();
});

/** The JSON lines a command printed. */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface StatusJson {
  command: string;
  exitCode: number;
  queue: { waiting: number; active: number; delayed: number; prioritized: number };
  workers: string[];
  bindings: Array<{
    id: string;
    lastSync: { at: number; outcome: string; workerId: string } | null;
    lease: { owner: string; token: number; remainingMs: number } | null;
    queued: number;
    delayed: number;
  }>;
}

describe('api-live-sync worker and status --redis', { timeout: 90_000 }, () => {
  it('a worker syncs the bindings of its config through Redis; status --json shows each last sync, the lease holder and the queue; SIGTERM stops the worker gracefully', async () => {
    const config = join(temp.dir, 'api-live-sync.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        bindings: [
          { id: 'pets', source: doc.url, out: join(temp.dir, 'pets.json') },
          { id: 'zoo', source: doc.url, out: join(temp.dir, 'zoo.json') },
        ],
      }),
    );
    const prefix = 'cli-test-1';
    const worker = startCli(
      [
        'worker',
        '--redis',
        redis.current.url,
        '--prefix',
        prefix,
        '--worker-id',
        'w1',
        '--config',
        config,
        '--interval',
        '60000',
        '--json',
      ],
      temp.dir,
    );
    const done = finished(worker, 60_000);
    let output = '';
    worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(worker.stdout!, (text) => (output + text).split('\n').filter((l) => l.includes('"job:completed"')).length >= 2);
    expect(existsSync(join(temp.dir, 'pets.json'))).toBe(true);
    expect(existsSync(join(temp.dir, 'zoo.json'))).toBe(true);
    const started = jsonLines(output).find((line) => line.event === 'worker:started');
    expect(started).toMatchObject({ workerId: 'w1', prefix, bindings: ['pets', 'zoo'] });
    for (const line of jsonLines(output).filter((l) => l.event === 'job:completed')) expect(line.workerId).toBe('w1');

    // Someone else holds the lease of "zoo" right now.
    const client = new Redis(redis.current.url);
    try {
      const lease = await acquireLease(client, 'zoo', { prefix, owner: 'someone-else', ttlMs: 60_000 });
      expect(lease).toBeDefined();
      // The worker publishes its metrics and events every 250 ms.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const run = await cli(['status', '--redis', redis.current.url, '--prefix', prefix, '--json'], temp.dir);
      expect(run.code).toBe(0);
      const status = JSON.parse(run.stdout) as StatusJson;
      expect(status.command).toBe('status');
      expect(status.workers).toEqual(['w1']);
      expect(status.bindings.map((b) => b.id)).toEqual(['pets', 'zoo']);
      for (const binding of status.bindings) {
        expect(binding.lastSync).toMatchObject({ outcome: 'applied', workerId: 'w1' });
        expect(binding.queued).toBe(0);
        // The next tick of its schedule, a minute away.
        expect(binding.delayed).toBe(1);
      }
      expect(status.bindings.find((b) => b.id === 'pets')!.lease).toBeNull();
      expect(status.bindings.find((b) => b.id === 'zoo')!.lease).toMatchObject({ owner: 'someone-else', token: lease!.token });
      for (const key of ['waiting', 'active', 'delayed', 'prioritized'] as const) expect(typeof status.queue[key]).toBe('number');
    } finally {
      client.disconnect();
    }

    worker.kill('SIGTERM');
    const end = await done;
    expect(end.code).toBe(0);
    expect(jsonLines(end.stdout).at(-1)).toMatchObject({ event: 'worker:stopped', workerId: 'w1', signal: 'SIGTERM' });
  });

  it('Redis unreachable: worker and status fail with STORE_READ_FAILED, the hint naming the URL without the password', async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const config = join(temp.dir, 'one.config.json');
    writeFileSync(config, JSON.stringify({ bindings: [{ id: 'pets', source: doc.url, out: join(temp.dir, 'one.json') }] }));
    for (const args of [
      ['status', '--redis', url, '--json'],
      ['worker', '--redis', url, '--config', config, '--json'],
    ]) {
      const run = await cli(args, temp.dir);
      expect(run.code, args[0]).toBe(3);
      const last = JSON.parse(run.stdout) as { exitCode: number; error: { code: string; hint: string } };
      expect(last.exitCode).toBe(3);
      expect(last.error.code).toBe('STORE_READ_FAILED');
      expect(last.error.hint).toContain(`redis://127.0.0.1:${port}`);
      expect(run.stdout + run.stderr).not.toContain('hunter2');
    }
  });

  it('refuses a worker or status without --redis, or with a URL that is not redis://, as a usage error', async () => {
    for (const args of [
      ['status', '--json'],
      ['worker', '--json'],
      ['status', '--redis', 'http://127.0.0.1:6379', '--json'],
    ]) {
      const run = await cli(args, temp.dir);
      expect(run.code, args.join(' ')).toBe(2);
      const out = JSON.parse(run.stdout) as { command: string | null; error: { code: string } };
      // The command is known (an unknown one would report command null): its own usage error.
      expect(out.command).toBe(args[0]);
      expect(out.error.code).toBe('CONFIG_INVALID');
    }
  });
});
