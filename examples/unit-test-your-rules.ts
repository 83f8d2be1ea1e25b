/**
 * How to unit-test your own sync rules with the test kit: a fake source you
 * can change, a memory target you can edit like a user would, a manual clock,
 * and an event recorder. No network, no files, no sleeping.
 *
 *   npx tsx examples/unit-test-your-rules.ts
 */
import { pathToFileURL } from 'node:url';
import { SourceError, SyncEngine, rules } from 'api-live-sync';
import { EventRecorder, ManualClock, MemorySource, MemoryStore, MemoryTarget } from 'api-live-sync/testing';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary: string; description?: string; responses: object }>>;
};

const doc = (summary: string, description: string): Doc => ({
  openapi: '3.0.3',
  info: { title: 'Orders', version: '1' },
  paths: { '/orders': { get: { summary, description, responses: { '200': { description: 'ok' } } } } },
});

/** Runs three checks a team might write for its own rules; returns what each observed. */
export async function runExample(): Promise<{
  descriptionFromRemote: string;
  summaryKeptLocal: string;
  retryTimes: number[];
  events: string[];
}> {
  // The team's rule: descriptions follow the code, everything else stays as the user wrote it.
  const clock = new ManualClock();
  const engine = new SyncEngine({
    clock,
    store: new MemoryStore(),
    random: () => 0.5,
    resolver: rules([{ match: { path: '**/description' }, take: 'remote', reason: 'descriptions come from the code' }]),
  });
  const recorder = new EventRecorder(engine);
  const source = new MemorySource(doc('List orders', 'All orders'));
  const target = new MemoryTarget<Doc>();
  await engine.addSource({ id: 'orders', source, target });
  await engine.syncNow('orders');

  // The user edits both fields; the code changes both too.
  const local = target.value!;
  local.paths['/orders']!.get!.summary = 'My orders';
  local.paths['/orders']!.get!.description = 'My description';
  target.value = local;
  source.set(doc('List all orders', 'Every order, newest first'));
  await engine.syncNow('orders');
  const merged = target.value!.paths['/orders']!.get!;

  // Retries: a refused connection is retried with backoff; the manual clock makes it instant.
  source.fail(new SourceError('SOURCE_CONNECTION_REFUSED', 'connect ECONNREFUSED'));
  const failing = engine.syncNow('orders').catch(() => undefined);
  for (let i = 0; i < 4; i++) await clock.advance(10_000);
  await failing;
  const retryTimes = recorder.of('job:retrying').map((e) => e.delayMs);

  return {
    descriptionFromRemote: merged.description ?? '',
    summaryKeptLocal: merged.summary,
    retryTimes,
    events: recorder.names('orders').filter((n) => n.startsWith('conflict:') || n === 'job:failed'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runExample(), null, 2));
}
