/** Every public name has a TSDoc comment: checked with the TypeScript compiler over each entry point. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
/** The published entry points, as typedoc.json lists them (one per subpath of package.json `exports`). */
const entries = (JSON.parse(readFileSync(resolve(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] }).entryPoints;

it('reads one entry point per published subpath', () => {
  const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  expect(entries).toHaveLength(Object.keys(manifest.exports).filter((key) => key !== './package.json').length);
});

describe('TSDoc', () => {
  it('documents every exported name of every entry point', () => {
    const program = ts.createProgram(
      entries.map((e) => resolve(root, e)),
      {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
    );
    const checker = program.getTypeChecker();
    const missing: string[] = [];
    for (const entry of entries) {
      const file = program.getSourceFile(resolve(root, entry));
      const moduleSymbol = file && checker.getSymbolAtLocation(file);
      expect(moduleSymbol, entry).toBeDefined();
      for (const exported of checker.getExportsOfModule(moduleSymbol!)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const documented =
          symbol.getDocumentationComment(checker).length > 0 ||
          (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
        if (!documented) missing.push(`${entry}: ${exported.getName()}`);
      }
    }
    expect(missing).toEqual([]);
  }, 60_000);
});
