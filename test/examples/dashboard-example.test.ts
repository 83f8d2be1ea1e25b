/**
 * examples/dashboard.ts: in process (start, read the page and the status,
 * close), and standalone as `npx tsx examples/dashboard.ts` would run it:
 * it prints the URL, serves the page there, and stops on SIGTERM with exit
 * code 0. The page itself is tested in headless Chromium in
 * test/browser/dashboard.test.ts.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDashboardExample } from '../../examples/dashboard.js';

const root = resolve(import.meta.dirname, '../..');

describe('dashboard example', () => {
  it('serves the dashboard page and the status of its one binding, synced at start', async () => {
    const lines: string[] = [];
    const app = await startDashboardExample({ pollMs: 0, log: (line) => lines.push(line) });
    try {
      expect(lines[0]).toBe(`dashboard: ${app.url}`);
      const page = await fetch(app.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<script src="dashboard/dashboard.js" defer></script>');
      const status = (await (await fetch(`${app.api}/status`)).json()) as {
        bindings: Array<{ id: string; lastResult?: { outcome: string } }>;
      };
      expect(status.bindings.map((b) => [b.id, b.lastResult?.outcome])).toEqual([['orders', 'applied']]);
    } finally {
      await app.close();
    }
  });

  it('run standalone, prints the URL it serves the page at and stops on SIGTERM', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'examples/dashboard.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL in 20 s\nstdout: ${stdout}\nstderr: ${stderr}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/sync\/)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          done(match[1]!);
        }
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('api-live-sync dashboard');
    const exited = new Promise<number | null>((done) => child.on('close', done));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
