/**
 * Conflicts decided by an OpenAI model, with cheap rules first: a `chain`
 * of `rules([...])` (summaries follow the code, security schemes stay as the
 * team wrote them) and `openAIResolver(...)` for everything else, with a
 * token budget, a deadline and `preferLocal()` as the fallback for whatever
 * the model does not decide (errors, budget, deletions held for review).
 *
 *   OPENAI_API_KEY=sk-... npx tsx examples/openai-resolver.ts
 *   OPENAI_API_KEY=... OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_MODEL=my-model npx tsx examples/openai-resolver.ts
 *
 * Without OPENAI_API_KEY it prints this usage and exits 0. The `openai`
 * package is an optional peer dependency: `npm install openai`.
 */
import { pathToFileURL } from 'node:url';
import { SyncEngine, chain, preferLocal, rules, type ConflictDecision } from 'api-live-sync';
import { openAIResolver, type OpenAIUsageReport } from 'api-live-sync/openai';
import { MemorySource, MemoryTarget } from 'api-live-sync/testing';

type Operation = { operationId: string; summary: string; description: string; responses: Record<string, { description: string }> };
type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

const api = (summary: string, description: string, version: string): Doc => ({
  openapi: '3.0.3',
  info: { title: 'Orders', version },
  paths: { '/orders': { get: { operationId: 'listOrders', summary, description, responses: { '200': { description: 'ok' } } } } },
});

/** Options of {@link runExample}. */
export interface OpenAIExampleOptions {
  /** An OpenAI-compatible base URL, e.g. `http://127.0.0.1:8080/v1`; default the `openai` package's (api.openai.com). */
  baseURL?: string;
  /** Default `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Default `gpt-4.1-mini`. */
  model?: string;
}

/** What {@link runExample} returns. */
export interface OpenAIExampleReport {
  /** Every conflict decision of the second sync: which resolver, which side, why. */
  decisions: ConflictDecision[];
  /** GET /orders after the sync. */
  operation: Operation;
  /** The resolver's token report for the sync. */
  usage: OpenAIUsageReport | undefined;
}

/**
 * Sync once, let a person edit the summary and description locally, change
 * both in the code too, sync again: the rule decides the summary, the model
 * the description. Returns the decisions and the merged operation.
 */
export async function runExample(options: OpenAIExampleOptions = {}): Promise<OpenAIExampleReport> {
  const reports: OpenAIUsageReport[] = [];
  const resolver = chain(
    // Rules run first and cost nothing: conflicts they decide never reach the model.
    rules([
      { match: { path: '**/summary' }, take: 'remote', reason: 'summaries follow the code' },
      { match: { path: '/components/securitySchemes/**' }, take: 'local', reason: 'auth is configured by the team' },
    ]),
    openAIResolver({
      model: options.model ?? 'gpt-4.1-mini',
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      budgetTokens: 5_000, // at most this many tokens per sync, all requests together
      timeoutMs: 15_000, // at most this long per sync; then the fallback decides
      fallback: preferLocal(), // whatever the model does not decide keeps the local value
      instructions: 'Descriptions are user documentation: keep facts from both sides.',
      onUsage: (report) => reports.push(report),
    }),
  );

  const engine = new SyncEngine({ resolver, defaultIntervalMs: 0 });
  const source = new MemorySource(api('List orders', 'Returns orders.', '1'));
  const target = new MemoryTarget<Doc>();
  await engine.addSource({ id: 'orders', source, target });
  await engine.syncNow('orders');

  // A person edits both fields locally...
  const local = structuredClone(target.value!);
  local.paths['/orders']!.get!.summary = 'List my orders';
  local.paths['/orders']!.get!.description = 'Returns orders. Needs the `orders:read` scope.';
  target.value = local;
  // ...and the code changes both too: two conflicts.
  source.set(api('List all orders', 'Returns orders, newest first.', '2'));
  const result = await engine.syncNow('orders');
  await engine.stopSync();

  return { decisions: [...result.decisions], operation: target.value!.paths['/orders']!.get!, usage: reports[0] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const apiKey = process.env['OPENAI_API_KEY'];
  if (apiKey === undefined || apiKey === '') {
    console.log(`openai-resolver: set OPENAI_API_KEY to run this example against a model.

  OPENAI_API_KEY=sk-... npx tsx examples/openai-resolver.ts
  OPENAI_API_KEY=... OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_MODEL=my-model npx tsx examples/openai-resolver.ts

It syncs a small document twice with two conflicts: a rule decides the
summary, the model the description (preferLocal() decides if it cannot).
Only the two conflicting fragments are sent, never the whole document.
See docs/ai-resolver.md.`);
  } else {
    const baseURL = process.env['OPENAI_BASE_URL'];
    const model = process.env['OPENAI_MODEL'];
    const report = await runExample({ apiKey, ...(baseURL ? { baseURL } : {}), ...(model ? { model } : {}) });
    for (const d of report.decisions) console.log(`${d.path}: ${d.take} by ${d.resolver}: ${d.reason}`);
    console.log(`GET /orders now: ${JSON.stringify(report.operation, null, 2)}`);
    if (report.usage)
      console.log(
        `tokens: ${report.usage.totalTokens} of ${report.usage.budgetTokens}; problems: ${report.usage.problems.join('; ') || 'none'}`,
      );
  }
}
