/**
 * Issue 12, item 8, end to end: a dev server (a child process on a fixed
 * port of 127.0.0.1) is killed with SIGKILL and started again seconds later
 * with a changed document, while the real `api-live-sync watch` polls it
 * every 2 s into a file. The restart must not open the circuit breaker, and
 * the file must be updated about a second after the server answers again;
 * the measured time is printed. A server that stays down still opens the
 * breaker once the grace period is over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, closedPort, finished, startCli, tempDir, waitForOutput } from '../cli/helpers.js';

const SERVER = resolve(import.meta.dirname, '../support/dev-server.mjs');

const children: ChildProcess[] = [];
const folders: Array<{ dispose: () => void }> = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) folder.dispose();
});

/** Start the dev server; resolves with the process and the time it began to accept connections (its own clock). */
async function startServer(port: number, spec: string, cwd: string): Promise<{ child: ChildProcess; answeringAt: number }> {
  const child = spawn(process.execPath, [SERVER, String(port), spec], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const text = await waitForOutput(child.stdout!, (t) => /listening \d+\n/.test(t), 10_000);
  return { child, answeringAt: Number(/listening (\d+)/.exec(text)![1]) };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
}

/** Resolves with the time `predicate` first held of the file's text, polling every 5 ms. */
function fileChanged(path: string, predicate: (text: string) => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const timer = setInterval(() => {
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        // not written yet
      }
      if (predicate(text)) {
        clearInterval(timer);
        resolvePromise(Date.now());
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`${path} did not change in ${timeoutMs} ms; it holds: ${text.slice(0, 200)}`));
      }
    }, 5);
  });
}

type Line = { event: string; [key: string]: unknown };

function events(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

describe('a dev server restarting under `api-live-sync watch`', { timeout: 90_000 }, () => {
  it('SIGKILL, down 4.5 s, back with a changed document: the breaker never opens and the file is updated within 1.5 s of the server answering', async () => {
    const temp = tempDir();
    folders.push(temp);
    const spec = join(temp.dir, 'spec.json');
    const out = join(temp.dir, 'api.json');
    writeFileSync(spec, JSON.stringify(api(['/pets'])));
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/openapi.json`;
    const first = await startServer(port, spec, temp.dir);

    const watch = startCli(['watch', url, '--out', 'api.json', '--interval', '2000', '--json'], temp.dir);
    children.push(watch);
    const done = finished(watch, 80_000);
    await waitForOutput(watch.stdout!, (text) => text.includes('"event":"sync:applied"'));
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).toEqual(['/pets']);

    // The restart: the process dies at once, the next build takes 4.5 s and serves a new route.
    await kill(first.child);
    await new Promise((r) => setTimeout(r, 4500));
    writeFileSync(spec, JSON.stringify(api(['/pets', '/owners'])));
    const second = await startServer(port, spec, temp.dir);
    const updatedAt = await fileChanged(out, (text) => text.includes('/owners'), 30_000);
    const elapsed = updatedAt - second.answeringAt;
    console.log(`dev server restart (down 4.5 s, polled every 2 s): answering again → file updated in ${elapsed} ms`);

    watch.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(0);
    const lines = events(run.stdout);
    const names = lines.map((line) => line.event);
    expect(names).not.toContain('circuit:opened');
    expect(names).not.toContain('job:failed');
    const restarting = lines.filter((line) => line.event === 'source:restarting');
    expect(restarting).toHaveLength(1);
    expect(restarting[0]).toMatchObject({ sourceId: 'api.json', error: { code: 'SOURCE_CONNECTION_REFUSED', restarting: true } });
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).toEqual(['/pets', '/owners']);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a server that stays down opens the breaker once the grace period is over (--restart-grace, --retries, --breaker-threshold)', async () => {
    const temp = tempDir();
    folders.push(temp);
    const spec = join(temp.dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(api(['/pets'])));
    const port = await closedPort();
    const server = await startServer(port, spec, temp.dir);
    const args = ['watch', `http://127.0.0.1:${port}/openapi.json`, '--out', 'api.json', '--interval', '300', '--json'];
    const watch = startCli([...args, '--restart-grace', '1000', '--retries', '0', '--breaker-threshold', '2'], temp.dir);
    children.push(watch);
    const done = finished(watch, 60_000);
    await waitForOutput(watch.stdout!, (text) => text.includes('"event":"sync:applied"'));
    await kill(server.child);
    await waitForOutput(watch.stdout!, (text) => text.includes('"event":"circuit:opened"'), 20_000);
    watch.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(0);
    const lines = events(run.stdout);
    const restarting = lines.find((line) => line.event === 'source:restarting') as
      (Line & { since: number; graceEndsAt: number }) | undefined;
    const opened = lines.find((line) => line.event === 'circuit:opened') as (Line & { timestamp: number; failures: number }) | undefined;
    expect(restarting).toMatchObject({ graceEndsAt: restarting!.since + 1000 });
    expect(opened!.failures).toBe(2);
    expect(opened!.timestamp).toBeGreaterThanOrEqual(restarting!.graceEndsAt);
  });
});
