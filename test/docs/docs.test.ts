/** Docs that cannot drift: every event, every error code and every link is checked. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncEngineEventNames, syncErrorCodes } from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('docs', () => {
  it('docs/events.md has a section for every event of the typed map, and no other', () => {
    const text = read('docs/events.md');
    const documented = [...text.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...syncEngineEventNames].sort());
  });

  it('docs/troubleshooting.md explains every error code, and no other', () => {
    const text = read('docs/troubleshooting.md');
    const documented = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...syncErrorCodes].sort());
  });

  it('every relative link in README.md and docs/ points at a file that exists', () => {
    const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const file of files) {
      for (const match of read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(join(root, dirname(file)), target))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README gives the two commands', () => {
    const text = read('README.md');
    expect(text).toContain('npm ci && npm run demo');
    expect(text).toContain('npm ci && npm test');
  });
});
