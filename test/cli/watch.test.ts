/** `watch` run for real: live changes from a server and from a file, stopped by SIGINT and SIGTERM; an interrupted one-shot `sync` exits 130. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, finished, serveDocument, startCli, tempDir, waitForOutput, type DocServer } from './helpers.js';

describe('api-live-sync watch', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(api(['/pets']));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('polls a URL, applies a change as it happens, prints it, and stops on SIGINT with exit 0', async () => {
    const child = startCli(['watch', server.url, '--out', 'live.json', '--interval', '200'], temp.dir);
    const done = finished(child);
    await waitForOutput(child.stdout!, (text) => /live\.json: applied 1 change/.test(text));
    expect(Object.keys(JSON.parse(readFileSync(join(temp.dir, 'live.json'), 'utf8')).paths)).toEqual(['/pets']);

    server.set(api(['/pets', '/owners']));
    const seen = await waitForOutput(child.stdout!, (text) => /GET \/owners was added[\s\S]*applied 1 change/.test(text));
    expect(seen).toMatch(/live\.json: remote changed: 1 change \(1 info\)/);
    expect(Object.keys(JSON.parse(readFileSync(join(temp.dir, 'live.json'), 'utf8')).paths)).toEqual(['/pets', '/owners']);

    child.kill('SIGINT');
    const run = await done;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('SIGINT: stopping');
    expect(run.stdout).toMatch(/stopped \(2 changes applied\)\n$/);
    // Not a terminal: plain lines, no status-line escapes.
    expect(run.stdout).not.toContain('\x1b[2K');
    expect(run.stderr).toBe('');
  });

  it('watches a file source with --json (one JSON object per line) and stops on SIGTERM with exit 0', async () => {
    const spec = join(temp.dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(api(['/a'])));
    // A long poll interval: the second change can only arrive through the file watcher.
    const child = startCli(['watch', 'spec.json', '--out', 'file.yaml', '--interval', '600000', '--json'], temp.dir);
    const done = finished(child);
    await waitForOutput(child.stdout!, (text) => text.includes('"event":"sync:applied"'));
    writeFileSync(spec, JSON.stringify(api(['/a', '/b'])));
    await waitForOutput(child.stdout!, (text) => text.includes('"event":"sync:applied"'));
    expect(readFileSync(join(temp.dir, 'file.yaml'), 'utf8')).toContain('/b:');

    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; trigger?: string; job?: { trigger: string } });
    expect(events[0]!.event).toBe('watch:started');
    expect(events.at(-1)).toMatchObject({ event: 'watch:stopped', signal: 'SIGTERM', changes: 2 });
    expect(events.filter((e) => e.event === 'sync:applied')).toHaveLength(2);
    expect(events.some((e) => e.event === 'job:queued' && e.job?.trigger === 'watch')).toBe(true);
    expect(events.some((e) => e.event === 'engine:stopped')).toBe(true);
  });

  it('SIGINT during a one-shot sync aborts the fetch and exits 130 without writing', async () => {
    // A server that accepts the request and never answers.
    const waiting: IncomingMessage[] = [];
    const hang = createServer((req) => void waiting.push(req));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/openapi.json`;
      const child = startCli(['sync', url, '--out', 'never.json'], temp.dir);
      const done = finished(child);
      await new Promise<void>((resolveWait, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (waiting.length > 0) {
            clearInterval(poll);
            resolveWait();
          } else if (Date.now() - started > 10_000) {
            clearInterval(poll);
            reject(new Error('the CLI never sent its request'));
          }
        }, 20);
      });
      child.kill('SIGINT');
      const run = await done;
      expect(run.code).toBe(130);
      expect(run.stderr).toContain('interrupted (SIGINT)');
      expect(run.stdout).toBe('');
      expect(existsSync(join(temp.dir, 'never.json'))).toBe(false);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });
});
