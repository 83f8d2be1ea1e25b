/**
 * Your own target: any object with render/read/write. This one keeps a
 * Markdown list of endpoints in a file, and the user's own notes under each
 * endpoint survive syncs because the local shape carries them and the
 * three-way merge keeps local-only changes.
 *
 *   npx tsx examples/custom-target.ts
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncEngine, writeFileAtomic, type SyncTarget } from 'api-live-sync';
import { MemorySource } from 'api-live-sync/testing';

/** The local shape: endpoint → the user's note (empty when none). */
type Endpoints = Record<string, { summary: string; note: string }>;

/** A target that stores an endpoint list as Markdown. */
export function markdownTarget(path: string): SyncTarget<Endpoints> {
  const toMarkdown = (endpoints: Endpoints): string =>
    Object.entries(endpoints)
      .map(([key, { summary, note }]) => `## ${key}\n${summary}\n${note ? `> ${note}\n` : ''}`)
      .join('\n');
  return {
    kind: 'markdown',
    location: path,
    render(document) {
      const out: Endpoints = {};
      const paths = (document as { paths?: Record<string, Record<string, { summary?: string }>> }).paths ?? {};
      for (const [p, item] of Object.entries(paths))
        for (const [method, op] of Object.entries(item)) out[`${method.toUpperCase()} ${p}`] = { summary: op.summary ?? '', note: '' };
      return out;
    },
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return undefined;
      }
      const out: Endpoints = {};
      for (const block of text.split(/^## /m).filter(Boolean)) {
        const [key = '', summary = '', noteLine = ''] = block.split('\n');
        out[key] = { summary, note: noteLine.startsWith('> ') ? noteLine.slice(2) : '' };
      }
      return out;
    },
    async write(endpoints) {
      await writeFileAtomic(path, toMarkdown(endpoints));
    },
  };
}

/** Sync twice with a user note in between; returns the final Markdown. */
export async function runExample(dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'als-markdown-')));
  const file = join(folder, 'endpoints.md');
  const api = (extra: Record<string, unknown> = {}) => ({
    openapi: '3.0.3',
    info: { title: 'Shop', version: '1' },
    paths: { '/items': { get: { summary: 'List items', responses: {} } }, ...extra },
  });
  const source = new MemorySource(api());
  const engine = new SyncEngine();
  await engine.addSource({ id: 'shop', source, target: markdownTarget(file) });
  await engine.syncNow('shop');
  const withNote = (await readFile(file, 'utf8')).replace('List items\n', 'List items\n> paginated, ask Sam\n');
  await writeFileAtomic(file, withNote);
  source.set(api({ '/items/{id}': { delete: { summary: 'Delete an item', responses: {} } } }));
  await engine.syncNow('shop');
  return readFile(file, 'utf8');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await runExample());
}
