import { describe, expect, it } from 'vitest';
import { SyncEngine, chain, manual, rules } from '../../src/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, { get: { summary: string; description: string; responses: object } }>;
};

const api = (summary: string, description: string): Doc => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  paths: { '/pets': { get: { summary, description, responses: { '200': { description: 'ok' } } } } },
});

/** A binding with two conflicts: `summary` (a rule decides it) and `description` (left to a person). */
async function twoConflicts() {
  const clock = new ManualClock();
  const engine = new SyncEngine({
    clock,
    resolver: chain(rules([{ match: { path: '**/summary' }, take: 'remote', reason: 'reviewed' }]), manual({ timeoutMs: 60_000 })),
  });
  const recorder = new EventRecorder(engine);
  const source = new MemorySource(api('List', 'Pets.'));
  const target = new MemoryTarget<Doc>();
  await engine.addSource({ id: 'pets', source, target });
  await engine.syncNow('pets');
  target.value = api('My list', 'My pets.');
  source.set(api('Their list', 'Their pets.'));
  const run = engine.syncNow('pets');
  const detected = await recorder.waitFor('conflict:detected');
  await clock.advance(0);
  return { engine, target, run, jobId: detected.jobId, clock };
}

describe('manual() in a chain, and resolveConflicts', () => {
  it('asks a person only what the rules before it left open', async () => {
    const { engine, run, jobId } = await twoConflicts();
    const pending = engine.getPendingDecisions();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.conflicts.map((c) => c.path)).toEqual(['/paths/~1pets/get/description']);
    await engine.resolveConflicts(jobId, [{ path: '/paths/~1pets/get/description', take: 'remote', reason: 'reviewed' }]);
    await expect(run).resolves.toMatchObject({ outcome: 'applied' });
  });

  it('says which answers it took and which it refused, and why', async () => {
    const { engine, target, run, jobId } = await twoConflicts();
    const answer = await engine.resolveConflicts(jobId, [
      { path: '/paths/~1pets/get/summary', take: 'local', reason: 'mine' }, // decided by the rules already: not open
      { path: '/paths/~1pets/get/description', take: 'value', value: 'Agreed.', reason: 'reviewed' },
      { path: '/paths/~1pets/get/description', take: 'remote', reason: 'again' }, // twice
    ]);
    expect(answer.accepted.map((d) => [d.path, d.take])).toEqual([['/paths/~1pets/get/description', 'value']]);
    expect(answer.refused.map((r) => r.reason)).toEqual([
      expect.stringContaining('is not one of the 1 conflict'),
      expect.stringContaining('more than once'),
    ]);
    expect(answer.undecided).toEqual([]);
    await run;
    // The rules' decision stands for the summary; the person's for the description.
    expect(target.value!.paths['/pets']!.get).toMatchObject({ summary: 'Their list', description: 'Agreed.' });
  });

  it('reports conflicts an answer left undecided (the fallback decides them)', async () => {
    const { engine, target, run, jobId } = await twoConflicts();
    const answer = await engine.resolveConflicts(jobId, []);
    expect(answer.undecided.map((c) => c.path)).toEqual(['/paths/~1pets/get/description']);
    await run;
    expect(target.value!.paths['/pets']!.get.description).toBe('My pets.');
  });
});
