// npm run bench: uploads the same file(s) from headless Chromium with every contender, in every
// scenario, checks every object by SHA-256, prints the tables and writes bench/results/latest.json.
// Repetition 1 of every scenario runs first; further repetitions follow, scenario by scenario,
// while the time budget allows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Budget } from './budget';
import { buildBundle, type ContenderBundle } from './bundles';
import { Cleanup } from './cleanup';
import {
  type BenchConfig,
  isManyFiles,
  loadConfig,
  type Scenario,
  scenarioContenders,
  type TargetId,
} from './config';
import { type ContenderId, pageName } from './contenders';
import type { ScenarioContext } from './context';
import { makeTestFile, makeTestFiles, type TestFile } from './files';
import { log } from './log';
import { contenderVersions, machineInfo } from './machine';
import { markdownReport, writeJson } from './report';
import type { BenchResult } from './results';
import { prepareBucket, s3ClientFor } from './s3/admin';
import { startRgw } from './s3/rgw';
import { startS3rver } from './s3/s3rver';
import type { S3Target } from './s3/target';
import { ScenarioRun } from './scenario-runner';
import { servePages } from './servers/page-server';

async function startTarget(id: TargetId, cleanup: Cleanup): Promise<S3Target> {
  const target = id === 'rgw' ? await startRgw(cleanup) : await startS3rver(cleanup);
  const admin = s3ClientFor(target);
  try {
    await prepareBucket(admin, target.bucket);
  } finally {
    admin.destroy();
  }
  return target;
}

/** The pages the scenarios need, by page name (a contender's many-files page is another bundle). */
async function buildBundles(config: BenchConfig): Promise<Map<string, ContenderBundle>> {
  const pages = new Map<string, { id: ContenderId; manyFiles: boolean }>();
  for (const scenario of config.scenarios) {
    const manyFiles = isManyFiles(scenario);
    for (const id of scenarioContenders(scenario, config))
      pages.set(pageName(id, manyFiles), { id, manyFiles });
  }
  log(`building ${pages.size} contender bundles…`);
  const bundles = new Map<string, ContenderBundle>();
  for (const [name, { id, manyFiles }] of pages) bundles.set(name, await buildBundle(id, { manyFiles }));
  return bundles;
}

/** Each scenario's files: one shared file per size, or a set of its own for a many-files scenario. */
async function makeFiles(config: BenchConfig, workDir: string): Promise<Map<Scenario, TestFile[]>> {
  const bySize = new Map<number, TestFile>();
  const files = new Map<Scenario, TestFile[]>();
  for (const scenario of config.scenarios) {
    const { sizeBytes, fileCount } = scenario;
    if (fileCount !== undefined) {
      files.set(scenario, await makeTestFiles(join(workDir, scenario.id), fileCount, sizeBytes));
      continue;
    }
    let file = bySize.get(sizeBytes);
    if (!file) {
      file = await makeTestFile(workDir, sizeBytes);
      bySize.set(sizeBytes, file);
    }
    files.set(scenario, [file]);
  }
  return files;
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const budget = new Budget(config.budgetSeconds, started);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const bundles = await buildBundles(config);
    const workDir = await mkdtemp(join(tmpdir(), 'bench-files-'));
    cleanup.add('test files', () => rm(workDir, { recursive: true, force: true }));
    const files = await makeFiles(config, workDir);
    const pages = await servePages(new Map([...bundles].map(([name, b]) => [name, b.pageJs])));
    cleanup.add('page server', () => pages.close());
    const ctx: ScenarioContext = {
      workDir,
      pageOrigin: pages.origin,
      bundles,
      versions: contenderVersions([
        ...new Set(config.scenarios.flatMap((s) => scenarioContenders(s, config))),
      ]),
      config,
      cleanup,
      budget,
    };

    const targets = new Map<TargetId, S3Target>();
    const runs: ScenarioRun[] = [];
    for (const scenario of config.scenarios) {
      let target = targets.get(scenario.target);
      if (!target) {
        target = await startTarget(scenario.target, cleanup);
        targets.set(scenario.target, target);
      }
      const run = new ScenarioRun(ctx, scenario, target, files.get(scenario) ?? []);
      await run.runRepetition(1);
      runs.push(run);
    }
    const maxRuns = Math.max(...config.scenarios.map((s) => s.runs));
    for (let repetition = 2; repetition <= maxRuns; repetition++) {
      for (const run of runs.filter((r) => r.scenario.runs >= repetition)) {
        if (budget.allows(run.nextRepetitionMs())) {
          await run.runRepetition(repetition);
        } else {
          log(`time budget: skipping ${run.scenario.id} #${repetition} (BENCH_BUDGET_S=0 runs all)`);
          run.skipRepetition();
        }
      }
    }

    const result: BenchResult = {
      date: new Date().toISOString(),
      machine: machineInfo(runs[0]?.chromium ?? 'not started'),
      settings: { partSize: config.partSize, concurrency: config.concurrency },
      scenarios: runs.map((r) => r.result()),
    };
    await writeJson(config.outFile, result);
    process.stdout.write(`${markdownReport(result)}\n`);
    log(`done in ${Math.round((Date.now() - started) / 1000)} s; JSON in ${config.outFile}`);
  } finally {
    await cleanup.stopAll();
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
