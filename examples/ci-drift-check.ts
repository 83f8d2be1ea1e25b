/**
 * A CI drift gate written against the library API: does the committed local
 * OpenAPI copy still match what the API's code produces? It plans a sync
 * (`engine.plan`, which writes nothing), prints the plan as Markdown and
 * exits 1 when a sync would change the local copy, 0 when it is in sync,
 * 2 when the source cannot be read. `--fail-on breaking` fails only for
 * breaking changes (additions and descriptions then pass with a report).
 *
 *   npx tsx examples/ci-drift-check.ts                        (a demo in a temporary folder)
 *   npx tsx examples/ci-drift-check.ts <file|url> <out.json> [--fail-on breaking] [--store <dir>]
 *
 * The base of the three-way merge lives in the store, `.api-live-sync` next
 * to the local copy by default (where `api-live-sync sync <source> --out
 * <out>` keeps it, under the binding id `basename(out)`): commit it with the
 * local copy so that the gate tells the user's own edits from drift. The
 * ready-made command is `api-live-sync check`; this is the same gate in a
 * few lines, to adapt.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FileStore,
  SyncEngine,
  fileSource,
  httpSource,
  isSyncError,
  openApiFileTarget,
  planToMarkdown,
  type SyncPlan,
} from 'api-live-sync';

/** Options of the drift check. */
export interface DriftCheckOptions {
  /** The live document: an http(s) URL or a file path. */
  source: string;
  /** The committed local OpenAPI copy (JSON or YAML). */
  out: string;
  /** The store directory; default `.api-live-sync` next to `out`. */
  store?: string;
  /** `drift` (default): fail on any change to the local copy; `breaking`: fail only on breaking changes. */
  failOn?: 'drift' | 'breaking';
}

/** What the check decided. */
export interface DriftCheckReport {
  /** 0 in sync (or only non-breaking drift with `failOn: 'breaking'`), 1 drift, 2 the check could not run. */
  exitCode: 0 | 1 | 2;
  /** The plan as Markdown, then a verdict line; or the error and its hint. */
  markdown: string;
  /** The plan, when one was made. */
  plan?: SyncPlan;
}

/** One binding, as `api-live-sync sync <source> --out <out>` makes it: id `basename(out)`, store next to `out`. */
async function withBinding<T>(options: DriftCheckOptions, run: (engine: SyncEngine, id: string) => Promise<T>): Promise<T> {
  const out = resolve(options.out);
  const id = basename(out);
  const engine = new SyncEngine({
    store: new FileStore({ dir: options.store ?? join(dirname(out), '.api-live-sync') }),
    defaultIntervalMs: 0,
  });
  await engine.addSource({
    id,
    source: /^https?:\/\//i.test(options.source) ? httpSource({ url: options.source }) : fileSource({ path: resolve(options.source) }),
    target: openApiFileTarget({ path: out }),
  });
  try {
    return await run(engine, id);
  } finally {
    await engine.stopSync();
  }
}

/** The gate's verdict on a plan. */
export function verdict(plan: SyncPlan, failOn: 'drift' | 'breaking' = 'drift'): { fail: boolean; reason: string } {
  const breaking = plan.changes.filter((c) => c.level === 'breaking').length;
  if (plan.outcome === 'held') return { fail: true, reason: `a sync would be held by a safety rail (${plan.heldReason ?? 'unknown'})` };
  if (plan.outcome === 'unchanged' || plan.patch.length === 0) return { fail: false, reason: 'the local copy is in sync with the source' };
  const what = `a sync would change the local copy (${plan.patch.length} patch operation(s), ${breaking} breaking change(s))`;
  if (failOn === 'breaking') return { fail: breaking > 0, reason: breaking > 0 ? what : `${what}; none breaking, so the gate passes` };
  return { fail: true, reason: what };
}

/** Plan a sync of `source` into `out`, print nothing, and return the exit code and the Markdown report. */
export async function runExample(options: DriftCheckOptions): Promise<DriftCheckReport> {
  try {
    return await withBinding(options, async (engine, id) => {
      const plan = await engine.plan(id);
      const { fail, reason } = verdict(plan, options.failOn);
      return { exitCode: fail ? 1 : 0, markdown: `${planToMarkdown(plan).trimEnd()}\n\n**${fail ? 'DRIFT' : 'OK'}**: ${reason}.\n`, plan };
    });
  } catch (error) {
    if (!isSyncError(error)) throw error;
    return { exitCode: 2, markdown: `**ERROR** ${error.code}: ${error.message}\n${error.hint ? `\nHint: ${error.hint}\n` : ''}` };
  }
}

/** Sync `source` into `out` once (what a developer does before committing the local copy and the store). */
export async function acceptSource(options: Omit<DriftCheckOptions, 'failOn'>): Promise<void> {
  await withBinding(options, async (engine, id) => {
    await engine.syncNow(id);
  });
}

/** The demo: sync a document, check (0), change the document, check again (1). */
async function demo(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'als-drift-'));
  const source = join(dir, 'openapi.generated.json');
  const out = join(dir, 'openapi.json');
  const doc = (maximum: number) => ({
    openapi: '3.0.3',
    info: { title: 'Orders', version: '1' },
    paths: {
      '/orders': {
        get: {
          operationId: 'listOrders',
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum } }],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  });
  await writeFile(source, JSON.stringify(doc(100)));
  await acceptSource({ source, out });
  const clean = await runExample({ source, out });
  console.log(`${clean.markdown}\n(exit code ${clean.exitCode})\n\n---\n`);
  await writeFile(source, JSON.stringify(doc(50)));
  const drifted = await runExample({ source, out });
  console.log(`${drifted.markdown}\n(exit code ${drifted.exitCode})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const [source, out] = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (source === undefined || out === undefined) {
    await demo();
  } else {
    const store = flag('--store');
    const report = await runExample({
      source,
      out,
      failOn: flag('--fail-on') === 'breaking' ? 'breaking' : 'drift',
      ...(store === undefined ? {} : { store }),
    });
    process.stdout.write(report.markdown);
    process.exitCode = report.exitCode;
  }
}
