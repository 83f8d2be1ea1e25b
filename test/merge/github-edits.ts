/**
 * 200 deterministic local edits on GitHub's REST API description, of the
 * kinds users make: descriptions, added parameters, removed operations,
 * changed examples, added `x-` extensions.
 */
import { idPath } from './support.js';

/** The parts of an OpenAPI document the edits touch. */
export interface Doc {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { examples: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  [key: string]: unknown;
}

/** One scripted edit: the identity path of a leaf it set and the marker expected there (`undefined`: removed). */
export interface ScriptedEdit {
  kind: 'description' | 'parameter' | 'removed' | 'example' | 'extension';
  id: string;
  expected: string | undefined;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Apply the edits to `doc` in place and describe each. */
export function githubLocalEdits(doc: Doc): ScriptedEdit[] {
  const operations: [string, string][] = [];
  for (const path of Object.keys(doc.paths).sort()) {
    for (const method of Object.keys(doc.paths[path] ?? {}).sort()) if (METHODS.has(method)) operations.push([path, method]);
  }
  const edits: ScriptedEdit[] = [];
  // Spread each kind over the whole API, on disjoint operations: kind k takes every 20th from offset k.
  const pick = (offset: number, count: number) =>
    Array.from({ length: count }, (_, i) => operations[(i * 20 + offset) % operations.length] as [string, string]);
  const op = ([path, method]: [string, string]) => doc.paths[path]?.[method] as Record<string, unknown>;

  pick(0, 50).forEach((target, i) => {
    const text = `Local note ${i}: ${String(op(target).description ?? '')}`;
    op(target).description = text;
    edits.push({ kind: 'description', id: idPath('paths', target[0], target[1], 'description'), expected: JSON.stringify(text) });
  });
  pick(1, 40).forEach((target, i) => {
    const parameter = { name: `local_filter_${i}`, in: 'query', description: `Added locally (${i})`, schema: { type: 'string' } };
    const operation = op(target);
    operation.parameters = [...((operation.parameters as unknown[] | undefined) ?? []), parameter];
    edits.push({
      kind: 'parameter',
      id: idPath('paths', target[0], target[1], 'parameters', `#query:local_filter_${i}`, 'description'),
      expected: JSON.stringify(parameter.description),
    });
  });
  pick(2, 30).forEach((target) => {
    delete doc.paths[target[0]]?.[target[1]];
    edits.push({ kind: 'removed', id: idPath('paths', target[0], target[1]), expected: undefined });
  });
  pick(3, 40).forEach((target, i) => {
    const value = `team-${i % 5}`;
    op(target)['x-local-owner'] = value;
    edits.push({ kind: 'extension', id: idPath('paths', target[0], target[1], 'x-local-owner'), expected: JSON.stringify(value) });
  });
  const examples = Object.keys(doc.components.examples).sort();
  Array.from({ length: 40 }, (_, i) => examples[(i * 11) % examples.length] as string).forEach((name, i) => {
    const example = doc.components.examples[name] as Record<string, unknown>;
    const summary = `Local example ${i}`;
    doc.components.examples[name] = { ...example, summary, value: { local: i, was: example.value ?? null } };
    edits.push({ kind: 'example', id: idPath('components', 'examples', name, 'summary'), expected: JSON.stringify(summary) });
  });
  return edits;
}
