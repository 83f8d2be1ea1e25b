/**
 * Every client target on GitHub's REST API (issue 16): for each client, the
 * render of `@octokit/openapi` 23.0.1 (`generated/api.github.com.json`,
 * about 1,000 operations, 13 MB) and one incremental sync from 23.0.0 to
 * 23.0.1 (the next release: what a live API looks like from one deploy to
 * the next), each beside `JSON.parse` of the same text in the same process.
 *
 * - **parse**: `JSON.parse` of the 23.0.1 text, the yardstick;
 * - **render**: `target.render(document)` on a fresh target (a target
 *   remembers its renders by document object);
 * - **sync**: `engine.syncNow()` through a real SyncEngine (MemoryStore,
 *   MemorySource) on the engine that made the first sync from 23.0.0 (as a
 *   long-lived engine would), after the client's own user edits when the
 *   client has some (`edit`): the whole run, fetch to write with fsync.
 *
 * Goals (issue 16): render under 5x parse, sync under 10x parse. Medians,
 * wall clock and this process's CPU time (`process.cpuUsage`): on a shared
 * machine the CPU ratios hold steady where wall-clock ones swing.
 *
 * A client is one row of `CLIENTS`: a name, a file (or folder) name and a
 * target factory, and optionally an edit of the synced copy.
 *
 *     npx tsx bench/clients.ts [runs] [client ...]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncEngine } from '../src/engine/index.js';
import { MemorySource } from '../src/sources/index.js';
import { MemoryStore } from '../src/store/index.js';
import { brunoTarget } from '../src/targets/bruno/index.js';
import { hoppscotchTarget } from '../src/targets/hoppscotch/index.js';
import {
  isPostmanFolder,
  postmanTarget,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanItem,
  type PostmanRequest,
} from '../src/targets/postman/index.js';
import type { SyncTarget } from '../src/targets/index.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

/** One client target under test. */
interface Client {
  /** The name printed and matched by the command line. */
  name: string;
  /** The local copy's file (or folder) name inside a temporary folder. */
  file: string;
  /** A target for the local copy at `path`. */
  target(path: string): SyncTarget<unknown>;
  /** User edits made to the synced copy before the timed sync; returns how many. */
  edit?(path: string): Promise<number>;
}

/** 300 edits a Postman user could make, spread over the collection: test scripts, unchecked parameters, renames, descriptions. */
async function postmanEdits(path: string): Promise<number> {
  const collection = JSON.parse(await readFile(path, 'utf8')) as PostmanCollection;
  const items: PostmanItem[] = [];
  const walk = (entries: Array<PostmanItem | PostmanFolder>) => {
    for (const entry of entries) isPostmanFolder(entry) ? walk(entry.item) : items.push(entry);
  };
  walk(collection.item);
  const step = Math.max(1, Math.floor(items.length / 300));
  let edits = 0;
  for (let i = 0; i < items.length && edits < 300; i += step, edits++) {
    const item = items[i] as PostmanItem;
    const request = item.request as PostmanRequest;
    const query = typeof request.url === 'object' ? (request.url.query ?? []) : [];
    if (edits % 4 === 0)
      item.event = [{ listen: 'test', script: { exec: [`pm.test("ok ${i}", () => pm.response.to.have.status(200));`] } }];
    else if (edits % 4 === 1 && query[0] !== undefined) query[0].disabled = true;
    else if (edits % 4 === 2) item.name = `My ${item.name ?? ''}`;
    else request.description = `note ${i}`;
  }
  await writeFile(path, JSON.stringify(collection, null, '\t'));
  return edits;
}

const CLIENTS: Client[] = [
  { name: 'hoppscotch', file: 'github.hoppscotch.json', target: (path) => hoppscotchTarget({ path }) },
  { name: 'postman', file: 'github.postman_collection.json', target: (path) => postmanTarget({ path }), edit: postmanEdits },
  { name: 'bruno', file: 'github-bruno', target: (path) => brunoTarget({ dir: path }) },
];

const RUNS = Number(process.argv[2] ?? 5);
const ONLY = process.argv.slice(3);
const FILE = 'generated/api.github.com.json';
const FROM = '23.0.0';
const TO = '23.0.1';

interface Stamp {
  wall: number;
  cpu: number;
}
const cpuNow = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const stamp = (): Stamp => ({ wall: performance.now(), cpu: cpuNow() });
const since = (start: Stamp): Stamp => ({ wall: performance.now() - start.wall, cpu: cpuNow() - start.cpu });
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const med = (stamps: Stamp[]): Stamp => ({ wall: median(stamps.map((s) => s.wall)), cpu: median(stamps.map((s) => s.cpu)) });

const spec = async (version: string): Promise<{ text: string; document: object }> => {
  const text = await readFile(join(await npmFixture('@octokit/openapi', version), FILE), 'utf8');
  return { text, document: JSON.parse(text) as object };
};

async function bench(client: Client, base: object, remote: object, remoteText: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `als-bench-${client.name}-`));
  const parse: Stamp[] = [];
  const render: Stamp[] = [];
  const sync: Stamp[] = [];
  let edits = 0;
  let last: Awaited<ReturnType<SyncEngine['syncNow']>> | undefined;
  try {
    for (let i = 0; i <= RUNS; i++) {
      let start = stamp();
      JSON.parse(remoteText);
      const parsed = since(start);

      const path = join(dir, `${i}-${client.file}`);
      const fresh = client.target(path);
      start = stamp();
      await fresh.render(remote, undefined as never);
      const rendered = since(start);

      const source = new MemorySource(base);
      const engine = new SyncEngine({ store: new MemoryStore() });
      await engine.addSource({ id: 'gh', source, target: client.target(path), intervalMs: 0, policy: { removal: 'deprecate' } });
      await engine.syncNow('gh');
      edits = client.edit === undefined ? 0 : await client.edit(path);
      source.set(remote);
      start = stamp();
      last = await engine.syncNow('gh');
      const synced = since(start);
      await engine.stopSync();
      if (i === 0) continue; // warm-up
      parse.push(parsed);
      render.push(rendered);
      sync.push(synced);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const p = med(parse);
  const row = (label: string, stamps: Stamp[], goal?: number) => {
    const m = med(stamps);
    const ratio = { wall: m.wall / p.wall, cpu: m.cpu / p.cpu };
    const verdict =
      goal === undefined
        ? ''
        : `  goal < ${goal}x: wall ${ratio.wall < goal ? 'met' : 'NOT met'}, cpu ${ratio.cpu < goal ? 'met' : 'NOT met'}`;
    return `${label.padEnd(44)} ${m.wall.toFixed(1).padStart(8)} ms ${ratio.wall.toFixed(2).padStart(6)}x | ${m.cpu.toFixed(1).padStart(8)} ms ${ratio.cpu.toFixed(2).padStart(6)}x${verdict}`;
  };
  console.log(`\n${client.name}: @octokit/openapi ${FROM} → ${TO}, ${RUNS} runs, medians, Node ${process.version}`);
  console.log(`${''.padEnd(44)} ${'wall'.padStart(8)}    ${'× parse'.padStart(7)} | ${'cpu'.padStart(8)}    ${'× parse'.padStart(7)}`);
  console.log(row(`JSON.parse of the ${TO} spec`, parse));
  console.log(row(`render ${TO} (target.render)`, render, 5));
  console.log(row(`incremental sync ${FROM} → ${TO}${edits > 0 ? `, ${edits} edits` : ''}`, sync, 10));
  console.log(
    `last sync: ${last?.outcome}, ${last?.changes.length} changes, ${last?.conflicts.length} conflicts, written ${String(last?.written)}`,
  );
}

const [{ document: base }, { text: remoteText, document: remote }] = [await spec(FROM), await spec(TO)];
for (const client of CLIENTS) {
  if (ONLY.length > 0 && !ONLY.includes(client.name)) continue;
  await bench(client, base, remote, remoteText);
}
