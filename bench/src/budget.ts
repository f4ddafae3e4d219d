// Keeps the default run within its time budget (BENCH_BUDGET_S): a repetition after the first
// starts only if, at the pace of the scenario's last repetition, it ends before the deadline; once
// the deadline has passed, the remaining runs are skipped and reported as such.

export class Budget {
  private readonly deadline: number;

  constructor(seconds: number, start = Date.now()) {
    this.deadline = seconds > 0 ? start + seconds * 1000 : Number.POSITIVE_INFINITY;
  }

  expired(): boolean {
    return Date.now() > this.deadline;
  }

  /** Does work taking `ms` end before the deadline? */
  allows(ms: number): boolean {
    return Date.now() + ms <= this.deadline;
  }
}
