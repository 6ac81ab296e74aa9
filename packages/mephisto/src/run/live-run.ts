/**
 * One running task run: the object the worker server and simulated workers talk to. It ties together
 * the launcher (what is on offer), the worker pool (who gets what), the agents' sessions (the
 * blueprint's server side) and the lifecycle timers, and it decides how the run ends.
 *
 * Every answer to a worker is given after the store committed the change it reports: a worker is told
 * "you have unit X" once the agent exists, and `submitUnit` resolves once the data is stored.
 */
import type { Logger } from 'pino';
import type { Blueprint, TaskDataSource } from '../blueprints/blueprint.js';
import type { TaskConfig } from '../core/config/task-config.js';
import {
  MephistoError,
  NotFoundError,
  TransitionConflictError,
  UNIT_STATUSES,
  type Agent,
  type AgentStatus,
  type Scheduler,
  type Task,
  type TaskRun,
  type Unit,
  type UnitStatus,
  type Worker,
} from '../core/index.js';
import { runBudgetCents, unitCostCents } from '../payments/index.js';
import type { CrowdProvider, ProviderRunContext } from '../providers/crowd-provider.js';
import type { Store } from '../store/store.js';
import { LiveAgentSession } from './agent-session.js';
import { fromStoredData } from './assignment-data.js';
import { LifecycleTimers } from './lifecycle-timers.js';
import type { QualificationRequirement } from './qualifications.js';
import { refusalMessage, type RefusalCode } from './refusals.js';
import { RunActivityLog } from './run-activity-log.js';
import { AgentGoneError, AgentNotLiveError, ProviderLaunchError } from './run-errors.js';
import {
  RunEvents,
  type RunEnd,
  type RunEndReason,
  type RunEventSource,
  type UnitFreedReason,
} from './run-events.js';
import type { RunSettings } from './run-settings.js';
import { UnitLauncher } from './unit-launcher.js';
import { WorkerPool, type AgentRegistration, type PoolAnswer } from './worker-pool.js';

export type { AgentRegistration } from './worker-pool.js';

/** The answer to a worker's request for work (Mephisto's `agent_details` packet data, plus codes). */
export interface AgentDetails {
  readonly worker_id: string | null;
  readonly agent_id: string | null;
  /** The unit given (ours; Mephisto's packet has no such field). */
  readonly unit_id: string | null;
  readonly init_task_data: unknown;
  /** Null when a unit was given; otherwise the plain message for the worker (refusals.ts). */
  readonly failure_reason: string | null;
  readonly failure_code: RefusalCode | null;
}

/** Where a run is in its life. */
export type RunPhase = 'running' | 'winding-down' | 'ending' | 'ended';

export interface RunProgress {
  /** Units of the run per status. */
  readonly units: Readonly<Record<UnitStatus, number>>;
  /** Workers holding a unit of this run in this process. */
  readonly activeWorkers: number;
  /** Units launched or assigned: what `max_num_concurrent_units` caps. */
  readonly launchedSlots: number;
  /** `max_num_concurrent_units` (0 = no cap). */
  readonly maxConcurrentUnits: number;
  /** Every item of the data source has its assignment. */
  readonly sourceExhausted: boolean;
  /** `winding-down`: the lifetime passed, nothing new is offered, held units may still be submitted. */
  readonly phase: RunPhase;
}

/** Hooks a run script passes (Mephisto's SharedTaskState callbacks). */
export interface RunHooks {
  /** Mephisto's worker_can_do_unit: extra per-unit eligibility (called inside the claim; synchronous). */
  workerCanDoUnit?(worker: Worker, unit: Unit): boolean;
  /**
   * Called after each unit is submitted (data committed, `data` set) or abandoned (`data` undefined).
   * Errors are logged, never fatal.
   */
  onUnitSubmitted?(event: { unit: Unit; agent: Agent; data: unknown }): void | Promise<void>;
  /** Extra qualification requirements, Mephisto's `{qualification_name, comparator, value}` dicts (spec §4.9). */
  qualifications?: readonly QualificationRequirement[];
}

export interface LiveRun {
  readonly taskRun: TaskRun;
  readonly task: Task;
  /** True when this run continues an earlier process's run (`resume_incomplete_run`). */
  readonly resumed: boolean;
  readonly settings: RunSettings;
  readonly blueprint: Blueprint;
  readonly provider: CrowdProvider;
  readonly events: RunEventSource;
  /** Resolves (never rejects) once the run has ended and everything is released. */
  readonly ended: Promise<RunEnd>;
  /**
   * A worker asks for work (Mephisto's register_agent). A worker who already holds a unit of this run
   * (same `agent_registration_id`, or any when none is given) gets the same agent and data back.
   */
  requestAgent(registration: AgentRegistration): Promise<AgentDetails>;
  /**
   * Stores a submission; resolves once it is committed.
   * @throws AgentNotLiveError when the agent is not working on a unit of this run (timed out, …)
   */
  submitUnit(agentId: string, data: unknown): Promise<void>;
  /**
   * A live update from the worker's page (`mephisto_bound_live_update`), for the blueprint.
   * @throws AgentNotLiveError
   */
  sendLiveUpdate(agentId: string, data: Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * Subscribes to the blueprint's messages for the worker's page (`client_bound_live_update`); messages
   * sent before the first subscription are delivered to it. Returns the unsubscribe function.
   * @throws AgentNotLiveError
   */
  onClientBoundUpdate(
    agentId: string,
    listener: (data: Readonly<Record<string, unknown>>) => void,
  ): () => void;
  /** The worker's page went away: the unit is offered again. Does nothing for an agent not working. */
  reportDisconnect(agentId: string): Promise<void>;
  /** The worker gave the unit back: it is offered again. Does nothing for an agent not working. */
  returnUnit(agentId: string): Promise<void>;
  /**
   * The worker id of an agent still working on a unit of this run in this process, else undefined. The
   * task server uses it to refuse a request that names another worker's agent.
   */
  workerOfAgent(agentId: string): string | undefined;
  /** Progress as this process knows it (exact for a run served by one process). */
  progress(): RunProgress;
  /** Progress with unit counts read from the store. */
  refreshProgress(): Promise<RunProgress>;
  /** The worker links the provider returned for launched units (in launch order). */
  links(): readonly string[];
  /**
   * Ends the run: stops launching, expires units on offer (provider, then store), expires agents still
   * working, tears the provider's resources down and records the end. Idempotent.
   */
  shutdown(reason?: string): Promise<RunEnd>;
}

export interface LiveTaskRunInit {
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly task: Task;
  readonly taskRun: TaskRun;
  readonly resumed: boolean;
  readonly config: TaskConfig;
  readonly settings: RunSettings;
  readonly blueprint: Blueprint;
  readonly provider: CrowdProvider;
  readonly serverUrl: string;
  readonly hooks: RunHooks;
  /** New work, if any is still to be read. */
  readonly source: TaskDataSource | undefined;
  /** Items of `source` whose assignments exist already (resume). */
  readonly skip: number;
  /** Units in `created` to launch first (resume). */
  readonly created: readonly Unit[];
  /** Units in `launched` to launch again at the provider (resume). */
  readonly relaunch: readonly Unit[];
}

/** Agent statuses in which the worker is still on the unit. */
const WORKING_AGENT_STATUSES: readonly AgentStatus[] = [
  'none',
  'accepted',
  'waiting',
  'in task',
  'partner disconnect',
];

/** How often a launch held back by the budget looks at it again. */
const BUDGET_RECHECK_MS = 30_000;

type LeaveStatus = 'disconnect' | 'timeout' | 'returned' | 'expired';

export class LiveTaskRun implements LiveRun {
  readonly taskRun: TaskRun;
  readonly task: Task;
  readonly resumed: boolean;
  readonly settings: RunSettings;
  readonly blueprint: Blueprint;
  readonly provider: CrowdProvider;
  readonly events: RunEvents;
  readonly ended: Promise<RunEnd>;

  readonly #store: Store;
  readonly #log: Logger;
  readonly #hooks: RunHooks;
  readonly #context: ProviderRunContext;
  readonly #timers: LifecycleTimers;
  readonly #launcher: UnitLauncher;
  readonly #pool: WorkerPool;
  /** Refusals and errors, for the monitor (batched, never in a worker's way). */
  readonly #activity: RunActivityLog;
  readonly #relaunch: readonly Unit[];
  readonly #sessions = new Map<string, LiveAgentSession>();
  readonly #byRegistration = new Map<string, string>();
  readonly #byWorker = new Map<string, Set<string>>();
  readonly #links = new Map<string, string>();
  readonly #inflight = new Set<Promise<unknown>>();
  #counts: Record<UnitStatus, number> = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<
    UnitStatus,
    number
  >;
  #phase: RunPhase = 'running';
  #ending: Promise<RunEnd> | undefined;
  #resolveEnded!: (end: RunEnd) => void;

  constructor(init: LiveTaskRunInit) {
    this.taskRun = init.taskRun;
    this.task = init.task;
    this.resumed = init.resumed;
    this.settings = init.settings;
    this.blueprint = init.blueprint;
    this.provider = init.provider;
    this.#store = init.store;
    this.#hooks = init.hooks;
    this.#relaunch = init.relaunch;
    this.#log = init.logger.child({ taskRunId: init.taskRun.id, task: init.task.name });
    this.#activity = new RunActivityLog(
      init.store,
      init.scheduler,
      init.store.clock,
      init.taskRun.id,
      this.#log,
    );
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.events = new RunEvents((name, error) => {
      this.#log.error({ err: error, event: name }, 'a run event listener threw');
    });
    this.#context = {
      taskRun: init.taskRun,
      providerArgs: init.config.mephisto.provider,
      taskArgs: init.config.mephisto.task,
      serverUrl: init.serverUrl,
      qualifications: init.hooks.qualifications ?? [],
      blockQualification: init.settings.blockQualification ?? null,
    };
    this.#timers = new LifecycleTimers(init.scheduler, (error) => {
      this.#log.error({ err: error }, 'a lifecycle timer failed');
    });
    this.#launcher = new UnitLauncher({
      store: init.store,
      provider: init.provider,
      context: () => this.#context,
      taskRunId: init.taskRun.id,
      maxConcurrentUnits: init.settings.maxConcurrentUnits,
      reward: () => init.settings.reward,
      budget: () => {
        const budgetCents = runBudgetCents(init.config.mephisto.provider);
        return budgetCents === null
          ? null
          : { budgetCents, unitCostCents: unitCostCents(init.provider, init.settings.reward) };
      },
      onBudgetWait: (first) => {
        if (first) {
          const message =
            "the run's budget is reached: no more units are launched until reviews settle what is owed " +
            `(looked at again every ${BUDGET_RECHECK_MS / 1000} s)`;
          this.#log.warn(message);
          this.#activity.error('launching units', new MephistoError('MEPHISTO_ERR_BUDGET_EXCEEDED', message));
        }
        // Reviews (rejections, failed payments) free budget in another process: look again later.
        this.#timers.armBudgetRecheck(BUDGET_RECHECK_MS, () =>
          this.#track(async () => {
            if (this.#takesWork()) await this.#launcher.pump();
          }),
        );
      },
      source: init.source,
      skip: init.skip,
      created: init.created,
      logger: this.#log,
      onCreated: (units) => {
        this.#counts.created += units.length;
      },
      onLaunched: (units, links) => {
        this.#move('created', 'launched', units.length);
        for (const [unitId, link] of links) this.#links.set(unitId, link);
        this.#log.debug({ count: units.length }, 'units launched');
        this.events.emit('unit-launched', { units });
      },
      onLaunchError: (error, units) => {
        this.#log.error({ err: error, count: units.length }, 'the provider failed to launch units');
        this.#activity.error(`the provider failed to launch ${units.length} unit(s)`, error);
        this.events.emit('launch-error', { error, units });
      },
    });
    this.#pool = new WorkerPool({
      store: init.store,
      provider: init.provider,
      taskRunId: init.taskRun.id,
      caps: () => ({
        allowedConcurrent: init.settings.allowedConcurrent,
        maximumUnitsPerWorker: init.settings.maximumUnitsPerWorker,
      }),
      requirements: init.hooks.qualifications ?? [],
      blockQualification: init.settings.blockQualification,
      workerCanDoUnit: init.hooks.workerCanDoUnit?.bind(init.hooks),
      logger: this.#log,
    });
  }

  /**
   * Starts the run: re-launches a resumed run's launched units, arms the lifetime and patience
   * timers, and launches the first units. A provider failure here rejects (the operator then ends
   * the run with reason `error`).
   */
  async start(): Promise<void> {
    this.#counts = { ...(await this.#store.countUnitsByStatus({ taskRunId: this.taskRun.id })) };
    try {
      await this.#reconcile(false);
    } catch (error) {
      // Launching still works (it is idempotent at the provider); the orphans wait for the next
      // reconcile (shutdown, the next start, or `mephisto mturk cleanup`).
      this.#log.error({ err: error }, 'reconciling with the provider failed');
      this.#activity.error('reconciling the run with the provider failed', error);
    }
    if (this.#relaunch.length > 0) {
      let links: ReadonlyMap<string, string>;
      try {
        links = await this.provider.launchUnits(this.#context, this.#relaunch);
      } catch (cause) {
        throw new ProviderLaunchError(
          `the ${this.provider.type} provider failed to re-launch ${this.#relaunch.length} unit(s) of the resumed run: ${
            cause instanceof Error ? cause.message : String(cause)
          }`,
          { cause },
        );
      }
      for (const [unitId, link] of links) this.#links.set(unitId, link);
      this.events.emit('unit-launched', { units: this.#relaunch });
    }
    this.#timers.armLifetime(this.settings.lifetimeMs, () => this.#lifetimeReached());
    this.#armPatience();
    await this.#launcher.pump({ rethrow: true });
    this.#log.info({ resumed: this.resumed, units: this.#counts }, 'run started');
    this.#afterChange();
  }

  /**
   * Has the provider make the platform agree with the store (orphans withdrawn, payments found done
   * recorded): at every start and resume, before anything is launched, and at the end.
   */
  /** What the provider is told about the run (setup, launches, reconcile, teardown). */
  get providerContext(): ProviderRunContext {
    return this.#context;
  }

  async #reconcile(runOver: boolean): Promise<void> {
    if (!this.provider.reconcileRun) return;
    const live = await this.#store.findUnits({
      taskRunId: this.taskRun.id,
      status: ['launched', 'assigned'],
    });
    const report = await this.provider.reconcileRun({
      ...this.#context,
      liveUnitIds: new Set(live.map((u) => u.id)),
      runOver,
    });
    const changed = report.withdrawn + report.relaunched + report.recorded > 0;
    this.#log[changed ? 'warn' : 'debug'](
      {
        withdrawn: report.withdrawn,
        relaunched: report.relaunched,
        recorded: report.recorded,
        notes: report.notes,
      },
      'reconciled the run with the provider',
    );
  }

  // --- workers ----------------------------------------------------------------------------------------

  requestAgent(registration: AgentRegistration): Promise<AgentDetails> {
    return this.#track(async () => {
      if (this.#phase !== 'running') return this.#refusalDetails(registration, this.#pool.runOver(null));
      const worker = await this.#pool.workerFor(registration);
      const held = this.#reconnectable(worker, registration.agent_registration_id);
      if (held) {
        this.#log.debug({ agentId: held.agent.id, workerId: worker.id }, 'worker reconnected to its unit');
        this.events.emit('agent-assigned', { agent: held.agent, unit: held.unit, reconnect: true });
        return detailsOf(held);
      }
      // The run may have stopped taking work while the worker was looked up.
      if (!this.#takesWork()) return this.#refusalDetails(registration, this.#pool.runOver(worker));
      const answer = await this.#pool.claim(worker);
      if (answer.kind === 'refused') return this.#refusalDetails(registration, answer);
      return this.#startAgent(answer, registration);
    });
  }

  submitUnit(agentId: string, data: unknown): Promise<void> {
    return this.#track(async () => {
      const session = this.#sessions.get(agentId);
      if (!session) await this.#requireOwnAgent(agentId);
      let result;
      try {
        result = await this.#store.submitAgent(agentId, data);
      } catch (error) {
        if (error instanceof TransitionConflictError && error.entity === 'agent')
          throw new AgentNotLiveError(agentId, error.actual);
        throw error;
      }
      const { agent, unit } = result;
      this.#timers.cancelAgent(agentId);
      this.#armPatience();
      session?.markSubmitted(data);
      this.#forget(agentId);
      if (unit.status === 'completed') this.#move('assigned', 'completed');
      if (this.#log.isLevelEnabled('debug')) this.#log.debug({ agentId, unitId: unit.id }, 'unit submitted');
      this.events.emit('unit-submitted', { agent, unit, data });
      this.events.emit('unit-freed', { agent, unit, reason: 'completed' });
      this.#callSubmitted(unit, agent, data);
      this.#afterChange();
    });
  }

  sendLiveUpdate(agentId: string, data: Readonly<Record<string, unknown>>): Promise<void> {
    const session = this.#sessions.get(agentId);
    if (!session?.live) return Promise.reject(new AgentNotLiveError(agentId, null));
    session.pushLiveUpdate(data);
    return Promise.resolve();
  }

  onClientBoundUpdate(
    agentId: string,
    listener: (data: Readonly<Record<string, unknown>>) => void,
  ): () => void {
    const session = this.#sessions.get(agentId);
    if (!session?.live) throw new AgentNotLiveError(agentId, null);
    return session.subscribe(listener);
  }

  reportDisconnect(agentId: string): Promise<void> {
    return this.#track(() => this.#leave(agentId, 'disconnect'));
  }

  returnUnit(agentId: string): Promise<void> {
    return this.#track(() => this.#leave(agentId, 'returned'));
  }

  workerOfAgent(agentId: string): string | undefined {
    return this.#sessions.get(agentId)?.agent.workerId;
  }

  // --- progress ---------------------------------------------------------------------------------------

  progress(): RunProgress {
    return {
      units: { ...this.#counts },
      activeWorkers: this.#byWorker.size,
      launchedSlots: this.#counts.launched + this.#counts.assigned,
      maxConcurrentUnits: this.settings.maxConcurrentUnits,
      sourceExhausted: this.#launcher.exhausted,
      phase: this.#phase,
    };
  }

  async refreshProgress(): Promise<RunProgress> {
    this.#counts = { ...(await this.#store.countUnitsByStatus({ taskRunId: this.taskRun.id })) };
    return this.progress();
  }

  links(): readonly string[] {
    return [...this.#links.values()];
  }

  /** Agents with live timers; 0 once the run ended (tests check nothing leaks). */
  get pendingAgentTimers(): number {
    return this.#timers.agentCount;
  }

  shutdown(reason?: string): Promise<RunEnd> {
    return this.#end('shutdown', reason);
  }

  /** Ends the run with reason `error` (a launch that failed half-way); like shutdown otherwise. */
  fail(error: unknown): Promise<RunEnd> {
    return this.#end('error', error instanceof Error ? error.message : String(error));
  }

  // --- agents -----------------------------------------------------------------------------------------

  #reconnectable(worker: Worker, registrationId: string | undefined): LiveAgentSession | undefined {
    if (registrationId !== undefined) {
      const agentId = this.#byRegistration.get(registrationId);
      const session = agentId === undefined ? undefined : this.#sessions.get(agentId);
      return session?.live && session.agent.workerId === worker.id ? session : undefined;
    }
    for (const agentId of this.#byWorker.get(worker.id) ?? []) {
      const session = this.#sessions.get(agentId);
      if (session?.live) return session;
    }
    return undefined;
  }

  async #startAgent(
    answer: Extract<PoolAnswer, { kind: 'assigned' }>,
    registration: AgentRegistration,
  ): Promise<AgentDetails> {
    const { agent, unit, worker } = answer;
    const registrationId = registration.agent_registration_id;
    this.#move('launched', 'assigned');
    if (this.provider.registerAgent) {
      try {
        await this.provider.registerAgent(this.#context, { unit, agent, worker, providerData: registration });
      } catch (error) {
        this.#agentLog(agent, unit).warn(
          { err: error },
          'the provider refused the registration; the unit is offered again',
        );
        await this.#leave(agent.id, 'disconnect');
        return this.#refusalDetails(registration, {
          kind: 'refused',
          worker,
          code: 'provider_refused',
          message: refusalMessage('provider_refused'),
        });
      }
    }
    let session: LiveAgentSession;
    try {
      const assignment = answer.assignment ?? (await this.#store.getAssignment(unit.assignmentId));
      const initData = this.blueprint.initDataForUnit(fromStoredData(assignment.data), unit);
      session = new LiveAgentSession(agent, unit, assignment, initData, registrationId);
    } catch (error) {
      this.#agentLog(agent, unit).error(
        { err: error },
        'could not prepare the unit for the worker; it is offered again',
      );
      await this.#leave(agent.id, 'disconnect');
      throw error;
    }
    this.#sessions.set(agent.id, session);
    if (registrationId !== undefined) this.#byRegistration.set(registrationId, agent.id);
    let held = this.#byWorker.get(worker.id);
    if (!held) {
      held = new Set();
      this.#byWorker.set(worker.id, held);
    }
    held.add(agent.id);
    if (this.settings.assignmentDurationMs > 0) {
      this.#timers.armAgent(agent.id, 'assignment_duration', this.settings.assignmentDurationMs, () =>
        this.#track(() => this.#leave(agent.id, 'timeout', 'assignment_duration_in_seconds')),
      );
    }
    if (this.#log.isLevelEnabled('debug')) this.#agentLog(agent, unit).debug('unit assigned');
    this.events.emit('agent-assigned', { agent, unit, reconnect: false });
    this.#runBlueprint(session);
    return detailsOf(session);
  }

  /**
   * Runs the blueprint's server side of the unit. When it finishes without a submit, the worker has
   * `submission_timeout` to submit; then the agent times out and the unit is offered again. Mephisto
   * waited in the unit's thread and, on timeout, let the thread die holding the unit (quirk 5).
   */
  #runBlueprint(session: LiveAgentSession): void {
    const agentId = session.agent.id;
    void (async () => {
      try {
        await this.blueprint.runUnit(session);
      } catch (error) {
        if (!(error instanceof AgentGoneError)) {
          this.#agentLog(session.agent, session.unit).warn({ err: error }, "the blueprint's runUnit failed");
          this.#activity.error(`the blueprint failed on unit ${session.unit.id}`, error);
        }
      }
      session.runFinished = true;
      if (!session.live || this.#sessions.get(agentId) !== session) return;
      this.#timers.armAgent(agentId, 'submission_timeout', this.settings.submissionTimeoutMs, () =>
        this.#track(() => this.#leave(agentId, 'timeout', 'submission_timeout')),
      );
    })();
  }

  /**
   * The run's logger bound to one agent, made only when something is logged about it (a child logger
   * per agent was a large share of a unit's allocations).
   */
  #agentLog(agent: Agent, unit: Unit): Logger {
    return this.#log.child({ agentId: agent.id, unitId: unit.id, workerId: agent.workerId });
  }

  /** Throws AgentNotLiveError unless `agentId` is an agent of this run. */
  async #requireOwnAgent(agentId: string): Promise<Agent> {
    let agent: Agent;
    try {
      agent = await this.#store.getAgent(agentId);
    } catch (error) {
      if (error instanceof NotFoundError) throw new AgentNotLiveError(agentId, null);
      throw error;
    }
    if (agent.taskRunId !== this.taskRun.id) throw new AgentNotLiveError(agentId, null);
    return agent;
  }

  /**
   * The agent stops working without a submit. Its unit goes back on offer (or expires, for `expired`
   * and once the run takes no more work). Quietly does nothing for an agent that is not working.
   */
  async #leave(agentId: string, status: LeaveStatus, why?: string): Promise<void> {
    const session = this.#sessions.get(agentId);
    if (!session) {
      try {
        await this.#requireOwnAgent(agentId);
      } catch (error) {
        if (error instanceof AgentNotLiveError) return;
        throw error;
      }
    }
    let result;
    try {
      result = await this.#store.transitionAgent(agentId, { from: WORKING_AGENT_STATUSES, to: status });
    } catch (error) {
      if (!(error instanceof TransitionConflictError)) throw error;
      // It submitted or left meanwhile; whatever happened first stands.
      if (session && !session.live) this.#forget(agentId);
      return;
    }
    const { agent } = result;
    let { unit } = result;
    this.#timers.cancelAgent(agentId);
    session?.markGone(status);
    this.#forget(agentId);
    if (unit.status !== 'assigned') this.#move('assigned', unit.status);
    this.#log.debug({ agentId, unitId: unit.id, status, why }, 'agent left its unit');
    if (unit.status === 'launched' && this.#phase !== 'running') {
      // The run takes no more work: a unit given back is withdrawn instead of offered again.
      const [expired] = await this.#expireUnits([unit]);
      if (expired) unit = expired;
    }
    this.events.emit('unit-freed', { agent, unit, reason: status satisfies UnitFreedReason });
    this.#callSubmitted(unit, agent, undefined);
    this.#afterChange();
  }

  #forget(agentId: string): void {
    const session = this.#sessions.get(agentId);
    if (!session) return;
    this.#sessions.delete(agentId);
    if (session.registrationId !== undefined) this.#byRegistration.delete(session.registrationId);
    const held = this.#byWorker.get(session.agent.workerId);
    held?.delete(agentId);
    if (held?.size === 0) this.#byWorker.delete(session.agent.workerId);
  }

  #callSubmitted(unit: Unit, agent: Agent, data: unknown): void {
    if (!this.#hooks.onUnitSubmitted) return;
    void this.#track(async () => {
      try {
        await this.#hooks.onUnitSubmitted?.({ unit, agent, data });
      } catch (error) {
        this.#log.error({ err: error, unitId: unit.id }, 'onUnitSubmitted threw');
      }
    });
  }

  #refusalDetails(
    registration: AgentRegistration,
    answer: Extract<PoolAnswer, { kind: 'refused' }>,
  ): AgentDetails {
    this.#log.debug({ worker: registration.worker_name, code: answer.code }, 'request refused');
    this.#activity.refusal(answer.code, answer.message, registration.worker_name);
    this.events.emit('refusal', {
      workerName: registration.worker_name,
      code: answer.code,
      message: answer.message,
    });
    return {
      worker_id: answer.worker?.id ?? null,
      agent_id: null,
      unit_id: null,
      init_task_data: null,
      failure_reason: answer.message,
      failure_code: answer.code,
    };
  }

  // --- the run's course -------------------------------------------------------------------------------

  /** A method, not a field read, so checks after an await are not narrowed away by the compiler. */
  #takesWork(): boolean {
    return this.#phase === 'running';
  }

  #move(from: UnitStatus, to: UnitStatus, n = 1): void {
    this.#counts[from] = Math.max(0, this.#counts[from] - n);
    this.#counts[to] += n;
  }

  #armPatience(): void {
    const ms = this.settings.patienceMs;
    this.#timers.armPatience(ms, () => {
      void this.#end('no_submission_patience', `no unit was submitted for ${ms / 1000} seconds`);
    });
  }

  /** Tracks work that shutdown must let finish first (a claim, a submit, a hook). */
  #track<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    this.#inflight.add(promise);
    const done = (): void => {
      this.#inflight.delete(promise);
    };
    promise.then(done, done);
    return promise;
  }

  /** After a unit left a worker or work was added: refill slots, then see whether the run is over. */
  #afterChange(): void {
    if (this.#phase === 'ending' || this.#phase === 'ended') return;
    void (async () => {
      try {
        if (this.#phase === 'running') await this.#launcher.pump();
        await this.#checkEnd();
      } catch (error) {
        if (error instanceof ProviderLaunchError) return; // reported; tried again on the next change
        this.#log.error({ err: error }, 'the run failed');
        this.#activity.error('the run failed', error);
        void this.#end('error', error instanceof Error ? error.message : String(error));
      }
    })();
  }

  async #checkEnd(): Promise<void> {
    const taskRunId = this.taskRun.id;
    if (this.#phase === 'winding-down') {
      if (!(await this.#store.hasUnits({ taskRunId, status: 'assigned' }))) void this.#end('task_lifetime');
    } else if (this.#phase === 'running' && this.#launcher.drained) {
      // An existence check, not a count: this runs after every change, and a count would scan every open unit.
      if (!(await this.#store.hasUnits({ taskRunId, status: ['created', 'launched', 'assigned'] })))
        void this.#end('completed');
    }
  }

  /** `task_lifetime_in_seconds` passed: withdraw what is on offer; end once held units resolve. */
  async #lifetimeReached(): Promise<void> {
    if (this.#phase !== 'running') return;
    this.#phase = 'winding-down';
    this.#log.info('task lifetime reached: no more units are offered');
    this.#timers.cancelRunTimer('patience');
    await this.#launcher.stop();
    await this.#expireUnassigned();
    await this.#checkEnd();
  }

  /** Expires every unit of the run still created or launched. */
  async #expireUnassigned(): Promise<void> {
    const units = await this.#store.findUnits({
      taskRunId: this.taskRun.id,
      status: ['created', 'launched'],
    });
    await this.#expireUnits(units);
  }

  /** Provider first, then the store (the reverse of launching), so a crash between leaves no unit on offer that the store calls expired. */
  async #expireUnits(units: readonly Unit[]): Promise<Unit[]> {
    const launched = units.filter((u) => u.status === 'launched');
    const created = units.filter((u) => u.status === 'created');
    if (launched.length > 0) {
      try {
        await this.provider.expireUnits(this.#context, launched);
      } catch (error) {
        this.#log.error({ err: error, count: launched.length }, 'the provider failed to expire units');
        this.#activity.error(`the provider failed to expire ${launched.length} unit(s)`, error);
      }
    }
    const expiredLaunched = await this.#store.transitionUnits(
      launched.map((u) => u.id),
      { from: 'launched', to: 'expired' },
    );
    const expiredCreated = await this.#store.transitionUnits(
      created.map((u) => u.id),
      { from: 'created', to: 'expired' },
    );
    this.#move('launched', 'expired', expiredLaunched.length);
    this.#move('created', 'expired', expiredCreated.length);
    return [...expiredLaunched, ...expiredCreated];
  }

  #end(reason: RunEndReason, detail?: string): Promise<RunEnd> {
    this.#ending ??= this.#wind(reason, detail);
    return this.#ending;
  }

  async #wind(reason: RunEndReason, detail: string | undefined): Promise<RunEnd> {
    this.#phase = 'ending';
    this.#log.info({ reason, detail }, 'run ending');
    const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
      try {
        await step();
      } catch (error) {
        this.#log.error({ err: error }, `shutdown: ${what} failed`);
      }
    };
    // Agent timers stay armed until the agents are expired below; run timers go now.
    this.#timers.cancelRunTimer('patience');
    this.#timers.cancelRunTimer('lifetime');
    await attempt('stopping the launcher', () => this.#launcher.stop());
    // Let claims and submits already under way finish, so none lands on a unit after it was expired
    // and no submitted work is refused half-way.
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    if (reason !== 'completed') {
      await attempt('expiring units on offer', () => this.#expireUnassigned());
      const working = await this.#store
        .findAgents({ taskRunId: this.taskRun.id, status: WORKING_AGENT_STATUSES })
        .catch(() => [] as Agent[]);
      for (const agent of working)
        await attempt(`expiring agent ${agent.id}`, () => this.#leave(agent.id, 'expired'));
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    }
    this.#timers.stop();
    for (const [agentId, session] of this.#sessions) {
      session.markGone('shutdown');
      this.#forget(agentId);
    }
    await attempt('reconciling with the provider', () => this.#reconcile(true));
    await attempt('tearing down the provider', () => this.provider.teardownRun(this.#context));
    await attempt('counting units', () => this.refreshProgress());
    if (reason === 'completed')
      await attempt('marking the run completed', () =>
        this.#store.setTaskRunCompleted(this.taskRun.id, true),
      );
    await attempt('recording the end', () =>
      this.#store.updateTaskRunState(this.taskRun.id, { end: { reason, detail: detail ?? null } }),
    );
    await attempt('recording refusals and errors', () => this.#activity.close());
    this.#phase = 'ended';
    const end: RunEnd = { reason, counts: { ...this.#counts }, ...(detail === undefined ? {} : { detail }) };
    this.#log.info({ reason, detail, counts: end.counts }, 'run ended');
    this.events.emit('ended', end);
    this.#resolveEnded(end);
    return end;
  }
}

function detailsOf(session: LiveAgentSession): AgentDetails {
  return {
    worker_id: session.agent.workerId,
    agent_id: session.agent.id,
    unit_id: session.unit.id,
    init_task_data: session.initData,
    failure_reason: null,
    failure_code: null,
  };
}
