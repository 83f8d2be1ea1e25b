import { describe, expect, it } from 'vitest';
import { SyncEngine, SourceError } from '../../src/index.js';
import {
  InProcessScheduler,
  jobTransitionEvent,
  systemClock,
  jobTransitions,
  type JobState,
  type Scheduler,
  type SyncJob,
} from '../../src/scheduler/index.js';
import type { SyncResult } from '../../src/engine/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

const STATES: readonly JobState[] = ['new', 'pending', 'running', 'completed', 'failed', 'removed'];
const ALLOWED: Record<string, string> = {
  'new → pending': 'job:queued',
  'pending → running': 'job:started',
  'pending → removed': 'job:removed',
  'running → completed': 'job:completed',
  'running → failed': 'job:failed',
  'running → pending': 'job:retrying',
};
/** The status each job event reports the job entering. */
const ENTERS: Record<string, Exclude<JobState, 'new'>> = {
  'job:queued': 'pending',
  'job:started': 'running',
  'job:retrying': 'pending',
  'job:completed': 'completed',
  'job:failed': 'failed',
  'job:removed': 'removed',
};

describe('the job transition table', () => {
  it('allows exactly the lifecycle changes, each with its event', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        if (to === 'new') continue;
        const pair = `${from} → ${to}`;
        if (pair in ALLOWED) {
          expect(jobTransitionEvent(from, to, 'job-1'), pair).toBe(ALLOWED[pair]);
        } else {
          expect(() => jobTransitionEvent(from, to, 'job-1'), pair).toThrow(
            expect.objectContaining({ code: 'JOB_TRANSITION_INVALID', details: { jobId: 'job-1', from, to } }),
          );
        }
      }
    }
    expect(Object.values(jobTransitions).flatMap((row) => Object.keys(row))).toHaveLength(Object.keys(ALLOWED).length);
  });

  it('is followed by every job of a run with retries, a follow-up absorbed by a retry, a removal and a failure', async () => {
    const engine = new SyncEngine({ concurrency: 1, retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 } });
    const seen = new Map<string, JobState>();
    const walked: string[] = [];
    const wrong: string[] = [];
    for (const event of Object.keys(ENTERS)) {
      engine.on(event as 'job:queued', (e: { job: SyncJob }) => {
        const from = seen.get(e.job.id) ?? 'new';
        const to = ENTERS[event]!;
        walked.push(`${from} → ${to}`);
        if (ALLOWED[`${from} → ${to}`] !== event) wrong.push(`${e.job.id}: ${event} for ${from} → ${to}`);
        seen.set(e.job.id, to);
      });
    }
    let calls = 0;
    const flaky = {
      kind: 'flaky',
      async fetch() {
        calls += 1;
        await new Promise((r) => setTimeout(r, 5));
        if (calls < 3) throw new SourceError('SOURCE_CONNECTION_RESET', 'reset');
        return { kind: 'document' as const, document: petstore(1) };
      },
    };
    await engine.addSource({ id: 'flaky', source: flaky, target: new MemoryTarget() });
    await engine.addSource({ id: 'calm', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    const first = engine.syncNow('flaky');
    await new Promise((r) => setTimeout(r, 1));
    const followUp = engine.syncNow('flaky'); // joins the follow-up job, which the retry absorbs
    const removed = await engine.addSyncJob({ sourceId: 'calm' });
    await engine.removeSyncJob(removed.id);
    await Promise.all([first, followUp]);
    const broken = { kind: 'broken', fetch: () => Promise.reject(new SourceError('SOURCE_HTTP_STATUS', 'gone', { retryable: false })) };
    await engine.addSource({ id: 'broken', source: broken, target: new MemoryTarget() });
    await expect(engine.syncNow('broken')).rejects.toMatchObject({ code: 'SOURCE_HTTP_STATUS' });
    expect(wrong).toEqual([]);
    expect(new Set(walked)).toEqual(new Set(Object.keys(ALLOWED)));
  });

  it("reports a run hook's raw throw as JOB_FAILED: the scheduler speaks for no source", async () => {
    const events: string[] = [];
    const scheduler = new InProcessScheduler({
      config: {
        concurrency: 1,
        defaultIntervalMs: 0,
        retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1, factor: 2, restartGraceMs: 0 },
        circuitBreaker: { failureThreshold: 0, cooldownMs: 1 },
        stopGracePeriodMs: 10,
        syncOnStart: false,
      },
      clock: systemClock,
      random: Math.random,
      hooks: {
        run: () => Promise.reject(new TypeError('x is undefined')),
        emit: (event) => void events.push(event),
        listening: () => true,
        onAttempt: () => undefined,
        onSettled: () => undefined,
        onRetry: () => undefined,
      },
    });
    scheduler.register({
      id: 'api',
      priority: 'medium',
      intervalMs: undefined,
      dependsOn: [],
      maxRetries: undefined,
      restartGraceMs: undefined,
    });
    await expect(scheduler.run('api', 'manual')).rejects.toMatchObject({
      name: 'JobError',
      code: 'JOB_FAILED',
      retryable: false,
      cause: new TypeError('x is undefined'),
    });
    expect(events).toEqual(['job:queued', 'job:started', 'job:failed']);
  });

  it('runs the engine through an injected scheduler', async () => {
    const calls: string[] = [];
    const engine = new SyncEngine({
      scheduler: (context) => {
        const inner = new InProcessScheduler<SyncResult>(context);
        return new Proxy(inner, {
          get(target, key) {
            const value = Reflect.get(target, key, target) as unknown;
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              calls.push(String(key));
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }) satisfies Scheduler<SyncResult>;
      },
    });
    await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('applied');
    expect(calls).toEqual(expect.arrayContaining(['register', 'run']));
    expect(() => new SyncEngine({ scheduler: 'p-queue' as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: { option: 'scheduler' } }),
    );
  });
});
