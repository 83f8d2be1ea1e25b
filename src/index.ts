/**
 * api-live-sync: keep API clients and local API specs in sync with the
 * OpenAPI documents live APIs produce, keeping the user's own edits.
 *
 * @packageDocumentation
 */
export * from './engine/index.js';
export * from './errors.js';
export { assertBindingId, isValidBindingId } from './binding-id.js';
export * from './engine/index.js';
export * from './metrics/index.js';
export * from './scheduler/index.js';
export * from './sources/index.js';
export * from './document/index.js';
export * from './store/index.js';
export * from './targets/index.js';
export * from './merge/index.js';
export * from './json/index.js';
export * from './conflict/index.js';
export * from './diff/index.js';
export * from './server/index.js';
