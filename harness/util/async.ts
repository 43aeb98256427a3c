// Promise helpers used across the harness: waiting a while, and giving up on a promise after a while.

/** The longest delay a Node timer can hold; a larger one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with p's value, or with undefined once `ms` have passed (p keeps running). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
