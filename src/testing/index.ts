/**
 * The test kit, published as `api-live-sync/testing`: everything a user
 * needs to unit-test their sync rules in isolation, with no network, no
 * files and no real time.
 *
 * @packageDocumentation
 */
export { ManualClock, flushPromises } from './manual-clock.js';
export { EventRecorder } from './event-recorder.js';
export { createConflictContext } from './conflict-context.js';
export type { EventSourceLike, RecordedEvent } from './event-recorder.js';
export { MemorySource } from '../sources/index.js';
export { MemoryTarget } from '../targets/index.js';
export type { MemoryTargetOptions } from '../targets/index.js';
export { MemoryStore } from '../store/index.js';
