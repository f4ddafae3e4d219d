// One scenario across the repetitions: each repetition gets a fresh browser (with its own NetLog)
// and fresh servers; in it every contender uploads the same file(s) once, round robin, starting one
// contender later each repetition. Contenders under a quarter of the reference's speed run once.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './browser/chromium';
import { readNetLog } from './browser/netlog';
import { analyseNetLog } from './browser/netlog-analysis';
import { type Scenario, scenarioContenders } from './config';
import { CONTENDERS, type ContenderId } from './contenders';
import type { ScenarioContext } from './context';
import { StepTimeout, within } from './deadline';
import type { TestFile } from './files';
import { log } from './log';
import { hostsSummary } from './report';
import type { RunRecord, ScenarioResult } from './results';
import { failedRun, runContender } from './run-contender';
import type { S3Target } from './s3/target';
import { startStack } from './stack';
import { spread } from './stats';
import { isSlow, summarize } from './summary';

/** Chromium closes in a second; one that does not is stuck, and the run goes on without it. */
const CLOSE_BROWSER_MS = 20_000;

/** Where the bytes went, when more than one S3 host carried some: ", S3 hosts: …". */
function hostsCarried(record: RunRecord): string {
  const hosts = hostsSummary(record.s3Hosts);
  return hosts ? `, S3 hosts: ${hosts}` : '';
}

export class ScenarioRun {
  readonly ids: ContenderId[];
  private readonly runs: Map<ContenderId, RunRecord[]>;
  private readonly skipped: Map<ContenderId, number>;
  private readonly once = new Set<ContenderId>();
  /** Wall time of each contender's last run (page set-up, upload, read-back check). */
  private readonly lastMs = new Map<ContenderId, number>();
  private readonly loadAtStart = loadavg()[0] ?? 0;
  chromium = 'unknown';

  constructor(
    private readonly ctx: ScenarioContext,
    readonly scenario: Scenario,
    private readonly target: S3Target,
    private readonly files: TestFile[],
  ) {
    this.ids = scenarioContenders(scenario, ctx.config);
    this.runs = new Map(this.ids.map((id) => [id, []]));
    this.skipped = new Map(this.ids.map((id) => [id, 0]));
  }

  /** Contenders a further repetition would run. */
  private repeating(): ContenderId[] {
    return this.ids.filter((id) => !this.once.has(id));
  }

  /** Time the next repetition should take, judging by the last one. */
  nextRepetitionMs(): number {
    return this.repeating().reduce((sum, id) => sum + (this.lastMs.get(id) ?? 0), 0);
  }

  skipRepetition(): void {
    for (const id of this.repeating()) this.skipped.set(id, (this.skipped.get(id) ?? 0) + 1);
  }

  async runRepetition(repetition: number): Promise<void> {
    const { ctx, scenario, target, files } = this;
    if (ctx.budget.expired()) {
      log(`time budget spent: skipping ${scenario.id} #${repetition} (BENCH_BUDGET_S=0 runs all)`);
      this.skipRepetition();
      return;
    }
    log(`${scenario.id} #${repetition}: ${scenario.title}`);
    const netLogPath = join(ctx.workDir, `netlog-${scenario.id}-${repetition}.json`);
    const browser = await launchChromium(ctx.config.chromiumPath, netLogPath);
    const closeBrowser = ctx.cleanup.add('Chromium', () =>
      within(CLOSE_BROWSER_MS, 'closing Chromium', browser.close()),
    );
    this.chromium = browser.version();
    const done: RunRecord[] = [];
    const slots = new Map<RunRecord, number>();
    let origins = { s3: [] as string[], signers: [] as string[] };
    try {
      const stack = await startStack(ctx.cleanup, target, scenario.link, ctx.pageOrigin, this.ids);
      origins = { s3: stack.s3Endpoints.map((e) => new URL(e).origin), signers: stack.signerOrigins };
      try {
        const ids = this.ids;
        const shift = (repetition - 1) % ids.length;
        let stuck = false;
        for (const id of [...ids.slice(shift), ...ids.slice(0, shift)]) {
          if (this.once.has(id)) continue;
          if (stuck) {
            log(`  skipping ${id}: a step of this repetition hung, its browser is being replaced`);
            this.skipped.set(id, (this.skipped.get(id) ?? 0) + 1);
            continue;
          }
          if (ctx.budget.expired()) {
            log(`  time budget spent: skipping ${id} (BENCH_BUDGET_S=0 runs all)`);
            this.skipped.set(id, (this.skipped.get(id) ?? 0) + 1);
            continue;
          }
          const began = Date.now();
          let record: RunRecord;
          try {
            record = await runContender(ctx, browser, scenario, target, stack, files, id, repetition);
          } catch (error) {
            record = failedRun(repetition, `bench/${scenario.id}/${id}/${repetition}`, error);
            stuck = error instanceof StepTimeout;
          }
          this.lastMs.set(id, Date.now() - began);
          this.runs.get(id)?.push(record);
          done.push(record);
          const inFlight = CONTENDERS[id].partsInFlight;
          if (inFlight !== undefined && files.length === 1) slots.set(record, inFlight);
          if (repetition === 1 && !ctx.config.repeatSlow && isSlow(record, this.runs)) this.once.add(id);
          log(
            `  ${id.padEnd(17)} ${record.ok ? `${record.mbps.toFixed(1)} MB/s` : `FAILED: ${record.error}`}` +
              ` (long tasks ${Math.round(record.longTaskMs)} ms, signer requests ${record.signerRequests.total}${hostsCarried(record)})`,
          );
        }
      } finally {
        await stack.close();
      }
    } finally {
      // The NetLog is complete once the browser has shut down.
      await closeBrowser();
    }
    const concurrency = scenario.concurrency ?? ctx.config.concurrency;
    const slotsOf = (record: RunRecord) => slots.get(record) ?? concurrency;
    analyseNetLog(await readNetLog(netLogPath), origins, target.bucket, slotsOf, done);
  }

  result(): ScenarioResult {
    const referenceRuns = this.runs.get('reference')?.filter((r) => r.ok) ?? [];
    const referenceMbps = spread(referenceRuns.map((r) => r.mbps))?.median ?? null;
    return {
      scenario: this.scenario,
      target: this.target.description,
      loadAverage: { start: this.loadAtStart, end: loadavg()[0] ?? 0 },
      rows: this.ids.map((id) =>
        summarize(
          this.ctx,
          this.scenario,
          id,
          this.runs.get(id) ?? [],
          this.skipped.get(id) ?? 0,
          this.once.has(id),
          referenceMbps,
        ),
      ),
    };
  }
}
