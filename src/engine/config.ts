import { ConfigError } from '../errors.js';
import { defaultCircuitBreakerPolicy, defaultRetryPolicy } from '../scheduler/index.js';
import type { SyncEngineConfig, SyncEngineConfigUpdate } from './types.js';

/** The engine's defaults. docs/engine.md explains each. */
export const defaultEngineConfig: Readonly<SyncEngineConfig> = Object.freeze({
  concurrency: 4,
  defaultIntervalMs: 60_000,
  retry: { ...defaultRetryPolicy },
  circuitBreaker: { ...defaultCircuitBreakerPolicy },
  stopGracePeriodMs: 10_000,
  metricsIntervalMs: 0,
});

function got(value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

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

function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`Expected \`${name}\` to be an object, got ${got(value)}.`, { details: { option: name } });
  }
  return value as Record<string, unknown>;
}

const TOP_KEYS = new Set(['concurrency', 'defaultIntervalMs', 'retry', 'circuitBreaker', 'stopGracePeriodMs', 'metricsIntervalMs']);
const RETRY_KEYS = new Set(['maxRetries', 'baseDelayMs', 'maxDelayMs', 'factor', 'restartGraceMs']);
const BREAKER_KEYS = new Set(['failureThreshold', 'cooldownMs']);

function unknownKeys(name: string, value: Record<string, unknown>, known: Set<string>): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw new ConfigError(`Unknown option \`${name}${key}\`.`, { hint: `Known options: ${[...known].map((k) => `${name}${k}`).join(', ')}.`, details: { option: `${name}${key}` } });
    }
  }
}

/**
 * Apply `update` to `current` and validate the result as a whole. Throws a
 * `ConfigError` (code `CONFIG_INVALID`) naming the option, what was expected
 * and what arrived; `current` is never modified.
 */
export function resolveConfig(current: Readonly<SyncEngineConfig>, update: SyncEngineConfigUpdate, ignore: ReadonlySet<string> = new Set()): SyncEngineConfig {
  const raw = plainObject('config', update);
  unknownKeys('', Object.fromEntries(Object.entries(raw).filter(([k]) => !ignore.has(k))), TOP_KEYS);
  const retryUpdate = raw.retry === undefined ? {} : plainObject('retry', raw.retry);
  const breakerUpdate = raw.circuitBreaker === undefined ? {} : plainObject('circuitBreaker', raw.circuitBreaker);
  unknownKeys('retry.', retryUpdate, RETRY_KEYS);
  unknownKeys('circuitBreaker.', breakerUpdate, BREAKER_KEYS);
  const pick = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const next: SyncEngineConfig = {
    concurrency: integer('concurrency', pick(update.concurrency, current.concurrency), 1),
    defaultIntervalMs: positive('defaultIntervalMs', pick(update.defaultIntervalMs, current.defaultIntervalMs), 0),
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
      failureThreshold: integer('circuitBreaker.failureThreshold', pick(breakerUpdate.failureThreshold, current.circuitBreaker.failureThreshold), 0),
      cooldownMs: positive('circuitBreaker.cooldownMs', pick(breakerUpdate.cooldownMs, current.circuitBreaker.cooldownMs), 0),
    },
  };
  if (next.retry.maxDelayMs < next.retry.baseDelayMs) {
    throw new ConfigError(`Expected \`retry.maxDelayMs\` (${next.retry.maxDelayMs}) to be at least \`retry.baseDelayMs\` (${next.retry.baseDelayMs}).`, {
      hint: 'Raise maxDelayMs or lower baseDelayMs.',
      details: { option: 'retry.maxDelayMs' },
    });
  }
  return next;
}

/** Names of the options whose values differ, dotted for nested ones. */
export function changedKeys(a: SyncEngineConfig, b: SyncEngineConfig): string[] {
  const changed: string[] = [];
  for (const key of ['concurrency', 'defaultIntervalMs', 'stopGracePeriodMs', 'metricsIntervalMs'] as const) if (a[key] !== b[key]) changed.push(key);
  for (const key of ['maxRetries', 'baseDelayMs', 'maxDelayMs', 'factor', 'restartGraceMs'] as const) if (a.retry[key] !== b.retry[key]) changed.push(`retry.${key}`);
  for (const key of ['failureThreshold', 'cooldownMs'] as const) if (a.circuitBreaker[key] !== b.circuitBreaker[key]) changed.push(`circuitBreaker.${key}`);
  return changed;
}
