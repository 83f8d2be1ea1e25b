/**
 * Checking what a resolver answered before anyone acts on it.
 *
 * @module
 */
import type { MergeConflict } from '../merge/index.js';
import type { ConflictDecision, RejectedDecision } from './types.js';

/** What {@link validateDecisions} returns. */
export interface DecisionValidation {
  /** Decisions that can be applied, normalised (no stray fields, `resolver` filled in). */
  valid: ConflictDecision[];
  /** Decisions that cannot, each with the reason. */
  rejected: RejectedDecision[];
}

const TAKES = new Set(['local', 'remote', 'value']);

/**
 * Sort a resolver's answer into usable and unusable decisions. Never throws:
 * what to do with rejected decisions is the caller's choice.
 *
 * A decision is usable when it is an object that names the `path` of one of
 * `conflicts` (not invented, not named twice: the first one wins), whose
 * `take` is `local`, `remote` or `value`, whose `reason` (if given) is a
 * string, and which, for `take: 'value'`, carries a `value` that is plain
 * JSON (see {@link jsonProblem}). A missing reason becomes
 * `"<resolver> chose <take>"`; a missing `resolver` becomes `resolverName`.
 */
export function validateDecisions(
  conflicts: readonly MergeConflict[],
  decisions: readonly unknown[],
  resolverName: string,
): DecisionValidation {
  const open = new Set(conflicts.map((conflict) => conflict.path));
  const seen = new Set<string>();
  const valid: ConflictDecision[] = [];
  const rejected: RejectedDecision[] = [];
  const reject = (decision: unknown, reason: string): void => {
    rejected.push({ decision, reason, resolver: resolverName });
  };

  for (const decision of decisions) {
    if (typeof decision !== 'object' || decision === null || Array.isArray(decision)) {
      reject(decision, `expected a decision object, got ${kindOf(decision)}`);
      continue;
    }
    const record = decision as Record<string, unknown>;
    const { path, take, reason } = record;
    if (typeof path !== 'string') {
      reject(decision, `expected \`path\` to be a string, got ${kindOf(path)}`);
      continue;
    }
    if (!open.has(path)) {
      reject(decision, `path "${path}" is not one of the ${conflicts.length} conflict(s) given to the resolver`);
      continue;
    }
    if (seen.has(path)) {
      reject(decision, `path "${path}" was decided more than once; the first decision was kept`);
      continue;
    }
    if (!TAKES.has(take as string)) {
      reject(decision, `expected \`take\` to be "local", "remote" or "value", got ${describeValue(take)}`);
      continue;
    }
    if (reason !== undefined && typeof reason !== 'string') {
      reject(decision, `expected \`reason\` to be a string, got ${kindOf(reason)}`);
      continue;
    }
    const resolver = typeof record['resolver'] === 'string' ? record['resolver'] : resolverName;
    const why = reason ?? `${resolver} chose ${take}`;
    if (take === 'value') {
      if (!Object.hasOwn(record, 'value')) {
        reject(decision, `take "value" needs a \`value\`, and the decision for "${path}" has none`);
        continue;
      }
      const problem = jsonProblem(record['value']);
      if (problem !== undefined) {
        reject(decision, `the value for "${path}" is not JSON: ${problem}`);
        continue;
      }
      seen.add(path);
      valid.push({ path, take, value: record['value'], reason: why, resolver });
    } else {
      seen.add(path);
      valid.push({ path, take: take as 'local' | 'remote', reason: why, resolver });
    }
  }
  return { valid, rejected };
}

/**
 * Why `value` is not plain JSON, or `undefined` when it is. Plain JSON is
 * `null`, booleans, finite numbers, strings, arrays without holes and plain
 * objects (prototype `Object.prototype` or `null`, no symbol keys, no
 * `undefined` members), without cycles. Walks iteratively, so any depth is safe.
 */
export function jsonProblem(value: unknown): string | undefined {
  // Each frame is a value to visit, or an exit marker that pops the ancestor chain.
  type Frame = { value: unknown; where: string } | { exit: object };
  const stack: Frame[] = [{ value, where: 'the value' }];
  const ancestors = new Set<object>();
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if ('exit' in frame) {
      ancestors.delete(frame.exit);
      continue;
    }
    const { value: current, where } = frame;
    if (current === null || typeof current === 'string' || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return `${where} is ${String(current)}`;
      continue;
    }
    if (typeof current !== 'object') return `${where} is ${kindOf(current)}`;
    if (ancestors.has(current)) return `${where} refers back to one of its ancestors (a cycle)`;
    if (Object.getOwnPropertySymbols(current).length > 0) return `${where} has symbol keys`;
    stack.push({ exit: current });
    ancestors.add(current);
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) {
        if (!Object.hasOwn(current, index)) return `${where}[${index}] is a hole`;
        stack.push({ value: current[index], where: `${where}[${index}]` });
      }
      continue;
    }
    const prototype = Object.getPrototypeOf(current) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      return `${where} is an instance of ${className(current)}, not a plain object`;
    }
    for (const [key, member] of Object.entries(current)) {
      if (member === undefined) return `${where}.${key} is undefined`;
      stack.push({ value: member, where: `${where}.${key}` });
    }
  }
  return undefined;
}

/** True when `value` is plain JSON; see {@link jsonProblem}. */
export function isJsonValue(value: unknown): boolean {
  return jsonProblem(value) === undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${className(value)})`;
  return `${describeValue(value)} (${typeof value})`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function className(value: object): string {
  const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  const name = prototype?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}
