export type { ConflictContext, ConflictDecision, ConflictResolver } from './types.js';
