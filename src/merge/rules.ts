/**
 * Identity rules: which arrays merge element by element, and how an element
 * is recognised across versions. The built-in table covers OpenAPI 3.x (and
 * Swagger 2, whose parameters and tags have the same shape).
 *
 * @module
 */
import { ConfigError } from '../errors.js';

import { compilePattern, matchSegments, type CompiledPattern } from '../json/index.js';
import { isRecord } from '../json/index.js';
import type { IdentityRule } from './types.js';
import { canonicalJson } from '../json/index.js';

/**
 * The identity of an OpenAPI parameter: `in` and `name` (header names
 * compared case-insensitively, as HTTP does), or `$ref:` and the reference
 * for a referenced parameter. `undefined` when it has neither.
 *
 * @example
 * ```ts
 * openApiParameterKey({ in: 'query', name: 'page' }); // 'query:page'
 * openApiParameterKey({ $ref: '#/components/parameters/per-page' }); // '$ref:#/components/parameters/per-page'
 * ```
 */
export function openApiParameterKey(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  if (typeof item.$ref === 'string') return `$ref:${item.$ref}`;
  if (typeof item.in !== 'string' || typeof item.name !== 'string') return undefined;
  const name = item.in === 'header' ? item.name.toLowerCase() : item.name;
  return `${item.in}:${name}`;
}

/** The identity of a set member: its canonical JSON (object keys sorted). */
export function setMemberKey(item: unknown): string {
  return canonicalJson(item);
}

function byStringField(field: string): (item: unknown) => string | undefined {
  return (item) => {
    if (!isRecord(item)) return undefined;
    const value = item[field];
    return typeof value === 'string' ? value : undefined;
  };
}

const whole = (): undefined => undefined;

const parameterPaths = [
  '/paths/*/parameters',
  '/paths/*/*/parameters',
  '/webhooks/*/parameters',
  '/webhooks/*/*/parameters',
  '/components/pathItems/*/parameters',
  '/components/pathItems/*/*/parameters',
  '/**/callbacks/*/*/parameters',
  '/**/callbacks/*/*/*/parameters',
];

const serverPaths = ['/servers', '/paths/*/servers', '/paths/*/*/servers', '/webhooks/*/servers', '/webhooks/*/*/servers'];

/**
 * The built-in OpenAPI identity rules, first match wins:
 *
 * | arrays | identity |
 * |---|---|
 * | `parameters` of path items and operations (paths, webhooks, components/pathItems, callbacks) | `in` + `name`, or the `$ref` |
 * | top-level `tags` | `name` |
 * | an operation's `tags` | a set of names |
 * | `servers` (top level, path item, operation) | `url` |
 * | top-level and operation `security` | a set of canonical JSON requirement objects |
 * | `enum`, `required` anywhere | a set |
 * | `allOf`, `oneOf`, `anyOf` anywhere | none: merged as whole values |
 *
 * Extend it by putting your own rules first:
 * `merge3(base, local, remote, { rules: [...mine, ...openApiIdentityRules] })`.
 */
export const openApiIdentityRules: readonly IdentityRule[] = Object.freeze([
  ...parameterPaths.map((path) => ({ path, key: openApiParameterKey })),
  { path: '/tags', key: byStringField('name') },
  { path: '/paths/*/*/tags', key: setMemberKey, set: true },
  ...serverPaths.map((path) => ({ path, key: byStringField('url') })),
  { path: '/security', key: setMemberKey, set: true },
  { path: '/paths/*/*/security', key: setMemberKey, set: true },
  { path: '/webhooks/*/*/security', key: setMemberKey, set: true },
  { path: '/**/allOf', key: whole },
  { path: '/**/oneOf', key: whole },
  { path: '/**/anyOf', key: whole },
  { path: '/**/enum', key: setMemberKey, set: true },
  { path: '/**/required', key: setMemberKey, set: true },
]);

/** A rule ready for matching. */
export interface CompiledRule {
  readonly pattern: CompiledPattern;
  /** The identity of one element; `undefined` makes the whole array merge as one value. */
  readonly identify: (item: unknown) => string | undefined;
}

/** Compiled frozen tables (such as {@link openApiIdentityRules}); other tables may change between calls. */
const compiledCache = new WeakMap<readonly IdentityRule[], readonly CompiledRule[]>();

/**
 * Validate and compile a rule table (cached for frozen tables).
 *
 * @throws ConfigError `CONFIG_INVALID` for a rule without a pointer pattern or a key function.
 */
export function compileRules(rules: readonly IdentityRule[]): readonly CompiledRule[] {
  const cached = compiledCache.get(rules);
  if (cached) return cached;
  if (!Array.isArray(rules)) {
    throw new ConfigError(`Expected \`rules\` to be an array of identity rules, got ${typeof rules}`, {
      hint: 'Pass an array such as [...openApiIdentityRules, { path: "/items", key: (item) => item.id }].',
    });
  }
  const compiled = rules.map((rule, index): CompiledRule => {
    if (typeof rule !== 'object' || rule === null || typeof rule.path !== 'string') {
      throw new ConfigError(`Expected \`rules[${index}].path\` to be a JSON Pointer pattern, got ${describeValue(rule)}`, {
        hint: 'Give each rule a `path` such as "/paths/*/*/parameters" (`*` one segment, `**` any).',
        details: { index },
      });
    }
    let pattern: CompiledPattern;
    try {
      pattern = compilePattern(rule.path);
    } catch (error) {
      throw new ConfigError(`Expected \`rules[${index}].path\` to be a JSON Pointer pattern, got ${JSON.stringify(rule.path)}`, {
        hint: 'Patterns start with "/"; write "~" as "~0" and "/" inside a key as "~1".',
        cause: error,
        details: { index },
      });
    }
    if (rule.set === true) return { pattern, identify: setMemberKey };
    if (typeof rule.key !== 'function') {
      throw new ConfigError(`Expected \`rules[${index}].key\` to be a function, got ${describeValue(rule.key)}`, {
        hint: 'Give the rule `key: (item) => string | undefined`, or `set: true` for arrays of plain values.',
        details: { index },
      });
    }
    const key = rule.key;
    return { pattern, identify: (item) => key(item) };
  });
  if (Object.isFrozen(rules)) compiledCache.set(rules, compiled);
  return compiled;
}

/** The first rule whose pattern matches the array at `segments`, if any. */
export function findRule(rules: readonly CompiledRule[], segments: readonly string[]): CompiledRule | undefined {
  for (const rule of rules) if (matchSegments(rule.pattern, segments)) return rule;
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
