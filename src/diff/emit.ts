/**
 * The collector every comparison writes to: looks up each rule's level,
 * applies level overrides, and turns elementary schema differences into
 * rule ids for their context (request or response, body root or property).
 *
 * @module
 */
import { RULES } from './rules.js';
import type { SchemaChange } from './schema.js';
import type { ChangeLevel, SpecChange } from './types.js';

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
    const change: SpecChange = { id, level: this.#levels[id] ?? rule.level, path: where.path, text };
    if (where.operation !== undefined) change.operation = where.operation;
    if (where.details !== undefined) change.details = where.details;
    this.changes.push(change);
    return change;
  }

  /** Record the differences of one schema comparison in its context. */
  schema(context: SchemaContext, changes: readonly SchemaChange[], where: Where, subject: string): void {
    for (const change of changes) {
      const id = ruleFor(context, change);
      if (id === undefined) continue;
      const property = change.path.join('/');
      const details: Record<string, unknown> = { ...where.details };
      if (property !== '') details.property = property;
      if (change.from !== undefined) details.from = change.from;
      if (change.to !== undefined) details.to = change.to;
      const rule = RULES.get(id);
      if (rule === undefined) continue;
      const at = property === '' ? subject : `${subject}, property \`${property}\``;
      this.add(id, { ...where, details }, `${at}: ${rule.description}${fromTo(change)}`);
    }
  }
}

function fromTo(change: SchemaChange): string {
  const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
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
    return `request-parameter-${change.kind}`;
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
        return root ? `request-body-${change.kind}` : `request-property-${change.kind}`;
    }
  }
  switch (change.kind) {
    case 'property-added':
    case 'property-removed': {
      const verb = change.kind === 'property-added' ? 'added' : 'removed';
      const required = flags?.required ? 'required' : 'optional';
      return `response-${required}${flags?.writeOnly ? '-write-only' : ''}-property-${verb}`;
    }
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
      return root ? `response-body-${change.kind}` : `response-property-${change.kind}`;
  }
}
