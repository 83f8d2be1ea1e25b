import { assertBindingId } from '../binding-id.js';
import { ConfigError } from '../errors.js';
import type { SyncStore } from '../store/index.js';
import type { BindingDecisions, DecisionsFile } from './types.js';

/** Store record keys the engine uses, besides the base and validators. */
export const RECORD_KEYS = Object.freeze({ journal: 'journal', decisions: 'decisions' });

/** Empty lasting decisions. */
export function emptyDecisions(): BindingDecisions {
  return { ignoredOperations: [], keepLocal: [], tombstones: [] };
}

/** The lasting decisions of a binding. */
export async function getDecisions(store: SyncStore, bindingId: string): Promise<BindingDecisions> {
  return { ...emptyDecisions(), ...((await store.getRecord<Partial<BindingDecisions>>(bindingId, RECORD_KEYS.decisions)) ?? {}) };
}

/** Replace the lasting decisions of a binding (deduplicated, sorted). */
export async function setDecisions(store: SyncStore, bindingId: string, decisions: BindingDecisions): Promise<void> {
  const clean = (list: readonly string[]) => [...new Set(list)].sort();
  await store.setRecord(bindingId, RECORD_KEYS.decisions, {
    ignoredOperations: clean(decisions.ignoredOperations),
    keepLocal: clean(decisions.keepLocal),
    tombstones: clean(decisions.tombstones),
  });
}

const OPERATION = /^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) \/\S*$/;

/**
 * Check a decisions file from outside (a teammate's, a repository's):
 * throws `CONFIG_INVALID` naming the first problem (`BINDING_ID_INVALID`
 * for a key that is not a binding id).
 */
export function validateDecisionsFile(value: unknown): DecisionsFile {
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid decisions file: ${message}`, {
      hint: 'Export a file with engine.exportDecisions() and edit only its lists.',
    });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(`expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}.`);
  const file = value as Partial<DecisionsFile>;
  if (file.format !== 'api-live-sync/decisions') fail(`expected "format": "api-live-sync/decisions", got ${JSON.stringify(file.format)}.`);
  if (file.version !== 1) fail(`expected "version": 1, got ${JSON.stringify(file.version)}.`);
  if (!file.bindings || typeof file.bindings !== 'object' || Array.isArray(file.bindings))
    fail('expected "bindings" to be an object keyed by binding id.');
  for (const [id, decisions] of Object.entries(file.bindings as Record<string, unknown>)) {
    assertBindingId(id, 'a binding id of the decisions file');
    if (!decisions || typeof decisions !== 'object') fail(`bindings.${id} must be an object.`);
    for (const list of ['ignoredOperations', 'keepLocal', 'tombstones'] as const) {
      const items = (decisions as Record<string, unknown>)[list] ?? [];
      if (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))
        fail(`bindings.${id}.${list} must be an array of strings.`);
      if (list !== 'keepLocal') {
        const bad = (items as string[]).find((item) => !OPERATION.test(item));
        if (bad !== undefined)
          fail(`bindings.${id}.${list} holds ${JSON.stringify(bad)}; expected "METHOD /path" such as "GET /pets/{id}".`);
      } else {
        const bad = (items as string[]).find((item) => !item.startsWith('/') && item !== '' && !item.startsWith('**'));
        if (bad !== undefined)
          fail(`bindings.${id}.keepLocal holds ${JSON.stringify(bad)}; expected a JSON Pointer pattern such as "/paths/**/description".`);
      }
    }
  }
  return file as DecisionsFile;
}
