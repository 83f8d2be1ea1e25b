import type { DiffFunction, MergeFunction, ResolveFunction } from './pipeline.js';
import { keepLocalDecisions } from './pipeline.js';

/** Interim merge: take the remote rendering. */
export const defaultMerge: MergeFunction = (_base, _local, remote) => ({ merged: remote, conflicts: [] });

/** Interim resolution: keep local. */
export const defaultResolve: ResolveFunction = async (merged, conflicts) => ({ document: merged, decisions: keepLocalDecisions(conflicts) });

/** Interim diff. */
export const defaultDiff: DiffFunction = () => [];
