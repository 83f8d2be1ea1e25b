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
    if (parts.length > 1 && !(parts.length === 2 && parts[1] === 'index.ts'))
      bypasses.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
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

  it('keeps every arrow pointing down the layers of docs/architecture.md', () => {
    const layer: Record<string, number> = {
      errors: -2,
      'binding-id': -1,
      options: -1,
      json: 0,
      document: 1,
      merge: 1,
      diff: 1,
      scheduler: 2,
      sources: 2,
      targets: 2,
      store: 2,
      conflict: 2,
      metrics: 2,
      engine: 3,
      events: 4,
      cli: 6,
      server: 4,
      testing: 4,
      cluster: 4,
      index: 5, // the package entry; the CLI sits above it and uses the public API
    };
    const sideways = new Set(['targets → store', 'store → sources', 'conflict → merge', 'diff → document']);
    const wrong: string[] = [];
    for (const [from, targets] of edges) {
      for (const to of targets) {
        expect(layer[from], `${from} is not placed on a layer`).toBeDefined();
        expect(layer[to], `${to} is not placed on a layer`).toBeDefined();
        if (layer[to]! >= layer[from]! && !sideways.has(`${from} → ${to}`)) wrong.push(`${from} → ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
