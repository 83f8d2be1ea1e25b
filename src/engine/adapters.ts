/**
 * A user's store reports what it throws under its own code: the engine talks
 * to its store through {@link guardedStore}, which passes a `SyncError`
 * through and turns anything else into `STORE_ADAPTER_FAILED` naming the
 * store (sources and targets are guarded where the pipeline calls them).
 *
 * @module
 */
import { adapterFailure } from '../errors.js';
import type { SyncStore } from '../store/index.js';

/** The name a store goes by in messages: its class name (`FileStore`, `MyStore`), or `store` for a plain object. */
export function storeName(store: SyncStore): string {
  const name = (store as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'store';
}

/** `store` with every method's failure reported by {@link adapterFailure}; optional methods stay optional. */
export function guardedStore(store: SyncStore): SyncStore {
  const name = storeName(store);
  const guard = <A extends unknown[], R>(doing: string, method: (...args: A) => Promise<R>) => {
    const bound = method.bind(store);
    return (...args: A): Promise<R> => {
      const fail = (error: unknown): never => {
        throw adapterFailure('store', name, error, doing, { details: typeof args[0] === 'string' ? { bindingId: args[0] } : {} });
      };
      try {
        return bound(...args).catch(fail);
      } catch (error) {
        return Promise.reject(adapterFailure('store', name, error, doing));
      }
    };
  };
  const guarded: SyncStore = {
    getBase: guard('reading a base', store.getBase),
    saveBase: guard('saving a base', store.saveBase),
    getValidators: guard('reading validators', store.getValidators),
    saveValidators: guard('saving validators', store.saveValidators),
    getRecord: guard('reading a record', store.getRecord) as SyncStore['getRecord'],
    setRecord: guard('writing a record', store.setRecord),
    deleteBinding: guard('deleting a binding', store.deleteBinding),
  };
  if (store.deleteRecord) guarded.deleteRecord = guard('deleting a record', store.deleteRecord);
  if (store.close) guarded.close = guard('closing', store.close);
  return guarded;
}
