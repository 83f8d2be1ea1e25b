import { ConfigError } from '../errors.js';
import { checkOptions, describeValue, optionKeys } from '../options.js';
import { defaultCircuitBreakerPolicy, defaultRetryPolicy, type CircuitBreakerPolicy, type RetryPolicy } from '../scheduler/index.js';
import type { SyncEngineConfig, SyncEngineConfigUpdate } from './types.js';

/** The engine's defaults. docs/engine.md explains each. */
export const defaultEngineConfig: Readonly<SyncEngineConfig> = Object.freeze({
  concurrency: 4,
  defaultIntervalMs: 5000,
  syncOnStart: true,
  retry: { ...defaultRetryPolicy },
  circuitBreaker: { ...defaultCircuitBreakerPolicy },
  stopGracePeriodMs: 10_000,
  metricsIntervalMs: 0,
});

const got = describeValue;

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`Expected \`${name}\` to be an integer from ${min} and up, got ${got(value)}.`, {
      hint: `Set \`${name}\` to a whole number ≥ ${min}.`,
      details: { option: name },
    });
  }
  return value;
}

function positive(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(`Expected \`${name}\` to be a number from ${min} and up, got ${got(value)}.`, {
      hint: `Set \`${name}\` to a finite number ≥ ${min}.`,
      details: { option: name },
    });
  }
  return value;
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ConfigError(`Expected \`${name}\` to be a boolean, got ${got(value)}.`, {
      hint: `Set \`${name}\` to true or false.`,
      details: { option: name },
    });
  }
  return value;
}

const TOP_KEYS = optionKeys<SyncEngineConfig>()([
  'concurrency',
  'defaultIntervalMs',
  'syncOnStart',
  'retry',
  'circuitBreaker',
  'stopGracePeriodMs',
  'metricsIntervalMs',
]);
const RETRY_KEYS = optionKeys<RetryPolicy>()(['maxRetries', 'baseDelayMs', 'maxDelayMs', 'factor', 'restartGraceMs']);
const BREAKER_KEYS = optionKeys<CircuitBreakerPolicy>()(['failureThreshold', 'cooldownMs']);

/**
 * Apply `update` to `current` and validate the result as a whole. Throws a
 * `ConfigError` (code `CONFIG_INVALID`) naming the option, what was expected
 * and what arrived; `current` is never modified.
 */
export function resolveConfig(
  current: Readonly<SyncEngineConfig>,
  update: SyncEngineConfigUpdate,
  ignore: ReadonlySet<string> = new Set(),
  name = 'the configuration update',
): SyncEngineConfig {
  const raw = checkOptions<Record<string, unknown>>(name, update, [...TOP_KEYS, ...ignore]);
  const retryUpdate = raw.retry === undefined ? {} : checkOptions<Record<string, unknown>>('`retry`', raw.retry, RETRY_KEYS, 'retry.');
  const breakerUpdate =
    raw.circuitBreaker === undefined
      ? {}
      : checkOptions<Record<string, unknown>>('`circuitBreaker`', raw.circuitBreaker, BREAKER_KEYS, 'circuitBreaker.');
  const pick = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const next: SyncEngineConfig = {
    concurrency: integer('concurrency', pick(update.concurrency, current.concurrency), 1),
    defaultIntervalMs: positive('defaultIntervalMs', pick(update.defaultIntervalMs, current.defaultIntervalMs), 0),
    syncOnStart: boolean('syncOnStart', pick(update.syncOnStart, current.syncOnStart)),
    stopGracePeriodMs: positive('stopGracePeriodMs', pick(update.stopGracePeriodMs, current.stopGracePeriodMs), 0),
    metricsIntervalMs: positive('metricsIntervalMs', pick(update.metricsIntervalMs, current.metricsIntervalMs), 0),
    retry: {
      maxRetries: integer('retry.maxRetries', pick(retryUpdate.maxRetries, current.retry.maxRetries), 0),
      baseDelayMs: positive('retry.baseDelayMs', pick(retryUpdate.baseDelayMs, current.retry.baseDelayMs), 0),
      maxDelayMs: positive('retry.maxDelayMs', pick(retryUpdate.maxDelayMs, current.retry.maxDelayMs), 0),
      factor: positive('retry.factor', pick(retryUpdate.factor, current.retry.factor), 1),
      restartGraceMs: positive('retry.restartGraceMs', pick(retryUpdate.restartGraceMs, current.retry.restartGraceMs), 0),
    },
    circuitBreaker: {
      failureThreshold: integer(
        'circuitBreaker.failureThreshold',
        pick(breakerUpdate.failureThreshold, current.circuitBreaker.failureThreshold),
        0,
      ),
      cooldownMs: positive('circuitBreaker.cooldownMs', pick(breakerUpdate.cooldownMs, current.circuitBreaker.cooldownMs), 0),
    },
  };
  if (next.retry.maxDelayMs < next.retry.baseDelayMs) {
    throw new ConfigError(
      `Expected \`retry.maxDelayMs\` (${next.retry.maxDelayMs}) to be at least \`retry.baseDelayMs\` (${next.retry.baseDelayMs}).`,
      {
        hint: 'Raise maxDelayMs or lower baseDelayMs.',
        details: { option: 'retry.maxDelayMs' },
      },
    );
  }
  return next;
}

/** Names of the options whose values differ, dotted for nested ones. */
export function changedKeys(a: SyncEngineConfig, b: SyncEngineConfig): string[] {
  const changed: string[] = [];
  for (const key of ['concurrency', 'defaultIntervalMs', 'syncOnStart', 'stopGracePeriodMs', 'metricsIntervalMs'] as const)
    if (a[key] !== b[key]) changed.push(key);
  for (const key of ['maxRetries', 'baseDelayMs', 'maxDelayMs', 'factor', 'restartGraceMs'] as const)
    if (a.retry[key] !== b.retry[key]) changed.push(`retry.${key}`);
  for (const key of ['failureThreshold', 'cooldownMs'] as const)
    if (a.circuitBreaker[key] !== b.circuitBreaker[key]) changed.push(`circuitBreaker.${key}`);
  return changed;
}
