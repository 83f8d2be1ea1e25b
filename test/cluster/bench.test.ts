/**
 * bench/cluster.ts runs end to end (`--quick`, a few bindings, the sources
 * through tsx) as a child process: its own redis-server, worker processes,
 * and a JSON report of the expected shape with positive figures. No timing
 * thresholds: the figures themselves are the bench's to print.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

interface Row {
  label: string;
  processes: number;
  scheduler: string;
  store: string;
  syncsPerSecond: number;
  cpuMsPerSync: number;
  redisCommandsPerSync: number;
  redisCpuMsPerSync: number;
  throughputRatio: number;
  cpuRatio: number;
  failed: number;
}
interface Trips {
  perSync: number;
  scriptCommandsPerSync: number;
  byCommand: Record<string, number>;
}

describe('bench/cluster.ts --quick', () => {
  it('measures every engine on both cases and reports round trips, as JSON', { timeout: 240_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/cluster.ts', '--quick', '--source', '--bindings', '12', '--json'],
      { cwd: ROOT, maxBuffer: 4 * 1024 * 1024, timeout: 220_000 },
    );
    const report = JSON.parse(stdout) as {
      bindings: number;
      unchanged: Row[];
      changed: Row[];
      roundTrips: { triggeredSync: Trips; intervalPoll: Trips };
      goals: { twoWorkersOverOne: number; roundTripsPerUnchangedPoll: number; met: Record<string, boolean | undefined> };
    };
    expect(report.bindings).toBe(12);
    for (const rows of [report.unchanged, report.changed]) {
      expect(rows.map((r) => [r.processes, r.scheduler, r.store])).toEqual([
        [1, 'in-process', 'memory'],
        [1, 'in-process', 'redis'],
        [1, 'bullmq', 'redis'],
        [2, 'bullmq', 'redis'],
      ]);
      for (const r of rows) {
        expect(r.failed).toBe(0);
        for (const figure of [r.syncsPerSecond, r.cpuMsPerSync, r.throughputRatio, r.cpuRatio]) expect(figure).toBeGreaterThan(0);
        if (r.store === 'redis') expect(r.redisCommandsPerSync).toBeGreaterThan(0);
      }
      expect(rows[0]!.throughputRatio).toBe(1);
    }
    for (const trips of [report.roundTrips.triggeredSync, report.roundTrips.intervalPoll]) {
      expect(trips.perSync).toBeGreaterThan(0);
      expect(trips.scriptCommandsPerSync).toBeGreaterThan(0);
      // One worker, no contention: every sync takes and releases its binding's lease once.
      expect(trips.byCommand['lease/store: ACQUIRE']).toBe(1);
      expect(trips.byCommand['lease/store: RELEASE']).toBe(1);
    }
    expect(report.goals.twoWorkersOverOne).toBeGreaterThan(0);
    expect(report.goals.roundTripsPerUnchangedPoll).toBe(report.roundTrips.intervalPoll.perSync);
    expect(Object.keys(report.goals.met).sort()).toEqual([
      'fourWorkersNoLessThanTwo',
      'twoWorkersAtLeast1_7x',
      'unchangedPollAtMost5RoundTrips',
    ]);
  });
});
