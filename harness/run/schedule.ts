// Concurrency of one target's scenarios: how many run at once and in which phases (schedule), who may
// have the target to itself around a restart (Turnstile), and progress replayed in run order (InOrder).
import type { Scenario } from '../scenario.js';
import { abortable } from './abort.js';
import type { ProgressEvent } from './types.js';

/**
 * Scenarios of one target run this many at a time (both targets run at once). A scenario spends most
 * of its time waiting (negative-observation windows, TTL sleeps, polling), not computing.
 */
export const SCENARIO_CONCURRENCY = 4;

/**
 * Runs every scenario once, up to SCENARIO_CONCURRENCY at a time: the 'first' ones, then the others in
 * list order, then the 'last' ones once all others have finished. None starts while a scenario waits
 * to have the target to itself (see Turnstile). `run` must not reject.
 */
export async function schedule(scenarios: Scenario[], turnstile: Turnstile, run: (index: number) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  const settle = async (atMost: number) => {
    while (running.size > atMost) await Promise.race(running);
  };
  const phase = (pick: (s: Scenario) => boolean) => scenarios.flatMap((s, i) => (pick(s) ? [i] : []));
  const phases = [[...phase((s) => s.runs === 'first'), ...phase((s) => s.runs === undefined)], phase((s) => s.runs === 'last')];
  for (const indexes of phases) {
    for (const index of indexes) {
      await settle(SCENARIO_CONCURRENCY - 1);
      await turnstile.enter();
      const p: Promise<void> = run(index).finally(() => {
        running.delete(p);
        turnstile.leave();
      });
      running.add(p);
    }
    await settle(0);
  }
}

/**
 * A target's scenarios run side by side, except around a restart, which kills every session: the
 * scenario that restarts waits until every other running scenario of the target has finished (or waits
 * to restart too), and no scenario starts in the meantime.
 */
export class Turnstile {
  private running = 0;
  /** Scenarios inside alone(), waiting or restarting: nobody starts while there are any. */
  private wanting = 0;
  /** Scenarios inside alone() still waiting for the target to themselves. */
  private waiting = 0;
  /** One alone() at a time. */
  private turn: Promise<void> = Promise.resolve();
  private wakers: Array<() => void> = [];

  /** Counts one more running scenario once none waits to be alone. */
  async enter(): Promise<void> {
    while (this.wanting > 0) await this.changed();
    this.running++;
  }

  leave(): void {
    this.running--;
    this.wake();
  }

  /** Runs `fn` once every other running scenario has finished or waits in alone() itself. */
  async alone<T>(fn: () => Promise<T>, signal: AbortSignal, errorOf: () => Error): Promise<T> {
    this.wanting++;
    this.waiting++;
    let waiting = true;
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise((resolve) => (release = resolve));
    try {
      await abortable(previous, signal, errorOf);
      while (this.running > this.waiting) await abortable(this.changed(), signal, errorOf);
      this.waiting--;
      waiting = false;
      return await fn();
    } finally {
      if (waiting) this.waiting--;
      this.wanting--;
      // Whoever is next must also wait for our predecessor when we gave up early.
      void previous.then(release);
      this.wake();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}

/**
 * Replays progress events in slot order: a slot's events are held until every earlier slot has ended,
 * so concurrent scenarios print exactly what a one-at-a-time run would print.
 */
export class InOrder {
  private readonly held: ProgressEvent[][];
  private readonly ended: boolean[];
  private head = 0;

  constructor(
    private readonly slots: number,
    private readonly emit: (e: ProgressEvent) => void,
  ) {
    this.held = Array.from({ length: slots }, () => []);
    this.ended = Array.from({ length: slots }, () => false);
  }

  push(slot: number, e: ProgressEvent): void {
    if (slot === this.head) this.emit(e);
    else this.held[slot]!.push(e);
  }

  end(slot: number): void {
    this.ended[slot] = true;
    while (this.head < this.slots && this.ended[this.head]) {
      this.head++;
      for (const e of this.held[this.head] ?? []) this.emit(e);
      if (this.head < this.slots) this.held[this.head] = [];
    }
  }
}
