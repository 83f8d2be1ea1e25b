/** The binding the crash tests sync: its remote versions, its target, and a person's edits of the local copy. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiFileTarget, type SyncTarget } from '../../src/index.js';
import { hoppscotchTarget } from '../../src/targets/hoppscotch/public.js';
import { petstore } from '../support/docs.js';

export type CrashKind = 'openapi' | 'hoppscotch';

/** The target file of a crash test folder. */
export function crashTargetPath(dir: string, kind: CrashKind): string {
  return join(dir, kind === 'openapi' ? 'api.json' : 'api.hoppscotch.json');
}

/** Version `version` of the remote (a summary per version, one more operation every version) and a fresh target. */
export function crashBinding(
  dir: string,
  kind: CrashKind,
  version: number,
): { source: Record<string, unknown>; target: SyncTarget<unknown> } {
  const doc = petstore(6 + (version % 4)) as { paths: Record<string, { get: { summary: string } }> };
  for (const item of Object.values(doc.paths)) item.get.summary = `${item.get.summary} (v${version})`;
  const path = crashTargetPath(dir, kind);
  const target = (kind === 'openapi' ? openApiFileTarget({ path, indent: 4 }) : hoppscotchTarget({ path })) as SyncTarget<unknown>;
  return { source: doc, target };
}

/** A person's edits of the local copy: a key of their own and a renamed first operation (written with their own layout). */
export function editLocalCopy(dir: string, kind: CrashKind): void {
  const path = crashTargetPath(dir, kind);
  const value = JSON.parse(readFileSync(path, 'utf8'));
  if (kind === 'openapi') {
    value['x-mine'] = 'kept';
    value.paths['/pets'].get.description = 'my note';
    // A layout the engine would not write (key order, spacing): a rollback must bring back these bytes.
    writeFileSync(path, `${JSON.stringify({ 'x-mine': value['x-mine'], ...value }, null, 4)}\n`);
  } else {
    value.preRequestScript = '// mine: kept';
    value.requests[0].name = 'my own name';
    writeFileSync(path, JSON.stringify(value));
  }
}

/** Whether the person's edits are in the local copy. */
export function editsKept(text: string, kind: CrashKind): boolean {
  return kind === 'openapi'
    ? text.includes('"x-mine": "kept"') && text.includes('my note')
    : text.includes('// mine: kept') && text.includes('my own name');
}
