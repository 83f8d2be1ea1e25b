/**
 * The client-neutral collection model every API client target is built on
 * (see docs/collections.md).
 *
 * @module
 */
export * from './model.js';
export * from './identity.js';
export * from './match.js';
export * from './keyed.js';
export { exampleFromSchema, readPointer, resolveRef, trackReads } from './example.js';
export type { ExampleOptions } from './example.js';
export * from './reconcile.js';
export * from './target.js';
export * from './auth.js';
export { bare, mediaExamples, mediaTypeRank, orderedMediaTypes, renderBody, responseExamples } from './body.js';
export type { ModelBody, RenderedBody, ResponseExample } from './body.js';
export * from './render.js';
export * from './merge.js';
export * from './filter.js';
