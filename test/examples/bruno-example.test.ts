/**
 * examples/bruno.ts, run as a user runs it: the collection folder it writes
 * keeps the user's test through a sync that adds a request, and Bruno's own
 * CLI passes on it against a loopback server answering every route.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExample } from '../../examples/bruno.js';
import { bruFailures, runBru, startSpecServer } from '../support/bru.js';

const root = resolve(import.meta.dirname, '../..');

describe('examples/bruno.ts', () => {
  it('keeps the user test, adds the new request, and bru run passes on the folder', async () => {
    const lines: string[] = [];
    const result = await runExample({ log: (line) => lines.push(line) });
    expect(result).toMatchObject({ testKept: true, added: true });
    expect(lines.join('\n')).toContain('your test survived: yes');
    const server = await startSpecServer(result.document);
    try {
      const run = await runBru(result.dir, { baseUrl: server.url });
      expect(bruFailures(run)).toEqual([]);
      expect(run.results.map((r) => r.path).sort()).toEqual(['pets/Add a pet', 'pets/List pets']);
      expect(run.results.flatMap((r) => r.testResults.map((t) => `${t.description}: ${t.status}`))).toEqual(['lists pets: pass']);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('runs standalone, as `npx tsx examples/bruno.ts`', async () => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'examples', 'bruno.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(stdout).toContain('your test survived: yes; new request written: yes');
  }, 60_000);
});
