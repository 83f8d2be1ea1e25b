/**
 * The collector every comparison writes to: looks up each rule's level,
 * applies level overrides, and turns elementary schema differences into
 * rule ids for their context (request or response, body root or property).
 *
 * @module
 */
import { RULES } from './rules.js';
import type { SchemaChange } from './schema.js';
import type { ChangeLevel, RuleInfo, SpecChange } from './types.js';

/** Where a schema sits, which decides the rule ids of its differences. */
export type SchemaContext = 'parameter' | 'request' | 'response';

/** Facts shared by every change of one place. */
export interface Where {
  operation?: string;
  path: string;
  details?: Record<string, unknown>;
}

/** Collects {@link SpecChange}s. Unknown rule ids are dropped: they are rules we do not implement. */
export class ChangeSink {
  readonly changes: SpecChange[] = [];
  readonly #levels: Readonly<Record<string, ChangeLevel>>;

  constructor(levels: Readonly<Record<string, ChangeLevel>> = {}) {
    this.#levels = levels;
  }

  /** Record a change of rule `id`; returns it, or `undefined` when the id is not a rule. */
  add(id: string, where: Where, text: string): SpecChange | undefined {
    const rule = RULES.get(id);
    if (rule === undefined) return undefined;
    return this.#push(rule, where.operation, where.path, where.details, text);
  }

  #push(
    rule: RuleInfo,
    operation: string | undefined,
    path: string,
    details: Record<string, unknown> | undefined,
    text: string,
  ): SpecChange {
    // The table's id, not the caller's equal string: a constant, which keeps the `levels` lookup fast.
    const change: SpecChange = { id: rule.id, level: this.#levels[rule.id] ?? rule.level, path, text };
    if (operation !== undefined) change.operation = operation;
    if (details !== undefined) change.details = details;
    this.changes.push(change);
    return change;
  }

  /** Record the differences of one schema comparison in its context. */
  schema(context: SchemaContext, changes: readonly SchemaChange[], where: Where, subject: string): void {
    for (const change of changes) {
      const id = ruleFor(context, change);
      if (id === undefined) continue;
      const rule = RULES.get(id);
      if (rule === undefined) continue;
      const property = change.path.length === 0 ? '' : change.path.join('/');
      // Copied key by key: a spread of these differently shaped objects takes the slow path.
      const details: Record<string, unknown> = {};
      const shared = where.details;
      if (shared !== undefined) for (const key of Object.keys(shared)) details[key] = shared[key];
      if (property !== '') details.property = property;
      if (change.from !== undefined) details.from = change.from;
      if (change.to !== undefined) details.to = change.to;
      const at = property === '' ? subject : `${subject}, property \`${property}\``;
      this.#push(rule, where.operation, where.path, details, `${at}: ${rule.description}${fromTo(change)}`);
    }
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function fromTo(change: SchemaChange): string {
  if (change.from !== undefined && change.to !== undefined) return ` (${show(change.from)} → ${show(change.to)})`;
  if (change.to !== undefined) return ` (${show(change.to)})`;
  if (change.from !== undefined) return ` (was ${show(change.from)})`;
  return '';
}

/** The rule id of one elementary difference in its context, or `undefined` when no rule covers it. */
function ruleFor(context: SchemaContext, change: SchemaChange): string | undefined {
  const root = change.path.length === 0;
  const flags = change.flags;
  if (context === 'parameter') {
    // A parameter's deprecation is on the parameter object, compared by the caller.
    if (!root || change.kind === 'deprecated' || change.kind === 'reactivated') return undefined;
    return prefixed('request-parameter-', change.kind);
  }
  if (context === 'request') {
    switch (change.kind) {
      case 'property-added':
        if (flags?.readOnly) return undefined;
        if (!flags?.required) return 'new-optional-request-property';
        return flags.hasDefault ? 'new-required-request-property-with-default' : 'new-required-request-property';
      case 'property-removed':
        return flags?.readOnly ? undefined : 'request-property-removed';
      case 'became-required':
        if (flags?.readOnly) return undefined;
        return flags?.hasDefault ? 'request-property-became-required-with-default' : 'request-property-became-required';
      case 'became-optional':
        return flags?.readOnly ? undefined : 'request-property-became-optional';
      default:
        return prefixed(root ? 'request-body-' : 'request-property-', change.kind);
    }
  }
  switch (change.kind) {
    case 'property-added':
    case 'property-removed':
      return RESPONSE_PROPERTY[change.kind][(flags?.required ? 1 : 0) + (flags?.writeOnly ? 2 : 0)];
    case 'became-required':
      return flags?.writeOnly ? undefined : 'response-property-became-required';
    case 'became-optional':
      return flags?.writeOnly ? undefined : 'response-property-became-optional';
    case 'enum-value-removed':
      return root ? 'response-mediatype-enum-value-removed' : 'response-property-enum-value-removed';
    case 'pattern-generalized':
      // Responses have no generalized rule: any new pattern is a change.
      return root ? undefined : 'response-property-pattern-changed';
    default:
      return prefixed(root ? 'response-body-' : 'response-property-', change.kind);
  }
}

/** `response-{optional,required}[-write-only]-property-{added,removed}`, by required + 2 × writeOnly. */
const RESPONSE_PROPERTY = {
  'property-added': [
    'response-optional-property-added',
    'response-required-property-added',
    'response-optional-write-only-property-added',
    'response-required-write-only-property-added',
  ],
  'property-removed': [
    'response-optional-property-removed',
    'response-required-property-removed',
    'response-optional-write-only-property-removed',
    'response-required-write-only-property-removed',
  ],
} as const;

const PREFIXED = new Map<string, Map<string, string>>();

/**
 * `prefix + kind`, made once per pair: the same string object every time,
 * whose hash the rule table lookup then does not compute again.
 */
function prefixed(prefix: string, kind: string): string {
  let ids = PREFIXED.get(prefix);
  if (ids === undefined) {
    ids = new Map();
    PREFIXED.set(prefix, ids);
  }
  let id = ids.get(kind);
  if (id === undefined) {
    id = prefix + kind;
    ids.set(kind, id);
  }
  return id;
}
