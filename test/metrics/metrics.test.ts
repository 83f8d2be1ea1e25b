import { describe, expect, it } from 'vitest';
import { SourceError, SyncEngine, toPrometheusText } from '../../src/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

/** A small parser for the Prometheus text format (0.0.4): enough to prove the output is well formed. */
function parsePrometheus(text: string): {
  types: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
} {
  const types = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ')) {
      expect(line).toMatch(/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      expect(['counter', 'gauge', 'summary', 'histogram', 'untyped']).toContain(type);
      expect(types.has(name!)).toBe(false);
      types.set(name!, type!);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    expect(match, line).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const pair of (match![3] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = JSON.parse(pair.slice(eq + 1)) as string;
    }
    const name = match![1]!;
    const family = name.replace(/_(sum|count)$/, '');
    expect(types.has(name) || types.has(family), `sample ${name} follows its TYPE line`).toBe(true);
    samples.push({ name, labels, value: Number(match![4]) });
  }
  return { types, samples };
}

describe('metrics', () => {
  it('counts runs, unchanged skips, retries and failures per binding and in total', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const engine = new SyncEngine({ clock, random: () => 0, retry: { maxRetries: 1 } });
    const good = new MemorySource(petstore(1));
    const bad = new MemorySource(petstore(1));
    bad.fail(new SourceError('SOURCE_TIMEOUT', 'timed out'));
    await engine.addSource({ id: 'good', source: good, target: new MemoryTarget() });
    await engine.addSource({ id: 'bad', source: bad, target: new MemoryTarget() });
    await engine.syncNow('good');
    await engine.syncNow('good');
    const failing = engine.syncNow('bad').catch(() => undefined);
    await clock.advance(10);
    await failing;
    const m = engine.getMetrics();
    expect(m).toMatchObject({
      totalSyncs: 3,
      successfulSyncs: 2,
      failedSyncs: 1,
      appliedSyncs: 1,
      unchangedSkips: 1,
      retries: 1,
      attempts: 4,
      activeJobs: 0,
      queueLength: 0,
    });
    expect(m.perSource.good).toMatchObject({ totalSyncs: 2, unchangedSkips: 1, failedSyncs: 0 });
    expect(m.perSource.bad).toMatchObject({ totalSyncs: 1, failedSyncs: 1, retries: 1 });
    // random() = 0 makes the retry immediate, so every run ended at t0.
    expect(m.lastSyncTime).toBe(t0);
    expect(m.p50SyncTime).toBeGreaterThanOrEqual(0);
    expect(m.p99SyncTime).toBeGreaterThanOrEqual(m.p50SyncTime);
  });

  it('emits a metrics event every metricsIntervalMs while started', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, metricsIntervalMs: 5000, syncOnStart: false });
    const recorder = new EventRecorder(engine);
    await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget(), intervalMs: 1000 });
    await engine.startSync();
    await clock.advance(15_000);
    const events = recorder.of('metrics');
    expect(events.map((e) => e.timestamp - events[0]!.timestamp)).toEqual([0, 5000, 10_000]);
    // Timers due at the same instant fire in the order they were set: the
    // metrics timer at 15 s fires before the poll tick rescheduled at 14 s.
    expect(events[2]?.metrics.totalSyncs).toBe(14);
    expect(events[2]?.metrics.uptime).toBe(15_000);
    await engine.stopSync();
    await clock.advance(15_000);
    expect(recorder.of('metrics')).toHaveLength(3);
  });

  it('renders the Prometheus text format, which parses back to the same numbers', async () => {
    const engine = new SyncEngine();
    // Quotes in a binding id; backslashes and newlines cannot be in one (BINDING_ID_INVALID) and are checked below.
    const id = 'pets "main" ü';
    await engine.addSource({ id, source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await engine.syncNow(id);
    await engine.syncNow(id);
    const text = engine.toPrometheusText();
    expect(text).toBe(toPrometheusText(engine.getMetrics()));
    const { types, samples } = parsePrometheus(text);
    expect(types.get('api_live_sync_syncs_total')).toBe('counter');
    expect(types.get('api_live_sync_sync_duration_seconds')).toBe('summary');
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(find('api_live_sync_syncs_total')).toBe(2);
    expect(find('api_live_sync_syncs_total', { source: id })).toBe(2);
    expect(find('api_live_sync_syncs_unchanged_total', { source: id })).toBe(1);
    expect(find('api_live_sync_sync_duration_seconds_count')).toBe(2);
    expect(find('api_live_sync_sync_duration_seconds', { quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    expect(find('api_live_sync_queue_length')).toBe(0);

    // toPrometheusText takes any metrics (merged from several engines, say): a label with a quote, backslashes and a newline is escaped.
    const metrics = engine.getMetrics();
    const odd = 'pets "main"\\x\nnext\\';
    const merged = toPrometheusText({ ...metrics, perSource: { [odd]: metrics.perSource[id]! } });
    const parsed = parsePrometheus(merged).samples;
    expect(parsed.find((s) => s.name === 'api_live_sync_syncs_total' && s.labels.source === odd)?.value).toBe(2);
    expect(parsed.find((s) => s.name === 'api_live_sync_syncs_unchanged_total' && s.labels.source === odd)?.value).toBe(1);
  });
});
