/**
 * What the AI resolver sends and how it reads the answer. Provider-neutral:
 * nothing here imports a model client.
 *
 * @module
 */
import { type MergeConflict } from '../merge/index.js';
import { operationScope } from './pointer.js';
import { isSecretLocation, REDACTED, redactSecrets, redactText } from './redact.js';
import type { ConflictContext } from './types.js';
import { tryParsePointer } from '../json/index.js';

/** The marker that replaces a fragment too large to send. */
export const OMITTED_PREFIX = '[OMITTED:';

/** One conflict as the model sees it. Sides absent in the document are left out and listed in `absent`. */
export interface PromptConflict {
  path: string;
  kind: MergeConflict['kind'];
  /** `METHOD /template` when the conflict is inside an OpenAPI operation. */
  operation?: string;
  base?: unknown;
  local?: unknown;
  remote?: unknown;
  absent: ('base' | 'local' | 'remote')[];
  /** True when some content was redacted or omitted: only `local` or `remote` may be chosen then. */
  hidden: boolean;
}

/** A conflict prepared for sending, with what the resolver needs to remember about it. */
export interface PreparedConflict {
  conflict: MergeConflict;
  prompt: PromptConflict;
  /** Why the conflict must not be sent at all (its path holds a secret), if so. */
  withheld?: string;
}

/**
 * Turn a conflict into the fragment sent to the model: its path, kind,
 * operation and the three values, with secrets redacted and any side larger
 * than `maxFragmentChars` (as JSON) replaced by an omission marker. A path
 * that holds a secret cannot be redacted (the answer must name it exactly):
 * such a conflict is `withheld`, its prompt left empty.
 */
export function prepareConflict(conflict: MergeConflict, context: ConflictContext, maxFragmentChars: number): PreparedConflict {
  // Stryker disable next-line ArrayDeclaration: a path that is not a pointer has no segment a secret or an operation could be in
  const segments = tryParsePointer(conflict.path) ?? [];
  if ([conflict.path, ...segments].some((text) => redactText(text).redacted)) {
    return {
      conflict,
      prompt: { path: REDACTED, kind: conflict.kind, absent: [], hidden: true },
      withheld: 'its path holds what looks like a secret, so it was not sent',
    };
  }
  const secretPlace = isSecretLocation(segments, [context.base, context.local, context.remote]);
  const prompt: PromptConflict = { path: conflict.path, kind: conflict.kind, absent: [], hidden: false };
  const scope = operationScope(segments);
  if (scope?.method !== undefined) prompt.operation = `${scope.method.toUpperCase()} ${scope.template}`;
  for (const side of ['base', 'local', 'remote'] as const) {
    const raw = conflict[side];
    if (raw === undefined) {
      prompt.absent.push(side);
      continue;
    }
    if (secretPlace) {
      prompt[side] = REDACTED;
      prompt.hidden = true;
      continue;
    }
    const { value, redacted } = redactSecrets(raw);
    // Stryker disable next-line OptionalChaining: a conflict's side is JSON (undefined sides are left out above)
    const size = JSON.stringify(value)?.length ?? 0;
    if (size > maxFragmentChars) {
      prompt[side] = `${OMITTED_PREFIX} ${size} characters of JSON]`;
      prompt.hidden = true;
    } else {
      prompt[side] = value;
      prompt.hidden ||= redacted;
    }
  }
  return { conflict, prompt };
}

/** The system message: the task, the sides, and the rules of the answer; secrets in `instructions` are redacted too. */
export function systemPrompt(instructions: string | undefined): string {
  const lines = [
    'You settle conflicts of a three-way merge between two versions of an API description (an OpenAPI document or an API-client collection).',
    '"base" is the version both sides started from. "local" is the user\'s working copy, which may hold deliberate edits. "remote" is what the running API now publishes.',
    'For each conflict answer exactly once with its "path" unchanged and "take": "local" keeps the user\'s value, "remote" takes the API\'s value, "value" writes a combination you give in "value_json" as JSON text.',
    "Prefer keeping the user's customisations (examples, descriptions they rewrote, auth, headers, scripts) unless the remote change is a factual update of the API contract (types, parameters, status codes, paths).",
    'A side listed in "absent" does not exist there: taking it deletes the value. Do not delete the user\'s content lightly.',
    `Values shown as "${REDACTED}" or starting with "${OMITTED_PREFIX}" are hidden from you; when a conflict has "hidden": true choose only "local" or "remote", never "value".`,
    'Set "value_json" to null unless take is "value". Keep each reason to one short sentence.',
  ];
  if (instructions !== undefined && instructions.trim() !== '') lines.push(`Project guidance: ${redactText(instructions.trim()).text}`);
  return lines.join('\n');
}

/** The JSON schema of the answer, for structured output (strict mode). */
export const DECISIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['decisions'],
  properties: {
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'take', 'value_json', 'reason'],
        properties: {
          path: { type: 'string', description: 'The JSON Pointer of the conflict, exactly as given.' },
          take: { type: 'string', enum: ['local', 'remote', 'value'] },
          value_json: { type: ['string', 'null'], description: 'When take is "value": the value as JSON text. Otherwise null.' },
          reason: { type: 'string', description: 'One short sentence.' },
        },
      },
    },
  },
} as const;

/** Why an answer could not be read, or the decisions it holds (not yet validated). */
export type ParsedAnswer = { ok: true; decisions: unknown[] } | { ok: false; problem: string };

/**
 * Read the model's message content: JSON of the shape of
 * {@link DECISIONS_SCHEMA}. `value_json` is parsed into `value`; a plain
 * `value` member is accepted too. Any item out of shape fails the whole answer.
 */
export function parseAnswer(content: string | null | undefined): ParsedAnswer {
  if (typeof content !== 'string' || content.trim() === '') return { ok: false, problem: 'the answer had no content' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, problem: `the answer is not valid JSON (starts ${JSON.stringify(content.slice(0, 40))})` };
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { decisions?: unknown }).decisions)) {
    return { ok: false, problem: 'the answer is out of schema: expected an object with a `decisions` array' };
  }
  const decisions: unknown[] = [];
  for (const [index, item] of (parsed as { decisions: unknown[] }).decisions.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return { ok: false, problem: `the answer is out of schema: decisions[${index}] is not an object` };
    const { path, take, reason, value_json: valueJson } = item as Record<string, unknown>;
    if (typeof path !== 'string' || typeof reason !== 'string' || (take !== 'local' && take !== 'remote' && take !== 'value')) {
      return {
        ok: false,
        problem: `the answer is out of schema: decisions[${index}] needs a string path, a take of local|remote|value and a string reason`,
      };
    }
    if (valueJson !== undefined && valueJson !== null && typeof valueJson !== 'string') {
      return { ok: false, problem: `the answer is out of schema: decisions[${index}].value_json must be a string or null` };
    }
    const decision: Record<string, unknown> = { path, take, reason };
    if (take === 'value') {
      if (Object.hasOwn(item, 'value')) {
        decision['value'] = (item as Record<string, unknown>)['value'];
      } else if (typeof valueJson === 'string') {
        try {
          decision['value'] = JSON.parse(valueJson);
        } catch {
          // Left without a value: validation rejects it and the conflict falls back.
        }
      }
    }
    decisions.push(decision);
  }
  return { ok: true, decisions };
}

/** True when a value holds one of the markers we put in place of hidden content. */
export function containsMarker(value: unknown): boolean {
  const text = JSON.stringify(value) ?? '';
  return text.includes(REDACTED) || text.includes(OMITTED_PREFIX);
}

/**
 * True when putting `chosen` where `local` is removes something the local
 * side has: the whole value, a member of an object (at any depth), or
 * elements of an array (a shorter array). Replacing a scalar is a change,
 * not a removal.
 */
export function removesLocalContent(local: unknown, chosen: unknown): boolean {
  if (local === undefined) return false;
  if (chosen === undefined) return true;
  if (Array.isArray(local)) return !Array.isArray(chosen) ? local.length > 0 : chosen.length < local.length;
  if (typeof local === 'object' && local !== null) {
    if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) return Object.keys(local).length > 0;
    const target = chosen as Record<string, unknown>;
    return Object.entries(local).some(
      ([key, member]) => member !== undefined && (!Object.hasOwn(target, key) || removesLocalContent(member, target[key])),
    );
  }
  return false;
}
