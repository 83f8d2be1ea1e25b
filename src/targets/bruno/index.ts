/**
 * The Bruno target: a collection folder (`bruno.json`, `.bru` files,
 * environments) read and written with Bruno's own `@usebruno/lang`, on the
 * shared collection model.
 *
 * @module
 */
export * from './public.js';
export { BrunoFolder, BRUNO_JOURNAL_FILE, decodeFolderFiles, encodeFolderFiles } from './folder.js';
export type { FolderFiles } from './folder.js';
export { brunoFiles, parseBrunoFiles, ENVIRONMENTS_FOLDER } from './collection.js';
export type { BrunoCollection, BrunoParseCache } from './collection.js';
export { loadBruLang } from './lang.js';
export type { BruLang } from './lang.js';
export { brunoIdentityRules, brunoMark, inFileForm, keyBrunoTree, nestBrunoTree, userOwnedBase } from './target.js';
export { collectionOf, folderFile, inFileOrder, requestFile, requestOf, treeOf } from './tree.js';
export { NameSet, safeName } from './names.js';
