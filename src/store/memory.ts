import type { FetchValidators } from '../sources/index.js';
import type { BaseRecord, SyncStore } from './types.js';

/**
 * A store in memory. Values are copied in and out (`structuredClone`), so a
 * caller can never change what the store holds by mutating an object.
 * The engine's default; also what tests use.
 */
export class MemoryStore implements SyncStore {
  readonly #records = new Map<string, Map<string, unknown>>();

  #binding(bindingId: string): Map<string, unknown> {
    let records = this.#records.get(bindingId);
    if (!records) {
      records = new Map();
      this.#records.set(bindingId, records);
    }
    return records;
  }

  /** {@inheritDoc SyncStore.getBase} */
  async getBase(bindingId: string): Promise<BaseRecord | undefined> {
    return this.getRecord<BaseRecord>(bindingId, 'base');
  }

  /** {@inheritDoc SyncStore.saveBase} */
  async saveBase(bindingId: string, record: BaseRecord): Promise<void> {
    await this.setRecord(bindingId, 'base', record);
  }

  /** {@inheritDoc SyncStore.getValidators} */
  async getValidators(bindingId: string): Promise<FetchValidators> {
    // Validators are a flat object of strings: a shallow copy is a full copy.
    const value = this.#records.get(bindingId)?.get('validators') as FetchValidators | undefined;
    return value === undefined ? {} : { ...value };
  }

  /** {@inheritDoc SyncStore.saveValidators} */
  async saveValidators(bindingId: string, validators: FetchValidators): Promise<void> {
    await this.setRecord(bindingId, 'validators', validators);
  }

  /** {@inheritDoc SyncStore.getRecord} */
  async getRecord<T = unknown>(bindingId: string, key: string): Promise<T | undefined> {
    const value = this.#records.get(bindingId)?.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  /** {@inheritDoc SyncStore.setRecord} */
  async setRecord(bindingId: string, key: string, value: unknown): Promise<void> {
    this.#binding(bindingId).set(key, structuredClone(value));
  }

  /** {@inheritDoc SyncStore.deleteBinding} */
  async deleteBinding(bindingId: string): Promise<void> {
    this.#records.delete(bindingId);
  }

  /** Binding ids that have at least one record. */
  bindings(): string[] {
    return [...this.#records.keys()];
  }
}
