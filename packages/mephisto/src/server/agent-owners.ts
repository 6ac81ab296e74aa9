/**
 * Which worker each agent handed out by this server belongs to, so a submit that names its worker
 * (`worker_id`) cannot land on another worker's agent. It knows the agents this process gave out
 * since it started; for any other agent the engine's own checks (agent of this run, still working)
 * are all that apply.
 */
export class AgentOwners {
  readonly #owner = new Map<string, string>();

  record(agentId: string, workerId: string): void {
    this.#owner.set(agentId, workerId);
  }

  /** The worker the agent was given to, when this server gave it out. */
  ownerOf(agentId: string): string | undefined {
    return this.#owner.get(agentId);
  }

  /** The agent's work is over (submitted, or no longer live). */
  forget(agentId: string): void {
    this.#owner.delete(agentId);
  }

  get size(): number {
    return this.#owner.size;
  }
}
