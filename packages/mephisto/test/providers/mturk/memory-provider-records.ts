/**
 * Provider records in memory, with the Store's semantics (keyed by provider type, kind and key; oldest
 * first; data stored as JSON), for provider tests whose fixtures name runs and units that are not in
 * any database. Store-backed tests use a real SQLite store instead.
 */
import type { NewProviderRecord, ProviderRecord, ProviderRecordFilter } from '../../../src/store/store.js';
import type { ProviderRecordStore } from '../../../src/providers/mturk/mturk-records.js';

export class MemoryProviderRecords implements ProviderRecordStore {
  readonly #records = new Map<string, ProviderRecord>();
  #tick = 0;

  #id(providerType: string, kind: string, key: string): string {
    return JSON.stringify([providerType, kind, key]);
  }

  #stored(record: NewProviderRecord, previous: ProviderRecord | undefined): ProviderRecord {
    const now = new Date(Date.UTC(2026, 0, 1) + this.#tick++);
    return {
      providerType: record.providerType,
      kind: record.kind,
      key: record.key,
      taskRunId: record.taskRunId ?? null,
      unitId: record.unitId ?? null,
      data: JSON.parse(JSON.stringify(record.data)) as unknown,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
  }

  putProviderRecord(record: NewProviderRecord): Promise<ProviderRecord> {
    const id = this.#id(record.providerType, record.kind, record.key);
    const stored = this.#stored(record, this.#records.get(id));
    this.#records.set(id, stored);
    return Promise.resolve(stored);
  }

  insertProviderRecord(record: NewProviderRecord): Promise<{ created: boolean; record: ProviderRecord }> {
    const id = this.#id(record.providerType, record.kind, record.key);
    const existing = this.#records.get(id);
    if (existing !== undefined) return Promise.resolve({ created: false, record: existing });
    const stored = this.#stored(record, undefined);
    this.#records.set(id, stored);
    return Promise.resolve({ created: true, record: stored });
  }

  getProviderRecord(providerType: string, kind: string, key: string): Promise<ProviderRecord | null> {
    return Promise.resolve(this.#records.get(this.#id(providerType, kind, key)) ?? null);
  }

  findProviderRecords(filter: ProviderRecordFilter): Promise<ProviderRecord[]> {
    return Promise.resolve(
      [...this.#records.values()].filter(
        (r) =>
          r.providerType === filter.providerType &&
          (filter.kind === undefined || r.kind === filter.kind) &&
          (filter.taskRunId === undefined || r.taskRunId === filter.taskRunId) &&
          (filter.unitId === undefined || r.unitId === filter.unitId),
      ),
    );
  }

  deleteProviderRecord(providerType: string, kind: string, key: string): Promise<boolean> {
    return Promise.resolve(this.#records.delete(this.#id(providerType, kind, key)));
  }

  /** Forgets everything (a database restored from before the records were written). */
  clear(): void {
    this.#records.clear();
  }
}
