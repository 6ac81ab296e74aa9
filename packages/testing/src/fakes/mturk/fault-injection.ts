/**
 * Failures the MTurk fake can be told to answer with, to test a client's retries: AWS's throttling
 * (`ThrottlingException`, HTTP 400), MTurk's `ServiceFault` (HTTP 500), and a reply held back so the
 * client times out. A failure can come after the operation took effect (the reply was lost, MTurk did
 * act), which is what idempotency tokens are for.
 */
import type { MturkOperation } from './mturk-operations.js';

export type MturkFaultKind = 'throttling' | 'serviceFault' | 'slow';

export interface MturkFaultOptions {
  /** How many calls in a row fail this way. @default 1 */
  readonly times?: number;
  /** For `slow`: how long the reply is held back, in real milliseconds. @default 5000 */
  readonly delayMs?: number;
  /**
   * Whether the operation takes effect before the failure is answered (MTurk acted; only its reply is
   * lost). Throttling never takes effect. @default true for `slow`, false for `serviceFault`
   */
  readonly afterEffect?: boolean;
}

export interface PlannedFault {
  readonly kind: MturkFaultKind;
  readonly delayMs: number;
  readonly afterEffect: boolean;
}

/** Queued failures by operation (`*` for any operation). */
export class FaultPlan {
  readonly #queues = new Map<MturkOperation | '*', PlannedFault[]>();

  add(operation: MturkOperation | '*', kind: MturkFaultKind, options: MturkFaultOptions = {}): void {
    const fault: PlannedFault = {
      kind,
      delayMs: options.delayMs ?? 5000,
      afterEffect: kind === 'throttling' ? false : (options.afterEffect ?? kind === 'slow'),
    };
    const queue = this.#queues.get(operation) ?? [];
    for (let i = 0; i < (options.times ?? 1); i++) queue.push(fault);
    this.#queues.set(operation, queue);
  }

  /** The next failure planned for `operation` (its own first, then any-operation ones), consumed. */
  take(operation: MturkOperation): PlannedFault | undefined {
    return this.#queues.get(operation)?.shift() ?? this.#queues.get('*')?.shift();
  }

  clear(): void {
    this.#queues.clear();
  }
}
