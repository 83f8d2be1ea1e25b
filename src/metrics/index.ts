export { MetricsCollector, DURATION_WINDOW } from './collector.js';
export type { RunOutcome } from './collector.js';
export { toPrometheusText } from './prometheus.js';
export type { SyncCounters, SyncEngineMetrics } from './types.js';
