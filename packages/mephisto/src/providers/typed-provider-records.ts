/**
 * Typed access to one provider's records (the store's `provider_records`: see {@link Store} and
 * {@link ProviderRecord}), shared by the providers that keep state there (MTurk, Prolific).
 *
 * Records are addressed by (kind, key) under the provider type given at construction; every read
 * passes the record's data through a zod schema. A record whose data does not match its schema (a
 * shape written by another version of mephisto-ts, or edited by hand) is an error
 * ({@link ProviderRecordInvalidError}, naming the record and what does not match), never silently
 * treated as absent: a provider that took a bonus or launch record for missing could pay or launch
 * twice.
 */
import type { z } from 'zod';
import { MephistoError } from '../core/index.js';
import type { NewProviderRecord, ProviderRecord, Store } from '../store/store.js';

/** The part of the Store that provider records need (a full Store has it). */
export type ProviderRecordStore = Pick<
  Store,
  | 'putProviderRecord'
  | 'insertProviderRecord'
  | 'getProviderRecord'
  | 'findProviderRecords'
  | 'deleteProviderRecord'
>;

/** The run and unit a record is filed under (for listing a run's or a unit's records). */
export interface RecordLinks {
  readonly taskRunId?: string | null;
  readonly unitId?: string | null;
}

/** A record's data with the run and unit it is filed under. */
export interface Filed<T> {
  readonly data: T;
  readonly taskRunId: string | null;
  readonly unitId: string | null;
}

/** A record found by {@link TypedProviderRecords.find}: its key, data and links. */
export interface FoundRecord<T> extends Filed<T> {
  readonly key: string;
}

/** A stored provider record whose data does not match the schema it is read with. */
export class ProviderRecordInvalidError extends MephistoError {
  constructor(
    readonly providerType: string,
    readonly kind: string,
    readonly key: string,
    readonly issues: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_PROVIDER_RECORD_INVALID',
      `the ${providerType} provider record ${kind} "${key}" does not have the expected shape ` +
        `(${issues.join('; ')}): it was written by another version of mephisto-ts or changed by hand`,
    );
  }
}

export class TypedProviderRecords<Kind extends string = string> {
  constructor(
    readonly store: ProviderRecordStore,
    /** The provider type the records are kept under (`mturk`, `mturk_sandbox`, `prolific`). */
    readonly providerType: string,
  ) {}

  /** The record's data, or null when there is none. @throws ProviderRecordInvalidError */
  async get<S extends z.ZodType>(kind: Kind, key: string, schema: S): Promise<z.output<S> | null> {
    return (await this.getFiled(kind, key, schema))?.data ?? null;
  }

  /** The record's data and links, or null when there is none. @throws ProviderRecordInvalidError */
  async getFiled<S extends z.ZodType>(
    kind: Kind,
    key: string,
    schema: S,
  ): Promise<Filed<z.output<S>> | null> {
    const record = await this.store.getProviderRecord(this.providerType, kind, key);
    return record === null ? null : this.#filed(record, schema);
  }

  /** Inserts the record, or replaces the data and links of the one with its key. */
  async put(kind: Kind, key: string, data: unknown, links: RecordLinks = {}): Promise<void> {
    await this.store.putProviderRecord(this.#record(kind, key, data, links));
  }

  /**
   * Inserts the record unless its key exists (insert-once: of concurrent claims exactly one creates):
   * the way to claim a key before a platform call that must not be repeated. Returns whether this call
   * created it, and the stored data (the existing record's when it did not). @throws
   * ProviderRecordInvalidError when the existing record does not match `schema`
   */
  async claim<S extends z.ZodType>(
    kind: Kind,
    key: string,
    data: z.output<S>,
    schema: S,
    links: RecordLinks = {},
  ): Promise<{ created: boolean; data: z.output<S> }> {
    const { created, record } = await this.store.insertProviderRecord(this.#record(kind, key, data, links));
    return { created, data: this.#filed(record, schema).data };
  }

  /** Deletes the record; returns whether there was one. */
  delete(kind: Kind, key: string): Promise<boolean> {
    return this.store.deleteProviderRecord(this.providerType, kind, key);
  }

  /**
   * The records of a kind (of a run, or a unit, when the filter says), oldest first.
   * @throws ProviderRecordInvalidError when one of them does not match `schema`
   */
  async find<S extends z.ZodType>(
    kind: Kind,
    schema: S,
    filter: { taskRunId?: string; unitId?: string } = {},
  ): Promise<FoundRecord<z.output<S>>[]> {
    const records = await this.store.findProviderRecords({
      providerType: this.providerType,
      kind,
      ...filter,
    });
    return records.map((record) => ({ key: record.key, ...this.#filed(record, schema) }));
  }

  #record(kind: Kind, key: string, data: unknown, links: RecordLinks): NewProviderRecord {
    const { taskRunId = null, unitId = null } = links;
    return { providerType: this.providerType, kind, key, data, taskRunId, unitId };
  }

  #filed<S extends z.ZodType>(record: ProviderRecord, schema: S): Filed<z.output<S>> {
    const parsed = schema.safeParse(record.data);
    if (!parsed.success)
      throw new ProviderRecordInvalidError(
        this.providerType,
        record.kind,
        record.key,
        parsed.error.issues.map(
          (issue) => `${issue.path.length === 0 ? 'data' : issue.path.join('.')}: ${issue.message}`,
        ),
      );
    return { data: parsed.data, taskRunId: record.taskRunId, unitId: record.unitId };
  }
}
