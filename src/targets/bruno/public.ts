/**
 * `api-live-sync/bruno`: the Bruno target and what an embedder needs around
 * it: the OpenAPI → Bruno collection renderer, a reader of collection
 * folders, and the shapes of Bruno's files as `@usebruno/lang` reads them
 * (see docs/bruno.md). `@usebruno/lang` is an optional peer dependency:
 * install it beside api-live-sync to use this entry.
 *
 * @packageDocumentation
 */
export { BRUNO_IDENTITY_RECORD, brunoTarget, readBrunoFolder } from './target.js';
export type { BrunoTargetOptions } from './target.js';
export { BRUNO_DEFAULT_ENVIRONMENT, renderBrunoTree } from './render.js';
export type { BrunoRenderOptions } from './render.js';
export type { BrunoTree, BrunoTreeFolder, BrunoTreeRequest } from './tree.js';
export type { BrunoConfig } from './collection.js';
export type { BruEnvironmentFile, BruFolderFile, BruKeyValue, BruParam, BruRequestFile, BruVar } from './lang.js';
