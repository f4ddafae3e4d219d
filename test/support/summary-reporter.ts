// Prints one plain closing line per vitest run, "tests: N passed, N failed", that CI logs can be
// read by. When S3MU_CI_SUMMARY names a file (.ci/run sets it), it also appends one JSON line per
// run to that file: pass/fail counts and wall times of each project and each e2e file, which
// .ci/run prints as one table once every run is over.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** One suite of a run: a vitest project, or one file under test/e2e/. */
export interface SuiteRecord extends Counts {
  suite: string;
  /** From the first of its files starting to the last one ending (files of a project may overlap). */
  seconds: number;
}

/** One vitest run, one JSON line. */
export interface RunRecord extends Counts {
  command: string;
  reason: TestRunEndReason;
  unhandledErrors: number;
  seconds: number;
  suites: SuiteRecord[];
}

const E2E_DIR = 'test/e2e/';

function countTests(module: TestModule): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const tests = [...module.children.allTests()];
  for (const test of tests) {
    const state = test.result().state;
    if (state === 'passed') counts.passed += 1;
    else if (state === 'failed') counts.failed += 1;
    else counts.skipped += 1;
  }
  // A file that failed before any test was collected (import error, failing beforeAll) counts once.
  if (module.state() === 'failed' && tests.length === 0) counts.failed += 1;
  return counts;
}

function add(into: Counts, counts: Counts): void {
  into.passed += counts.passed;
  into.failed += counts.failed;
  into.skipped += counts.skipped;
}

export default class SummaryReporter implements Reporter {
  private readonly startedAt = Date.now();
  /** Wall clock of each file: when it started and ended, by module id. */
  private readonly spans = new Map<string, { start: number; end: number }>();

  onTestModuleStart(module: TestModule): void {
    this.spans.set(module.moduleId, { start: Date.now(), end: Date.now() });
  }

  onTestModuleEnd(module: TestModule): void {
    const span = this.spans.get(module.moduleId);
    if (span) span.end = Date.now();
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
    reason: TestRunEndReason = 'passed',
  ): void {
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const projects = new Map<string, { counts: Counts; start: number; end: number }>();
    const e2e: SuiteRecord[] = [];
    for (const module of testModules) {
      const counts = countTests(module);
      add(total, counts);
      const span = this.spans.get(module.moduleId);
      const name = module.project.name || 'default';
      const project = projects.get(name) ?? {
        counts: { passed: 0, failed: 0, skipped: 0 },
        start: Number.POSITIVE_INFINITY,
        end: Number.NEGATIVE_INFINITY,
      };
      add(project.counts, counts);
      if (span) {
        project.start = Math.min(project.start, span.start);
        project.end = Math.max(project.end, span.end);
      }
      projects.set(name, project);
      if (module.relativeModuleId.startsWith(E2E_DIR)) {
        const seconds = span ? (span.end - span.start) / 1000 : 0;
        e2e.push({ suite: `e2e ${module.relativeModuleId.slice(E2E_DIR.length)}`, ...counts, seconds });
      }
    }
    process.stdout.write(
      `\ntests: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}\n`,
    );

    const file = process.env.S3MU_CI_SUMMARY;
    if (!file) return;
    const suites: SuiteRecord[] = [...projects].map(([name, p]) => ({
      suite: `project ${name}`,
      ...p.counts,
      seconds: p.end > p.start ? (p.end - p.start) / 1000 : 0,
    }));
    suites.push(...e2e.sort((a, b) => a.suite.localeCompare(b.suite)));
    const record: RunRecord = {
      command: `vitest ${process.argv.slice(2).join(' ')}`,
      reason,
      unhandledErrors: unhandledErrors.length,
      seconds: (Date.now() - this.startedAt) / 1000,
      ...total,
      suites,
    };
    try {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${JSON.stringify(record)}\n`);
    } catch (error) {
      // The summary is a convenience: never let it change the run's outcome.
      process.stderr.write(`summary-reporter: could not write ${file}: ${error}\n`);
    }
  }
}
