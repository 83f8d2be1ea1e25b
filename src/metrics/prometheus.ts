import type { SyncCounters, SyncEngineMetrics } from './types.js';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'summary';
  pick: (c: SyncCounters) => number;
}

const PREFIX = 'api_live_sync';

const families: Family[] = [
  { name: 'syncs_total', help: 'Runs that ended, successfully or not.', type: 'counter', pick: (c) => c.totalSyncs },
  { name: 'syncs_successful_total', help: 'Runs that completed.', type: 'counter', pick: (c) => c.successfulSyncs },
  { name: 'syncs_failed_total', help: 'Runs that failed after their retries.', type: 'counter', pick: (c) => c.failedSyncs },
  { name: 'syncs_applied_total', help: 'Runs that applied a new remote document.', type: 'counter', pick: (c) => c.appliedSyncs },
  { name: 'syncs_unchanged_total', help: 'Runs that ended early because nothing changed.', type: 'counter', pick: (c) => c.unchangedSkips },
  { name: 'syncs_held_total', help: 'Runs held by a safety rail.', type: 'counter', pick: (c) => c.heldSyncs },
  { name: 'conflicts_total', help: 'Conflicts found by three-way merges.', type: 'counter', pick: (c) => c.conflicts },
  { name: 'retries_total', help: 'Retries scheduled.', type: 'counter', pick: (c) => c.retries },
  {
    name: 'last_sync_timestamp_seconds',
    help: 'When the last run ended, Unix seconds.',
    type: 'gauge',
    pick: (c) => (c.lastSyncTime ?? 0) / 1000,
  },
];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function num(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Render metrics in the Prometheus text exposition format (version 0.0.4):
 * counters per binding (label `source`) and in total (no label), gauges for
 * the queue, and a summary of sync durations in seconds with the 0.5, 0.95
 * and 0.99 quantiles.
 */
export function toPrometheusText(metrics: SyncEngineMetrics): string {
  const lines: string[] = [];
  const scopes: Array<[string | undefined, SyncCounters]> = [
    [undefined, metrics],
    ...Object.entries(metrics.perSource).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ];
  const labels = (source: string | undefined, extra = ''): string => {
    const parts = [source === undefined ? '' : `source="${escapeLabel(source)}"`, extra].filter(Boolean);
    return parts.length === 0 ? '' : `{${parts.join(',')}}`;
  };
  for (const family of families) {
    const name = `${PREFIX}_${family.name}`;
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
    for (const [source, counters] of scopes) lines.push(`${name}${labels(source)} ${num(family.pick(counters))}`);
  }
  const duration = `${PREFIX}_sync_duration_seconds`;
  lines.push(`# HELP ${duration} Duration of sync attempts over the recent window.`, `# TYPE ${duration} summary`);
  for (const [source, c] of scopes) {
    for (const [q, v] of [
      ['0.5', c.p50SyncTime],
      ['0.95', c.p95SyncTime],
      ['0.99', c.p99SyncTime],
    ] as const) {
      lines.push(`${duration}${labels(source, `quantile="${q}"`)} ${num(v / 1000)}`);
    }
    lines.push(`${duration}_sum${labels(source)} ${num((c.averageSyncTime * c.attempts) / 1000)}`);
    lines.push(`${duration}_count${labels(source)} ${num(c.attempts)}`);
  }
  const gauges: Array<[string, string, number]> = [
    ['active_jobs', 'Jobs running now.', metrics.activeJobs],
    ['queue_length', 'Jobs waiting to run.', metrics.queueLength],
    ['uptime_seconds', 'Seconds since the engine started.', metrics.uptime / 1000],
  ];
  for (const [suffix, help, value] of gauges) {
    const name = `${PREFIX}_${suffix}`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${num(value)}`);
  }
  return `${lines.join('\n')}\n`;
}
