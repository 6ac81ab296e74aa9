/**
 * `inhouse`: workers you recruit yourself (colleagues, a lab panel), with no crowd platform in between
 * (Mephisto's InhouseProvider). Nothing is created or torn down anywhere; a unit's link is shared by
 * hand, with the worker's user name filled in for the `WORKER_USERNAME` placeholder.
 */
import type { InhouseProviderArgs } from '../../core/config/provider-args.js';
import { InhouseProviderArgsSchema } from '../../core/config/provider-args.js';
import { sectionField } from '../../core/config/config-section.js';
import type { Unit, Worker } from '../../core/index.js';
import type {
  CrowdProvider,
  ProviderBlockRequest,
  ProviderBonusRequest,
  ProviderDutyResult,
  ProviderRunContext,
  ProviderUnblockRequest,
  ProviderWorkReview,
} from '../crowd-provider.js';
import { linkWithQuery } from '../provider-links.js';
import { inhouseWrapCrowdSource } from './wrap-crowd-source.js';

export const INHOUSE_PROVIDER_TYPE = 'inhouse';
/** The placeholder in an inhouse link that the person sharing it replaces with the worker's name. */
export const INHOUSE_WORKER_PLACEHOLDER = 'WORKER_USERNAME';

const DONE: ProviderDutyResult = { status: 'done' };
const MANUAL: ProviderDutyResult = { status: 'manual' };

/** `ui_base_url`'s schema default (Mephisto's local server address). */
const DEFAULT_UI_BASE_URL: unknown = sectionField(InhouseProviderArgsSchema, 'ui_base_url')?.defaultValue;

export class InhouseProvider implements CrowdProvider {
  readonly type = INHOUSE_PROVIDER_TYPE;
  readonly sandbox = false;
  /** Nothing pays in-house workers: the ledger records what they are owed. */
  readonly paysWorkers = false;

  constructor(readonly args: InhouseProviderArgs) {}

  /** Inhouse workers are known by the name in their link, unchanged. */
  workerName(providerWorkerId: string): string {
    return providerWorkerId;
  }

  setupRun(_context: ProviderRunContext): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Returns `<base>?worker_id=WORKER_USERNAME&id=<assignment id>` for each unit, as Mephisto logs it
   * (`id` only has to identify the assignment to the inhouse wrapper, so units of one assignment share
   * a link). The base is `ui_base_url` when it is set to something other than its default; otherwise the
   * server's real address, because the default (`http://localhost:3000`) only guesses it.
   */
  launchUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<ReadonlyMap<string, string>> {
    const base = this.linkBase(context.serverUrl);
    const links = new Map<string, string>();
    for (const unit of units) {
      links.set(
        unit.id,
        linkWithQuery(base, { worker_id: INHOUSE_WORKER_PLACEHOLDER, id: unit.assignmentId }),
      );
    }
    return Promise.resolve(links);
  }

  /** Nothing to withdraw: the engine's store status is what keeps an expired unit from being taken. */
  expireUnits(_context: ProviderRunContext, _units: readonly Unit[]): Promise<void> {
    return Promise.resolve();
  }

  /** Inhouse has no blocks of its own; blocks recorded in the store still apply. */
  isWorkerBlocked(_worker: Worker): Promise<boolean> {
    return Promise.resolve(false);
  }

  teardownRun(_context: ProviderRunContext): Promise<void> {
    return Promise.resolve();
  }

  // Review duties: there is no platform to tell. The store's records (the review, the block) are
  // the whole effect, so these are idempotent by doing nothing.

  approveWork(_request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return Promise.resolve(DONE);
  }

  rejectWork(_request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return Promise.resolve(DONE);
  }

  /** In-house bonuses are paid by hand (as in Mephisto): the bonus is recorded as owed. */
  payBonus(_request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    return Promise.resolve(MANUAL);
  }

  /** The store's block keeps the worker out; there is nothing else to block. */
  blockWorker(_request: ProviderBlockRequest): Promise<ProviderDutyResult> {
    return Promise.resolve(DONE);
  }

  unblockWorker(_request: ProviderUnblockRequest): Promise<ProviderDutyResult> {
    return Promise.resolve(DONE);
  }

  /**
   * `worker_id` and `id` from the link; a page without a worker shows a sign-in form, and a submit
   * goes to `/welcome`.
   */
  wrapCrowdSourceScript(): string {
    return inhouseWrapCrowdSource(INHOUSE_WORKER_PLACEHOLDER);
  }

  /** The address links start with (see {@link InhouseProvider.launchUnits}). */
  linkBase(serverUrl: string): string {
    const configured = this.args.ui_base_url;
    const useServer = (configured === '' || configured === DEFAULT_UI_BASE_URL) && serverUrl !== '';
    return useServer ? serverUrl : configured;
  }
}
