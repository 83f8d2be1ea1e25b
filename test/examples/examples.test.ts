import { readdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo.js';
import { runExample as runCustomTarget } from '../../examples/custom-target.js';
import { runExample as runUnitTesting } from '../../examples/unit-test-your-rules.js';

const covered = ['custom-target.ts', 'demo.ts', 'unit-test-your-rules.ts'];

describe('examples', () => {
  it('covers every file in examples/', async () => {
    const files = (await readdir(resolve(import.meta.dirname, '../../examples'))).filter((f) => f.endsWith('.ts')).sort();
    expect(files).toEqual(covered);
  });

  it('demo: syncs a live server, picks up a route change and keeps the user edit', async () => {
    const lines: string[] = [];
    const result = (await runDemo({ outDir: await mkdtemp(join(tmpdir(), 'als-demo-')), log: (l) => lines.push(l), pollMs: 100 })) as {
      paths: Record<string, Record<string, { description?: string; parameters?: Array<{ schema?: { maximum?: number } }> }>>;
    };
    expect(result.paths['/pets']?.post).toBeDefined();
    expect(result.paths['/pets']?.get?.description).toBe('Returns pets, newest first. (my note)');
    expect(result.paths['/pets']?.get?.parameters?.[0]?.schema?.maximum).toBe(50);
    expect(lines.join('\n')).toContain('your note survived: yes');
  });

  it('unit-test-your-rules: rules, retries and events without real time', async () => {
    const result = await runUnitTesting();
    expect(result.descriptionFromRemote).toBe('Every order, newest first');
    expect(result.summaryKeptLocal).toBe('My orders');
    expect(result.retryTimes).toEqual([500, 1000, 2000]);
    expect(result.events).toEqual(['conflict:detected', 'conflict:resolved', 'job:failed']);
  });

  it('custom-target: a Markdown target keeps the user note through a sync', async () => {
    const markdown = await runCustomTarget();
    expect(markdown).toContain('> paginated, ask Sam');
    expect(markdown).toContain('## DELETE /items/{id}');
  });
});
