import { describe, expect, it } from 'vitest';
import { SyncEngine, manual, preferRemote, rules } from '../../src/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<
    string,
    Record<string, { summary?: string; description?: string; parameters?: Array<Record<string, unknown>>; responses: object }>
  >;
};

function api(summary = 'List pets', extra: Partial<Doc['paths']> = {}): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    paths: {
      '/pets': {
        get: {
          summary,
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/pets/{id}': { get: { summary: 'Get pet', responses: { '200': { description: 'ok' } } } },
      ...extra,
    } as Doc['paths'],
  };
}

async function setup(options: ConstructorParameters<typeof SyncEngine>[0] = {}) {
  const engine = new SyncEngine(options);
  const source = new MemorySource(api());
  const target = new MemoryTarget<Doc>();
  await engine.addSource({ id: 'pets', source, target });
  await engine.syncNow('pets');
  return { engine, source, target };
}

describe('three-way merge in the pipeline', () => {
  it('keeps local edits and takes remote changes elsewhere', async () => {
    const { engine, source, target } = await setup();
    const local = target.value!;
    local.info.description = 'My notes';
    local.paths['/pets']!.get!.parameters!.push({ name: 'x-trace', in: 'header', schema: { type: 'string' } });
    target.value = local;
    source.set(api('List pets', { '/owners': { get: { summary: 'Owners', responses: {} } } }));
    const result = await engine.syncNow('pets');
    expect(result).toMatchObject({ outcome: 'applied', conflicts: [] });
    const merged = target.value!;
    expect(merged.info.description).toBe('My notes');
    expect(merged.paths['/owners']).toBeDefined();
    expect(merged.paths['/pets']!.get!.parameters!.map((p) => p['name'])).toEqual(['limit', 'x-trace']);
  });

  it('names the resolver of a kept local value in the documented kebab form (prefer-local), also for what a resolver left open', async () => {
    for (const resolver of [undefined, rules([])]) {
      const { engine, source, target } = await setup(resolver === undefined ? {} : { resolver });
      const local = target.value!;
      local.paths['/pets']!.get!.summary = 'Mine';
      target.value = local;
      source.set(api('Theirs'));
      const result = await engine.syncNow('pets');
      expect(result.decisions.map((d) => d.resolver)).toEqual(['prefer-local']);
    }
  });

  it('keeps the local value of a conflict by default and records the decision', async () => {
    const { engine, source, target } = await setup();
    const recorder = new EventRecorder(engine);
    const local = target.value!;
    local.paths['/pets']!.get!.summary = 'Mine';
    target.value = local;
    source.set(api('Theirs'));
    const result = await engine.syncNow('pets');
    expect(result.conflicts).toEqual([
      { path: '/paths/~1pets/get/summary', kind: 'both-changed', base: 'List pets', local: 'Mine', remote: 'Theirs' },
    ]);
    expect(result.decisions[0]).toMatchObject({ path: '/paths/~1pets/get/summary', take: 'local' });
    expect(target.value!.paths['/pets']!.get!.summary).toBe('Mine');
    recorder.expectSequence(['spec:changed', 'conflict:detected', 'conflict:resolved', 'sync:applied']);
    expect(engine.getMetrics().conflicts).toBe(1);
  });

  it('uses the binding resolver: preferRemote and rules', async () => {
    const engine = new SyncEngine({ resolver: preferRemote() });
    const source = new MemorySource(api());
    const target = new MemoryTarget<Doc>();
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    target.value = {
      ...target.value!,
      paths: { ...target.value!.paths, '/pets': { get: { ...target.value!.paths['/pets']!.get!, summary: 'Mine' } } },
    };
    source.set(api('Theirs'));
    await engine.syncNow('pets');
    expect(target.value!.paths['/pets']!.get!.summary).toBe('Theirs');

    const ruled = new SyncEngine({ resolver: rules([{ match: { path: '**/summary' }, take: 'remote' }]) });
    const target2 = new MemoryTarget<Doc>();
    const source2 = new MemorySource(api());
    await ruled.addSource({ id: 'pets', source: source2, target: target2 });
    await ruled.syncNow('pets');
    const local = target2.value!;
    local.paths['/pets']!.get!.summary = 'Mine';
    target2.value = local;
    source2.set(api('Theirs'));
    const result = await ruled.syncNow('pets');
    expect(target2.value!.paths['/pets']!.get!.summary).toBe('Theirs');
    expect(result.decisions[0]).toMatchObject({ take: 'remote' });
  });

  it('manual(): holds the job until resolveConflicts, or falls back after the timeout', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, resolver: manual({ timeoutMs: 60_000 }) });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(api());
    const target = new MemoryTarget<Doc>();
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    const edit = () => {
      const local = target.value!;
      local.paths['/pets']!.get!.summary = 'Mine';
      target.value = local;
    };
    edit();
    source.set(api('Theirs'));
    const run = engine.syncNow('pets');
    const detected = await recorder.waitFor('conflict:detected');
    await clock.advance(0);
    const [pending] = engine.getPendingDecisions();
    expect(pending).toMatchObject({ jobId: detected.jobId, sourceId: 'pets', expiresAt: clock.now() + 60_000 });
    await expect(engine.resolveConflicts('job-999', [])).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await engine.resolveConflicts(detected.jobId, [
      { path: '/paths/~1pets/get/summary', take: 'value', value: 'Agreed', reason: 'reviewed' },
    ]);
    await expect(run).resolves.toMatchObject({ outcome: 'applied' });
    expect(target.value!.paths['/pets']!.get!.summary).toBe('Agreed');

    // Second round: nobody answers, the fallback (keep local) applies after the timeout.
    const local = target.value!;
    local.paths['/pets']!.get!.summary = 'Mine again';
    target.value = local;
    source.set(api('Theirs again'));
    const second = engine.syncNow('pets');
    await recorder.waitFor('conflict:detected', (e) => e.jobId !== detected.jobId);
    await clock.advance(59_999);
    expect(engine.getPendingDecisions()).toHaveLength(1);
    await clock.advance(1);
    await expect(second).resolves.toMatchObject({ outcome: 'applied' });
    expect(target.value!.paths['/pets']!.get!.summary).toBe('Mine again');
    expect(engine.getPendingDecisions()).toHaveLength(0);
  });
});
