/**
 * Puts a run's work on offer: pulls items from the data source lazily, creates their assignments and
 * units in batches, and launches units (store `created → launched` first, then the provider) while
 * fewer than `max_num_concurrent_units` units are launched or assigned (0 = no cap).
 *
 * Refilling is event-driven: the live run calls {@link UnitLauncher.pump} whenever a unit completes,
 * expires or goes back on offer, instead of Mephisto's 10-second polling thread. Pumps never overlap;
 * a pump asked for while one runs makes it go round once more, so no trigger is lost.
 *
 * Slot accounting reads the store (units of the run in `launched` or `assigned`), not a counter, so it
 * stays right whatever else changed units meanwhile: as units only enter those statuses here, and
 * pumps are serialised, the cap can never be exceeded.
 */
import type { Logger } from 'pino';
import type { InitializationData, TaskDataSource } from '../blueprints/blueprint.js';
import type { Unit } from '../core/index.js';
import type { CrowdProvider, ProviderRunContext } from '../providers/crowd-provider.js';
import { affordableUnits } from '../payments/index.js';
import type { Store } from '../store/store.js';
import { toStoredData } from './assignment-data.js';
import { ProviderLaunchError } from './run-errors.js';

/**
 * Items read and created per store call when there is no cap (one transaction each, ~15 ms per 1,000
 * units). A transaction and a provider call have a fixed cost: 2,000 spends a tenth less on a
 * 100,000-unit launch than 1,000, while a request arriving meanwhile waits at most one batch.
 */
const CREATE_BATCH = 2000;
/** Units per provider launch call. */
const LAUNCH_BATCH = 1000;

export interface UnitLauncherOptions {
  readonly store: Store;
  readonly provider: CrowdProvider;
  readonly context: () => ProviderRunContext;
  readonly taskRunId: string;
  /** `max_num_concurrent_units`; 0 = launch everything. */
  readonly maxConcurrentUnits: number;
  /** Pay of new units (`task_reward`). */
  readonly reward: () => number;
  /**
   * The run's budget and what one unit can cost (reward and fee), whole cents; null for no budget.
   * With a budget, units are launched only while every unit on offer, being worked on or awaiting
   * review could still be paid within it (see payments/run-budget.ts).
   */
  readonly budget?: () => { readonly budgetCents: number; readonly unitCostCents: number } | null;
  /**
   * Called each time a pump finds the budget reached while work is waiting; `first` is true for the
   * first time since the budget last allowed a launch.
   */
  readonly onBudgetWait?: (first: boolean) => void;
  /** Where new work comes from; undefined when the run's work all exists already. */
  readonly source: TaskDataSource | undefined;
  /** Items of `source` to pass over because their assignments exist (a resumed run). */
  readonly skip: number;
  /** Units already in `created` (a resumed run), in creation order. */
  readonly created: readonly Unit[];
  readonly logger: Logger;
  readonly onCreated: (units: readonly Unit[]) => void;
  readonly onLaunched: (units: readonly Unit[], links: ReadonlyMap<string, string>) => void;
  readonly onLaunchError: (error: ProviderLaunchError, units: readonly Unit[]) => void;
}

/**
 * The Kysely store's engine-internal launch (`created → launched` without reading the rows back). Other
 * stores (fakes, wrappers) go through the public `transitionUnits`.
 */
interface LaunchesHeldUnits {
  launchCreatedUnits(units: readonly Unit[]): Promise<Unit[]>;
}

function launchesHeldUnits(store: Store): store is Store & LaunchesHeldUnits {
  return typeof (store as Partial<LaunchesHeldUnits>).launchCreatedUnits === 'function';
}

/** Reads a sync or async iterable in chunks, after passing over `skip` items. */
class SourceReader {
  readonly #iterator: Iterator<InitializationData> | AsyncIterator<InitializationData>;
  /** A synchronous source is read without awaiting each item (an await per item for 100,000 items). */
  readonly #sync: boolean;
  #skip: number;
  #position = 0;
  #done = false;

  constructor(source: TaskDataSource, skip: number) {
    this.#sync = !(Symbol.asyncIterator in source);
    this.#iterator = this.#sync
      ? (source as Iterable<InitializationData>)[Symbol.iterator]()
      : (source as AsyncIterable<InitializationData>)[Symbol.asyncIterator]();
    this.#skip = skip;
  }

  /** Up to `count` items with their positions in the source; fewer only at its end. */
  async take(count: number): Promise<{ item: InitializationData; position: number }[]> {
    const items: { item: InitializationData; position: number }[] = [];
    while (!this.#done && items.length < count) {
      const next = this.#sync
        ? (this.#iterator as Iterator<InitializationData>).next()
        : await this.#iterator.next();
      if (next.done === true) {
        this.#done = true;
        break;
      }
      const position = this.#position++;
      if (this.#skip > 0) {
        this.#skip--;
        continue;
      }
      items.push({ item: next.value, position });
    }
    return items;
  }

  /** The source has no more items (a method: it changes across awaits). */
  isDone(): boolean {
    return this.#done;
  }

  async close(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#iterator.return?.();
    }
  }
}

export class UnitLauncher {
  readonly #o: UnitLauncherOptions;
  readonly #reader: SourceReader | undefined;
  /** Created units waiting for a slot, oldest first. */
  readonly #queue: Unit[];
  #pumping: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #budgetReached = false;

  constructor(options: UnitLauncherOptions) {
    this.#o = options;
    this.#reader = options.source === undefined ? undefined : new SourceReader(options.source, options.skip);
    this.#queue = [...options.created];
  }

  /** Every item of the source has its assignment (or there is no source). */
  get exhausted(): boolean {
    return this.#reader === undefined || this.#reader.isDone();
  }

  /** No created unit is waiting for a slot and no item is left to read. */
  get drained(): boolean {
    return this.exhausted && this.#queue.length === 0;
  }

  /**
   * Fills free slots. Resolves when this pump (and any asked for while it ran) is done. A provider
   * failure is reported through `onLaunchError`, and rejects the pump only with `rethrow` (the
   * launch of a run, where the caller must learn it).
   */
  pump(options: { rethrow?: boolean } = {}): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          await this.#fill(options.rethrow === true);
        } while (this.#goAgain());
      } finally {
        this.#pumping = undefined;
      }
    })();
    return this.#pumping;
  }

  /** Whether a pump was asked for meanwhile (a method: the flag changes across awaits). */
  #goAgain(): boolean {
    return this.#again && !this.#stopped;
  }

  /** Resolves once no pump is running. */
  async idle(): Promise<void> {
    while (this.#pumping) await this.#pumping.catch(() => undefined);
  }

  /** Stops launching and reading (shutdown, lifetime over); the source is closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
    await this.#reader?.close().catch((error: unknown) => {
      this.#o.logger.warn({ err: error }, 'closing the data source failed');
    });
  }

  async #fill(rethrow: boolean): Promise<void> {
    const { store, taskRunId, maxConcurrentUnits } = this.#o;
    while (!this.#stopped) {
      let available = Infinity;
      if (maxConcurrentUnits > 0) {
        const active = await store.countUnits({ taskRunId, status: ['launched', 'assigned'] });
        available = maxConcurrentUnits - active;
        if (available <= 0) return;
      }
      const budget = this.#o.budget?.() ?? null;
      if (budget !== null) {
        const affordable = await affordableUnits(store, taskRunId, budget.budgetCents, budget.unitCostCents);
        if (affordable <= 0) {
          if (!this.drained) {
            this.#o.onBudgetWait?.(!this.#budgetReached);
            this.#budgetReached = true;
          }
          return;
        }
        this.#budgetReached = false;
        available = Math.min(available, affordable);
      }
      if (this.#queue.length === 0) {
        const created = await this.#create(Math.min(available, CREATE_BATCH));
        if (created === undefined) return;
        if (created.length > 0 && !(await this.#launch(created, rethrow))) return;
        continue;
      }
      const batch = this.#queue.splice(0, Math.min(available, LAUNCH_BATCH));
      if (!(await this.#launch(batch, rethrow))) return;
    }
  }

  /**
   * Reads up to `count` items and creates their work. Without a cap every unit would be launched at
   * once, so the units are created `launched` in the store and returned, for the provider; with a cap
   * they are created `created` and queued for a slot (an item may have several units, so a batch of
   * items could overshoot the slots). Undefined when the source is exhausted.
   */
  async #create(count: number): Promise<Unit[] | undefined> {
    if (!this.#reader || this.#reader.isDone()) return undefined;
    const items = await this.#reader.take(count);
    let toLaunch: Unit[] = [];
    if (items.length > 0) {
      const reward = this.#o.reward();
      const assignments = [];
      for (const { item, position } of items) {
        const data = toStoredData(item, position);
        if (data.unit_data.length === 0) {
          this.#o.logger.warn({ position }, 'task data item has no units (unitData is empty); skipped');
          continue;
        }
        assignments.push({ data, units: data.unit_data.map(() => ({ payAmount: reward })) });
      }
      if (assignments.length > 0) {
        // Without a cap or budget every unit is launched at once; otherwise they wait for a slot.
        const launchNow = this.#o.maxConcurrentUnits === 0 && (this.#o.budget?.() ?? null) === null;
        const { units } = await this.#o.store.createAssignmentsWithUnits(this.#o.taskRunId, assignments, {
          unitStatus: launchNow ? 'launched' : 'created',
          returnAssignments: false,
        });
        this.#o.onCreated(units);
        if (launchNow) toLaunch = units;
        else this.#queue.push(...units);
      }
    }
    if (this.#reader.isDone()) {
      await this.#o.store.updateTaskRunState(this.#o.taskRunId, { sourceExhausted: true });
      this.#o.logger.debug('data source exhausted');
    }
    return items.length > 0 || !this.#reader.isDone() ? toLaunch : undefined;
  }

  /**
   * Launches `batch`: units still `created` in the store first, then all at the provider (units
   * created `launched` go straight there). False (after putting the units back) when the provider
   * refused.
   */
  async #launch(batch: Unit[], rethrow: boolean): Promise<boolean> {
    const { store, provider } = this.#o;
    const created = batch.filter((u) => u.status === 'created');
    let launched = batch;
    if (created.length > 0) {
      const moved = launchesHeldUnits(store)
        ? await store.launchCreatedUnits(created)
        : await store.transitionUnits(
            created.map((u) => u.id),
            { from: 'created', to: 'launched' },
          );
      launched =
        created.length === batch.length ? moved : [...batch.filter((u) => u.status !== 'created'), ...moved];
    }
    if (launched.length === 0) return true;
    let links: ReadonlyMap<string, string>;
    try {
      links = await provider.launchUnits(this.#o.context(), launched);
    } catch (cause) {
      // Store first, provider second: undo the store's half so the units are tried again later.
      const back = await store.transitionUnits(
        launched.map((u) => u.id),
        { from: 'launched', to: 'created' },
      );
      this.#queue.unshift(...back);
      const message = cause instanceof Error ? cause.message : String(cause);
      const error = new ProviderLaunchError(
        `the ${provider.type} provider failed to launch ${launched.length} unit(s): ${message}`,
        { cause },
      );
      this.#o.onLaunchError(error, back);
      if (rethrow) throw error;
      return false;
    }
    this.#o.onLaunched(launched, links);
    return true;
  }
}
