/**
 * Who gets which unit: a worker asking for work is found or created, recognised if they already hold
 * a unit of this run (a page reload), checked against blocks and qualifications, and given the first
 * unit they may take, with every cap checked in the same store transaction ({@link Store.claimUnit}).
 *
 * Mephisto's WorkerPool answers every cap or empty pool with one catch-all; here each refusal carries
 * its own code and message (refusals.ts).
 */
import type { Logger } from 'pino';
import type { Agent, Assignment, Unit, Worker } from '../core/index.js';
import type { CrowdProvider } from '../providers/crowd-provider.js';
import type { ClaimRefusalCode, ClaimRequest, Store } from '../store/store.js';
import type { QualificationRequirement } from './qualifications.js';
import { meetsRequirement, workerIsQualified } from './qualifications.js';
import type { RefusalCode } from './refusals.js';
import { refusalMessage } from './refusals.js';

/** What a worker's page sends to ask for work (Mephisto's `register_agent` provider data). */
export interface AgentRegistration {
  /** The worker's id at the provider; the store's worker name is `provider.workerName(worker_name)`. */
  readonly worker_name: string;
  /** The page's id for this piece of work; a page reload sends the same one and gets the same unit. */
  readonly agent_registration_id?: string;
  readonly assignment_id?: string;
  readonly provider_type?: string;
  readonly [key: string]: unknown;
}

export interface WorkerPoolOptions {
  readonly store: Store;
  readonly provider: CrowdProvider;
  readonly taskRunId: string;
  readonly caps: () => { allowedConcurrent: number; maximumUnitsPerWorker: number };
  readonly requirements: readonly QualificationRequirement[];
  /** `block_qualification`: a grant of it means "blocked", not "not qualified". */
  readonly blockQualification: string | undefined;
  readonly workerCanDoUnit: ((worker: Worker, unit: Unit) => boolean) | undefined;
  readonly logger: Logger;
}

export type PoolAnswer =
  | {
      readonly kind: 'assigned';
      readonly worker: Worker;
      readonly agent: Agent;
      readonly unit: Unit;
      /** The unit's assignment, read in the claim (undefined when the store did not). */
      readonly assignment: Assignment | undefined;
    }
  | {
      readonly kind: 'refused';
      readonly worker: Worker | null;
      readonly code: RefusalCode;
      readonly message: string;
    };

export type PoolRefusal = Extract<PoolAnswer, { kind: 'refused' }>;

export class WorkerPool {
  readonly #o: WorkerPoolOptions;
  /** Workers never change once created: caching them by name saves a read per request. */
  readonly #workers = new Map<string, Worker>();
  readonly #warnedUnknown = new Set<string>();
  /**
   * The claim's qualification check (the same for every claim of the run), or undefined when the run
   * has no requirement and no block qualification; null until first built. Built once: a claim is the
   * engine's hottest call.
   */
  #eligibility: ClaimRequest['eligibility'] | null = null;

  constructor(options: WorkerPoolOptions) {
    this.#o = options;
  }

  /** The store's worker for a registration, created on first sight (race-safe, one store call). */
  async workerFor(registration: AgentRegistration): Promise<Worker> {
    const name = this.#o.provider.workerName(registration.worker_name);
    const cached = this.#workers.get(name);
    if (cached) return cached;
    const { store, provider } = this.#o;
    const worker = await store.findOrCreateWorker({ name, providerType: provider.type });
    this.#workers.set(name, worker);
    return worker;
  }

  /** Refuses a blocked worker before any transaction (the provider's own block list is remote). */
  async #providerBlocks(worker: Worker): Promise<boolean> {
    try {
      return await this.#o.provider.isWorkerBlocked(worker);
    } catch (error) {
      // Failing closed would lock every worker out during a provider outage; the store's blocks and the
      // block qualification are still checked inside the claim.
      this.#o.logger.warn({ err: error, workerId: worker.id }, 'provider block check failed; not blocking');
      return false;
    }
  }

  #eligibilityCheck(): ClaimRequest['eligibility'] {
    if (this.#eligibility !== null) return this.#eligibility;
    const { requirements, blockQualification, logger } = this.#o;
    const names = requirements.map((r) => r.qualification_name);
    if (blockQualification !== undefined) names.push(blockQualification);
    this.#eligibility =
      names.length === 0
        ? undefined
        : {
            names,
            refusal: (grants, known) => {
              if (blockQualification !== undefined && known.has(blockQualification)) {
                // Mephisto adds a DoesNotExist requirement for it; we report it as a block.
                const blocked = !meetsRequirement(grants.get(blockQualification), {
                  qualification_name: blockQualification,
                  comparator: 'DoesNotExist',
                });
                if (blocked) return 'blocked';
              }
              return workerIsQualified(grants, known, requirements, (name) => {
                if (this.#warnedUnknown.has(name)) return;
                this.#warnedUnknown.add(name);
                logger.warn(
                  { qualification: name },
                  'qualification requirement names an unknown qualification; skipped',
                );
              })
                ? null
                : 'not_qualified';
            },
          };
    return this.#eligibility;
  }

  /** Gives `worker` a unit, or says why not. */
  async claim(worker: Worker): Promise<PoolAnswer> {
    if (await this.#providerBlocks(worker)) return this.#refuse(worker, 'blocked', 0);
    const { store, taskRunId, workerCanDoUnit, logger } = this.#o;
    const caps = this.#o.caps();
    const request: ClaimRequest = {
      taskRunId,
      workerId: worker.id,
      allowedConcurrent: caps.allowedConcurrent,
      maximumUnitsPerWorker: caps.maximumUnitsPerWorker,
      withAssignment: true,
    };
    const eligibility = this.#eligibilityCheck();
    if (eligibility !== undefined) request.eligibility = eligibility;
    if (workerCanDoUnit !== undefined) {
      request.accept = (unit: Unit) => {
        try {
          return workerCanDoUnit(worker, unit);
        } catch (error) {
          logger.warn({ err: error, unitId: unit.id }, 'worker_can_do_unit threw; unit not offered');
          return false;
        }
      };
    }
    const result = await store.claimUnit(request);
    if (result.ok) {
      const { agent, unit, assignment } = result;
      return { kind: 'assigned', worker, agent, unit, assignment };
    }
    const limit =
      result.code === 'too_many_concurrent'
        ? caps.allowedConcurrent
        : result.code === 'max_for_task'
          ? caps.maximumUnitsPerWorker
          : 0;
    return this.#refuse(worker, result.code, result.held, limit);
  }

  #refuse(
    worker: Worker | null,
    code: ClaimRefusalCode | RefusalCode,
    held: number,
    limit?: number,
  ): PoolRefusal {
    const message = refusalMessage(code, { held, ...(limit ? { limit } : {}) });
    return { kind: 'refused', worker, code, message };
  }

  /** The refusal for a run that takes no more work. */
  runOver(worker: Worker | null): PoolRefusal {
    return this.#refuse(worker, 'run_over', 0);
  }
}
