/**
 * Benchmark of the Hoppscotch target on real data (issue 5).
 *
 * GitHub's REST API description from `@octokit/openapi`
 * (`generated/api.github.com.json`, about 1,000 operations, 13 MB), synced
 * in three steps: 23.0.0 → 23.0.1, the next release (one operation changed:
 * what a live API looks like from one deploy to the next; 23.0.2 changed
 * only `info`), 22.0.0 → 23.0.0, the next major (about 2,000 changes), and
 * 19.0.0 → 23.0.2, four majors at once (about 3,400 changes).
 *
 * - **parse**: `JSON.parse` of the newer text, the yardstick;
 * - **render**: `hoppscotchTarget().render(document)` of the newer one: the
 *   collection as Hoppscotch's importer would make it, put in the keyed form
 *   the merge works on (not validated: the target validates what it
 *   writes); beside it `renderCollection(document)`, which validates its
 *   output with the zod schemas (a JSON round trip and a parse);
 * - **sync**: one incremental `engine.syncNow()` through a real SyncEngine
 *   (MemoryStore, MemorySource), from the older to the newer, into a collection
 *   file carrying 300 user edits (renames, test scripts, added headers,
 *   param values, auth, moves to a user folder, deletions), on the engine
 *   that made the first sync (as a long-lived engine would). This is the
 *   whole run: fetch, load (private copy, validation, canonical hash),
 *   semantic diff, render of the remote (the base's render is remembered
 *   from the sync before), read, merge, reconcile, write with fsync, base
 *   and journal. The target's own share is printed beside it.
 *
 * Cases run in one process; medians are printed with the ratio to parse,
 * in wall-clock time and in this process's CPU time (`process.cpuUsage`,
 * all threads): on a shared machine the CPU ratios hold steady where the
 * wall-clock ones swing with other processes' load.
 *
 *     npx tsx bench/hoppscotch.ts [runs]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncEngine } from '../src/engine/index.js';
import { MemorySource } from '../src/sources/index.js';
import { MemoryStore } from '../src/store/index.js';
import {
  hoppscotchTarget,
  renderCollection,
  type HoppCollection,
  type HoppRequest,
  type NormalisedCollection,
} from '../src/targets/hoppscotch/index.js';
import type { SyncTarget } from '../src/targets/index.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

const RUNS = Number(process.argv[2] ?? 7);
const FILE = 'generated/api.github.com.json';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** 300 edits a user could make in Hoppscotch, spread over the collection. */
function userEdits(collection: HoppCollection): number {
  const all: Array<{ request: HoppRequest; parent: HoppCollection }> = [];
  const walk = (node: HoppCollection) => {
    node.folders.forEach(walk);
    for (const request of node.requests) all.push({ request, parent: node });
  };
  walk(collection);
  const step = Math.floor(all.length / 300);
  const picked = Array.from({ length: 300 }, (_, i) => all[i * step] as { request: HoppRequest; parent: HoppCollection });
  const favourites = {
    ...structuredClone(collection.folders[0] as HoppCollection),
    name: 'Favourites',
    description: 'mine',
    folders: [],
    requests: [] as HoppRequest[],
  };
  let edits = 0;
  picked.forEach(({ request, parent }, i) => {
    const kind = i % 12;
    edits++;
    if (kind === 0 || kind === 1) request.name = `My ${request.name}`;
    else if (kind === 2 || kind === 3) request.testScript = `pw.test("status", () => pw.expect(pw.response.status).toBe(200)); // ${i}`;
    else if (kind === 4 || kind === 5) request.headers.push({ key: 'X-Team', value: `team-${i}`, active: true, description: '' });
    else if (kind === 6 || kind === 7) {
      const param = request.params[0] ?? request.requestVariables[0];
      if (param) param.value = `value-${i}`;
      else request.description = `note ${i}`;
    } else if (kind === 8 || kind === 9)
      request.auth = { authType: 'bearer', authActive: true, token: `token-${i}` } as HoppRequest['auth'];
    else if (kind === 10) {
      parent.requests.splice(parent.requests.indexOf(request), 1);
      favourites.requests.push(request);
    } else parent.requests.splice(parent.requests.indexOf(request), 1);
  });
  (collection.folders as HoppCollection[]).push(favourites as HoppCollection);
  return edits;
}

/** Milliseconds of CPU this process used (user + system), all threads. */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** A wall-clock and a CPU-time reading. */
interface Stamp {
  wall: number;
  cpu: number;
}
const stamp = (): Stamp => ({ wall: performance.now(), cpu: cpuNow() });
const since = (start: Stamp): Stamp => ({ wall: performance.now() - start.wall, cpu: cpuNow() - start.cpu });

/** What {@link timed} measured in one sync. */
interface Spent {
  /** Time inside the target's own calls. */
  in: Stamp;
  /** When `read` returned and `reconcile` was called: the gap is the merge and the resolver. */
  readEnd: Stamp;
  reconcileStart: Stamp;
}

/** A target that times its delegate's calls. */
function timed(target: SyncTarget<NormalisedCollection>, spent: Spent): SyncTarget<NormalisedCollection> {
  const clock =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      const start = stamp();
      if (name === 'reconcile') spent.reconcileStart = start;
      const done = () => {
        const end = stamp();
        spent.in = { wall: spent.in.wall + end.wall - start.wall, cpu: spent.in.cpu + end.cpu - start.cpu };
        if (name === 'read') spent.readEnd = end;
      };
      const result = fn(...args);
      if (result instanceof Promise) return result.finally(done) as R;
      done();
      return result;
    };
  return {
    kind: target.kind,
    identityRules: target.identityRules,
    render: clock('render', target.render.bind(target)),
    read: clock('read', target.read.bind(target)),
    write: clock('write', target.write.bind(target)),
    reconcile: clock('reconcile', (target.reconcile as NonNullable<typeof target.reconcile>).bind(target)),
  };
}

const spec = async (version: string): Promise<{ text: string; document: object }> => {
  const text = await readFile(join(await npmFixture('@octokit/openapi', version), FILE), 'utf8');
  return { text, document: JSON.parse(text) as object };
};

/**
 * Sync from `from` to `to` into the edited collection, `RUNS` times (after
 * a warm-up), and print the medians. The user's edits are made to the file
 * just before the timed sync; with `prior`, they are made to a collection
 * synced from `prior` instead, and the engine syncs `from` into it first, so
 * the timed sync finds the file as the engine last wrote it (the common
 * case in watch mode, where edits are rare and releases frequent).
 */
async function scenario(from: string, to: string, title: string, prior?: string): Promise<void> {
  const { text: newText, document: remote } = await spec(to);
  const { document: base } = await spec(from);
  const earlier = prior === undefined ? undefined : (await spec(prior)).document;
  const dir = await mkdtemp(join(tmpdir(), 'als-bench-hopp-'));
  const file = join(dir, 'github.hoppscotch.json');
  try {
    // The edited collection: synced once from the older version (or `prior`), then 300 edits.
    const seedEngine = new SyncEngine({ store: new MemoryStore() });
    await seedEngine.addSource({
      id: 'gh',
      source: new MemorySource(earlier ?? base),
      target: hoppscotchTarget({ path: file }),
      intervalMs: 0,
    });
    await seedEngine.syncNow('gh');
    const collection = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
    const edits = userEdits(collection);
    const editedText = JSON.stringify(collection, null, 2);

    const cases = ['parse', 'render', 'renderValidated', 'sync', 'fetch', 'loadDiff', 'mergeWrite', 'hoppscotch', 'targetCalls'] as const;
    const results = Object.fromEntries(cases.map((c) => [c, [] as Stamp[]])) as Record<(typeof cases)[number], Stamp[]>;
    let operations = 0;
    let last: Awaited<ReturnType<SyncEngine['syncNow']>> | undefined;
    for (let i = 0; i <= RUNS; i++) {
      let start = stamp();
      JSON.parse(newText);
      const parse = since(start);

      // A fresh target each time: a target remembers what it rendered, by document.
      const renderTarget = hoppscotchTarget({ path: file });
      start = stamp();
      const rendered = renderTarget.render(remote, undefined as never) as NormalisedCollection;
      const render = since(start);
      operations = Object.keys(rendered.requests).length;

      start = stamp();
      renderCollection(remote);
      const renderValidated = since(start);

      // Fresh engine and store with the base already synced, then the edited file.
      const store = new MemoryStore();
      const source = new MemorySource(earlier ?? base);
      const zero = (): Stamp => ({ wall: 0, cpu: 0 });
      const spent: Spent = { in: zero(), readEnd: zero(), reconcileStart: zero() };
      const engine = new SyncEngine({ store });
      await engine.addSource({
        id: 'gh',
        source,
        target: timed(hoppscotchTarget({ path: file }), spent),
        intervalMs: 0,
        policy: { removal: 'deprecate' },
      });
      if (earlier === undefined) {
        await engine.syncNow('gh');
        await writeFile(file, editedText);
      } else {
        await rm(file, { force: true });
        await engine.syncNow('gh');
        await writeFile(file, editedText);
        source.set(base);
        await engine.syncNow('gh');
      }
      source.set(remote);
      spent.in = zero();
      const at: Record<string, Stamp> = {};
      engine.on('spec:fetched', () => {
        at.fetched = stamp();
      });
      engine.on('spec:changed', () => {
        at.changed = stamp();
      });
      engine.on('sync:applied', () => {
        at.applied = stamp();
      });
      start = stamp();
      last = await engine.syncNow('gh');
      const sync = since(start);
      if (i === 0) continue; // warm-up
      const between = (a: Stamp | undefined, b: Stamp | undefined): Stamp => ({
        wall: (b?.wall ?? 0) - (a?.wall ?? 0),
        cpu: (b?.cpu ?? 0) - (a?.cpu ?? 0),
      });
      const mergeGap = between(spent.readEnd, spent.reconcileStart);
      results.parse.push(parse);
      results.render.push(render);
      results.renderValidated.push(renderValidated);
      results.sync.push(sync);
      results.fetch.push(between(start, at.fetched));
      results.loadDiff.push(between(at.fetched, at.changed));
      results.mergeWrite.push(between(at.changed, at.applied));
      results.hoppscotch.push({ wall: spent.in.wall + mergeGap.wall, cpu: spent.in.cpu + mergeGap.cpu });
      results.targetCalls.push(spent.in);
    }

    const med = (c: (typeof cases)[number]): Stamp => ({
      wall: median(results[c].map((r) => r.wall)),
      cpu: median(results[c].map((r) => r.cpu)),
    });
    const p = med('parse');
    const row = (label: string, c: (typeof cases)[number], goal?: number) => {
      const m = med(c);
      const ratio = { wall: m.wall / p.wall, cpu: m.cpu / p.cpu };
      const verdict =
        goal === undefined
          ? ''
          : `  goal < ${goal}x: wall ${ratio.wall < goal ? 'met' : 'NOT met'}, cpu ${ratio.cpu < goal ? 'met' : 'NOT met'}`;
      return `${label.padEnd(58)} ${m.wall.toFixed(1).padStart(8)} ms ${ratio.wall.toFixed(2).padStart(6)}x | ${m.cpu.toFixed(1).padStart(8)} ms ${ratio.cpu.toFixed(2).padStart(6)}x${verdict}`;
    };
    console.log(
      `\n${title}: GitHub REST API, @octokit/openapi ${prior === undefined ? '' : `${prior} (edited) → `}${from} → ${to} (${(newText.length / 1e6).toFixed(1)} MB, ${operations} requests rendered), ${RUNS} runs, medians, Node ${process.version}`,
    );
    console.log(`${''.padEnd(58)} ${'wall'.padStart(8)}    ${'× parse'.padStart(7)} | ${'cpu'.padStart(8)}    ${'× parse'.padStart(7)}`);
    console.log(row(`JSON.parse of the ${to} spec`, 'parse'));
    console.log(row(`render ${to} (target.render)`, 'render', 5));
    console.log(row('  renderCollection, validated by parseCollection', 'renderValidated'));
    console.log(row(`incremental sync, ${edits} user edits (syncNow)`, 'sync', 10));
    console.log(row('  fetch (MemorySource)', 'fetch'));
    console.log(row('  load, validate, hash, semantic diff (engine)', 'loadDiff'));
    console.log(row('  render ... write, base, journal', 'mergeWrite'));
    console.log(row('  Hoppscotch part: target calls + merge3', 'hoppscotch', 10));
    console.log(row('    of which the target (render, read, reconcile, write)', 'targetCalls'));
    console.log(
      `last sync: ${last?.outcome}, ${last?.changes.length} changes, ${last?.conflicts.length} conflicts, written ${String(last?.written)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The next release with a change (23.0.1 changed one operation; 23.0.2 only `info`): what a live API's
// spec looks like from one deploy to the next. Then the next major, then four majors at once.
await scenario('23.0.0', '23.0.1', 'Next release, edits made since the last sync');
await scenario('23.0.0', '23.0.1', 'Next release, edits synced before (the file is as the engine last wrote it)', '22.0.0');
await scenario('22.0.0', '23.0.0', 'Next major release');
await scenario('19.0.0', '23.0.2', 'Four major releases at once');
