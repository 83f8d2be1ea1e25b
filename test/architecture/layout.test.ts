/**
 * The layout holds: no import cycle between the folders of src/, no import
 * that reaches into another folder past its index.ts, and the arrows of
 * docs/architecture.md (nothing in json/, document/, merge/ or diff/ imports
 * anything above it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (`import … from './x.js'`, `export … from`, `import('./x.js')`), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specs.map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
}

/** The folder of src/ a file belongs to (`json`, `engine`, …), or its own name for files at the top. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? (parts[0] as string) : (parts[0] as string).replace(/\.ts$/, '');
}

const files = sources(SRC);
const edges = new Map<string, Set<string>>();
const bypasses: string[] = [];
for (const file of files) {
  for (const target of importsOf(file)) {
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)!.add(to);
    const parts = relative(SRC, target).split('/');
    if (parts.length > 1 && !(parts.length === 2 && parts[1] === 'index.ts')) bypasses.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
  }
}

describe('the layout of src/', () => {
  it('has no import that bypasses a folder index', () => {
    expect(bypasses).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the kernel at the bottom: json/, document/, merge/ and diff/ import nothing above them', () => {
    const allowed: Record<string, string[]> = {
      json: ['errors'],
      document: ['json', 'errors'],
      merge: ['json', 'errors'],
      diff: ['json', 'document', 'errors'],
    };
    for (const [folder, may] of Object.entries(allowed)) {
      expect([...(edges.get(folder) ?? [])].filter((to) => !may.includes(to)), folder).toEqual([]);
    }
  });
});
