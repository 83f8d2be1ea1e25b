/**
 * The typed event map of the engine (defined in `engine/events.ts`, beside
 * the engine that emits it), re-exported for the server, the test kit and
 * users who import it from here.
 *
 * @module
 */
export { syncEngineEventNames } from './engine/index.js';
export type { EventBase, JobEventBase, SyncEngineEventName, SyncEngineEvents, SyncEngineListener } from './engine/index.js';
