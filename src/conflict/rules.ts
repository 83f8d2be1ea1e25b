/**
 * Declarative rules: "descriptions take remote, auth keeps local".
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { type ConflictKind, type MergeConflict } from '../merge/index.js';
import { compileTemplateGlob, matchTemplate, operationScope } from './pointer.js';
import type { ConflictContext, ConflictDecision, ConflictResolver } from './types.js';
import { jsonProblem } from './validate.js';
import { compilePattern, compileWildcard, matchSegments, tryParsePointer, type CompiledPattern, valueAtSegments } from '../json/index.js';

const RULES_KEYS = optionKeys<RulesOptions>()(['name']);

/**
 * Which conflicts a rule applies to. Every given field must match (AND); an
 * empty `match` matches every conflict.
 */
export interface RuleMatch {
  /**
   * A pointer pattern of the conflict's path, the same language as identity
   * rules' (`matchPointerPattern`): `*` matches one segment (or any
   * characters inside one, as in `x-*`), `**` any number of segments.
   * Examples: `/paths/**\/description`, `**\/description`, `/components/securitySchemes/**`.
   * The leading `/` may be left out. Write `/` inside a segment as `~1` and
   * `~` as `~0`, as in a pointer.
   */
  path?: string;
  /** A tag of the operation the conflict is in (local or remote tags); `*` is a wildcard. */
  tag?: string;
  /**
   * The operation the conflict is in, `METHOD /template`: `GET /pets/{id}`,
   * `* /pets/**`, `DELETE /admin/*`. The method is case-insensitive;
   * parameter names in braces need not match the document's.
   */
  operation?: string;
  /** The `operationId` of the operation the conflict is in (local or remote); `*` is a wildcard. */
  operationId?: string;
  /** The path template the conflict is under (operation or path-item level): `/pets/*`, `/admin/**`. */
  pathTemplate?: string;
  /** The conflict kind, or one of several. */
  kind?: ConflictKind | readonly ConflictKind[];
}

/** One rule: when `match` matches, decide with `take`. */
export interface Rule {
  match: RuleMatch;
  /** Which side wins, or a fixed JSON value to write. */
  take: 'local' | 'remote' | { value: unknown };
  /** Recorded as the decision's reason; defaults to a description of the rule. */
  reason?: string;
}

/** Options of {@link rules}. */
export interface RulesOptions {
  /** The resolver's name, recorded in its decisions. Default `rules`. */
  name?: string;
}

/** A rule's `match`, compiled. */
interface Matcher {
  path?: CompiledPattern;
  tag?: RegExp;
  operationId?: RegExp;
  /** The method (lower case, as {@link operationScope} gives it) and the template glob. */
  operation?: { method: RegExp; template: CompiledPattern };
  pathTemplate?: CompiledPattern;
  kinds?: ReadonlySet<string>;
}

interface CompiledRule extends Matcher {
  decide: { take: 'local' | 'remote' } | { take: 'value'; value: unknown };
  reason: string;
}

const MATCH_KEYS = new Set(['path', 'tag', 'operation', 'operationId', 'pathTemplate', 'kind']);
const KINDS = new Set(['both-changed', 'changed-vs-deleted', 'deleted-vs-changed', 'both-added', 'ambiguous-identity']);

/**
 * A resolver from declarative rules. For each conflict the first rule whose
 * `match` matches decides; a conflict no rule matches stays undecided (put a
 * fallback after it with `chain`). Rules are checked when `rules()` is called
 * and a bad one throws a `ConfigError` naming it.
 *
 * The `tag`, `operation`, `operationId` and `pathTemplate` conditions read the conflict's
 * pointer as an OpenAPI location (`/paths/<template>/<method>/...`); they
 * never match conflicts elsewhere (components, info, a collection document).
 *
 * @example
 * ```ts
 * chain(
 *   rules([
 *     { match: { path: '/components/securitySchemes/**' }, take: 'local' },
 *     { match: { path: '**\/description' }, take: 'remote' },
 *   ]),
 *   preferLocal(),
 * )
 * ```
 */
export function rules(list: readonly Rule[], options: RulesOptions = {}): ConflictResolver {
  if (!Array.isArray(list)) {
    throw new ConfigError(`Expected rules() to get an array of rules, got ${list === null ? 'null' : typeof list}.`, {
      hint: "Pass rules like [{ match: { path: '**/description' }, take: 'remote' }].",
    });
  }
  checkOptions('rules() options', options, RULES_KEYS);
  const compiled = list.map((rule, index) => compileRule(rule, index));
  const name = options.name ?? 'rules';
  return {
    name,
    resolve(conflicts, context) {
      const decisions: ConflictDecision[] = [];
      for (const conflict of conflicts) {
        const facts = factsOf(conflict, context);
        const rule = compiled.find((candidate) => ruleMatches(candidate, conflict, facts));
        if (rule === undefined) continue;
        decisions.push({ path: conflict.path, ...rule.decide, reason: rule.reason, resolver: name });
      }
      return decisions;
    },
  };
}

interface ConflictFacts {
  segments: readonly string[] | undefined;
  template?: string;
  method?: string;
  tags: readonly string[];
  operationIds: readonly string[];
}

function factsOf(conflict: MergeConflict, context: ConflictContext): ConflictFacts {
  const segments = tryParsePointer(conflict.path);
  const scope = segments === undefined ? undefined : operationScope(segments);
  if (scope === undefined) return { segments, tags: [], operationIds: [] };
  if (scope.method === undefined) return { segments, template: scope.template, tags: [], operationIds: [] };
  const tags = new Set<string>();
  const operationIds = new Set<string>();
  for (const doc of [context.local, context.remote]) {
    const operation = valueAtSegments(doc, ['paths', scope.template, scope.method]);
    const found = valueAtSegments(operation, ['tags']);
    if (Array.isArray(found)) for (const tag of found) if (typeof tag === 'string') tags.add(tag);
    const id = valueAtSegments(operation, ['operationId']);
    if (typeof id === 'string') operationIds.add(id);
  }
  return { segments, template: scope.template, method: scope.method, tags: [...tags], operationIds: [...operationIds] };
}

function ruleMatches(rule: CompiledRule, conflict: MergeConflict, facts: ConflictFacts): boolean {
  if (rule.kinds !== undefined && !rule.kinds.has(conflict.kind)) return false;
  if (rule.path !== undefined && (facts.segments === undefined || !matchSegments(rule.path, facts.segments))) return false;
  if (rule.pathTemplate !== undefined && (facts.template === undefined || !matchTemplate(rule.pathTemplate, facts.template))) return false;
  const { operation, tag, operationId } = rule;
  if (operation !== undefined) {
    if (facts.template === undefined || facts.method === undefined) return false;
    if (!operation.method.test(facts.method) || !matchTemplate(operation.template, facts.template)) return false;
  }
  if (tag !== undefined && !facts.tags.some((name) => tag.test(name))) return false;
  if (operationId !== undefined && !facts.operationIds.some((id) => operationId.test(id))) return false;
  return true;
}

function compileRule(rule: Rule, index: number): CompiledRule {
  const where = `rule #${index + 1}`;
  const fail = (message: string, hint: string): never => {
    throw new ConfigError(`In rules(), ${where}: ${message}`, { hint, details: { rule: index } });
  };
  if (typeof rule !== 'object' || rule === null)
    fail(
      `expected an object { match, take }, got ${rule === null ? 'null' : typeof rule}.`,
      'Write each rule as { match: { ... }, take: "local" | "remote" | { value } }.',
    );
  const { match, take, reason } = rule;
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    fail(
      `expected \`match\` to be an object, got ${match === null ? 'null' : Array.isArray(match) ? 'an array' : typeof match}.`,
      'Use match: {} to match every conflict.',
    );
  }
  for (const key of Object.keys(match)) {
    if (!MATCH_KEYS.has(key))
      fail(`unknown match field "${key}".`, 'The match fields are path, tag, operation, operationId, pathTemplate and kind.');
  }
  const compiled: Matcher = {};
  const text = (key: keyof RuleMatch): string | undefined => {
    const value = match[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '')
      fail(
        `expected \`match.${key}\` to be a non-empty string, got ${JSON.stringify(value) ?? typeof value}.`,
        'See node_modules/api-live-sync/docs/conflict-resolution.md for the pattern syntax.',
      );
    return value as string;
  };
  const path = text('path');
  if (path !== undefined) {
    try {
      // `**/description` is short for `/**/description`.
      compiled.path = compilePattern(path.startsWith('/') ? path : `/${path}`);
    } catch {
      fail(
        `expected \`match.path\` to be a pointer pattern, got ${JSON.stringify(path)}.`,
        'Write "~" inside a segment as "~0" and "/" as "~1", as in a JSON Pointer; "*" is one segment, "**" any number.',
      );
    }
  }
  const tag = text('tag');
  if (tag !== undefined) compiled.tag = compileWildcard(tag);
  const operationId = text('operationId');
  if (operationId !== undefined) compiled.operationId = compileWildcard(operationId);
  const pathTemplate = text('pathTemplate');
  if (pathTemplate !== undefined) {
    if (!pathTemplate.startsWith('/'))
      fail(
        `expected \`match.pathTemplate\` to start with "/", got "${pathTemplate}".`,
        "Write a template glob like '/pets/*' or '/admin/**'.",
      );
    compiled.pathTemplate = compileTemplateGlob(pathTemplate);
  }
  const operation = text('operation');
  if (operation !== undefined) {
    const parsed = /^(\S+)\s+(\/\S*)$/.exec(operation.trim());
    if (parsed === null)
      fail(
        `expected \`match.operation\` to be "METHOD /template", got "${operation}".`,
        "Write it like 'GET /pets/{id}', '* /pets/**' or 'DELETE /admin/*'.",
      );
    const [, method = '*', template = '/'] = parsed ?? [];
    compiled.operation = { method: compileWildcard(method.toLowerCase()), template: compileTemplateGlob(template) };
  }
  if (match.kind !== undefined) {
    const kinds: readonly unknown[] = Array.isArray(match.kind) ? match.kind : [match.kind];
    for (const kind of kinds) {
      if (!KINDS.has(kind as string))
        fail(
          `expected \`match.kind\` to be one of ${[...KINDS].join(', ')}, got ${JSON.stringify(kind) ?? typeof kind}.`,
          'Use a conflict kind, or an array of them.',
        );
    }
    compiled.kinds = new Set(kinds as string[]);
  }
  let decide: CompiledRule['decide'];
  if (take === 'local' || take === 'remote') {
    decide = { take };
  } else if (typeof take === 'object' && take !== null && Object.hasOwn(take, 'value')) {
    const problem = jsonProblem(take.value);
    if (problem !== undefined)
      fail(
        `the \`take.value\` is not JSON: ${problem}.`,
        'A rule value must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).',
      );
    decide = { take: 'value', value: take.value };
  } else {
    decide = fail(
      `expected \`take\` to be "local", "remote" or { value }, got ${JSON.stringify(take) ?? typeof take}.`,
      'Say which side wins, or give a fixed value as { value: ... }.',
    );
  }
  if (reason !== undefined && typeof reason !== 'string')
    fail(`expected \`reason\` to be a string, got ${typeof reason}.`, 'Give a short sentence, or leave it out.');
  return { ...compiled, decide, reason: reason ?? `${where} (${describeMatch(match)}) took ${decide.take}` };
}

function describeMatch(match: RuleMatch): string {
  const parts = Object.entries(match)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join('|') : String(value)}`);
  return parts.length === 0 ? 'any conflict' : parts.join(', ');
}
