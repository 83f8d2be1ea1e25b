/** Docs that cannot drift: every event, every error code and every link is checked. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactionPatterns } from '../../src/conflict/openai.js';
import { SECRET_KEY_ENDINGS, SECRET_KEY_NAMES } from '../../src/conflict/secret-names.js';
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

  it('docs/ai-resolver.md lists exactly what redaction hides: the secret key names, endings and text patterns of the code', () => {
    const text = read('docs/ai-resolver.md');
    const between = (from: string, to: string) => text.slice(text.indexOf(from) + from.length, text.indexOf(to, text.indexOf(from)));
    const normal = (block: string) => [...block.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9]/g, '')).sort();
    expect(normal(between('These names are secrets:', 'and so is any key ending'))).toEqual([...SECRET_KEY_NAMES].sort());
    expect(normal(between('and so is any key ending in one of these:', '(`accessToken`'))).toEqual([...SECRET_KEY_ENDINGS].sort());
    const table = between('### Secrets inside text', '### Hidden conflicts');
    expect([...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1])).toEqual(redactionPatterns.map((pattern) => pattern.name));
  });

  it('every relative link in README.md and docs/ points at a file that exists', () => {
    const files = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
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
