// A limit on how long one bench step may take. A step that never settles (a CDP call to a stuck
// renderer, a socket nobody answers, a radosgw-admin waiting on its monitor) fails the run with
// the step's name instead of hanging the whole bench with nothing in the log.

/** The limit of a step that takes seconds when all is well (opening a page, aborting leftovers). */
export const STEP_MS = 60_000;

export class StepTimeout extends Error {
  constructor(
    readonly step: string,
    ms: number,
  ) {
    super(`${step} did not finish within ${Math.round(ms / 1000)} s`);
    this.name = 'StepTimeout';
  }
}

/** `work`, or a StepTimeout naming `step` once `ms` have passed (the work itself is left behind). */
export async function within<T>(ms: number, step: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(step, ms)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}
