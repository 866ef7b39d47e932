// A cheap wall-clock budget shared by the value helpers (equality, rendering, repr), so long
// loops inside one operation stop at the template's deadline instead of running on.

/** Thrown when an evaluation runs past its deadline or output bound inside a value helper. */
export class BudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetExceeded";
  }
}

let deadline = Number.POSITIVE_INFINITY;
let maxMs = 0;
let counter = 0;

/** Sets the deadline for the evaluation now starting; returns the previous one to restore. */
export function startBudget(ms: number): [number, number] {
  const previous: [number, number] = [deadline, maxMs];
  deadline = performance.now() + ms;
  maxMs = ms;
  counter = 0;
  return previous;
}

export function restoreBudget(previous: [number, number]): void {
  [deadline, maxMs] = previous;
}

/** Counts one unit of work; every 4096 units compares the clock with the deadline. */
export function tick(): void {
  if ((++counter & 4095) === 0 && performance.now() > deadline) {
    throw new BudgetExceeded(`Evaluation took longer than the limit of ${maxMs} ms`);
  }
}
