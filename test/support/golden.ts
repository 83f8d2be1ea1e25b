/**
 * Golden files: expected outputs committed beside the tests and compared
 * exactly, so a change of output is seen even when the output is still
 * valid. `UPDATE_GOLDEN=1 npx vitest run <test file>` writes them from the
 * current code instead of comparing; review the diff before committing it.
 * A missing golden file fails the comparison: it is never created silently.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { expect } from 'vitest';

/** True when the run rewrites golden files instead of comparing with them. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

const ROOT = resolve(import.meta.dirname, '../..');

/** A short digest of a text: the first 16 hex digits of its SHA-256. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The golden file name for a document of a fixture package: `3.0/json/petstore.json` → `3.0-json-petstore.json`. */
export function goldenName(file: string): string {
  return `${file.replace(/\//g, '-').replace(/\.(json|ya?ml)$/, '')}.json`;
}

/** The text of a golden file; fails with how to create it when there is none. */
export function readGolden(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`No golden file ${relative(ROOT, path)}: create it with UPDATE_GOLDEN=1, then review and commit it.`);
  }
  return readFileSync(path, 'utf8');
}

/** Write a golden file (only in an `UPDATE_GOLDEN=1` run). */
export async function writeGolden(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Compare `actual` with the golden file at `path`, or write it there in an update run. */
export async function expectGolden(path: string, actual: string): Promise<void> {
  if (UPDATE_GOLDEN) return writeGolden(path, actual);
  expect(actual, relative(ROOT, path)).toBe(readGolden(path));
}

/**
 * A table of one JSON value per name, as JSON text with one line per name
 * (sorted), so a diff shows exactly which names changed.
 */
export function tableText(table: Record<string, unknown>): string {
  const lines = Object.keys(table)
    .sort()
    .map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(table[name])}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** The table stored in a golden file written by {@link tableText}. */
export function readTable(path: string): Record<string, unknown> {
  return JSON.parse(readGolden(path)) as Record<string, unknown>;
}
