// Prints .ci/run's closing summary from the JSON lines test/support/summary-reporter.ts appends
// per vitest run: suites with counts and times, the failing step, and the time against the budget.
// Plain Node (no dependencies): it must run even when `npm ci` failed.
// Usage: node scripts/ci-summary.mjs SUMMARY_FILE STEP EXIT_CODE ELAPSED_S BUDGET_S
import fs from 'node:fs';

const [file, step, code, elapsed, budget] = process.argv.slice(2);
const runs = [];
for (const line of (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n')) {
  if (!line.trim()) continue;
  try {
    runs.push(JSON.parse(line));
  } catch {
    console.log(`ci: unreadable summary line: ${line.slice(0, 80)}`);
  }
}
const pad = (s, n) => String(s).padEnd(n);
const num = (s, n) => String(s).padStart(n);
const row = (name, c, seconds) =>
  `  ${pad(name, 46)}${num(c.passed, 7)}${num(c.failed, 7)}${num(c.skipped, 8)}${num(`${seconds.toFixed(1)} s`, 10)}`;
console.log('\n== ci summary ==');
const total = { passed: 0, failed: 0, skipped: 0 };
runs.forEach((run, i) => {
  const errors = run.unhandledErrors ? `, ${run.unhandledErrors} unhandled errors` : '';
  console.log(`run ${i + 1}: ${run.command} → ${run.reason}${errors}, ${run.seconds.toFixed(1)} s`);
  console.log(
    `  ${pad('suite', 46)}${num('passed', 7)}${num('failed', 7)}${num('skipped', 8)}${num('wall', 10)}`,
  );
  for (const s of run.suites)
    console.log(row(s.suite.startsWith('e2e ') ? `  ${s.suite}` : s.suite, s, s.seconds));
  for (const k of Object.keys(total)) total[k] += run[k];
});
if (runs.length === 0) console.log('no vitest run reported');
console.log(`all runs: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (code !== '0') {
  const failedRun = runs.findIndex((r) => r.reason !== 'passed' || r.failed > 0 || r.unhandledErrors > 0);
  const where =
    step !== 'npm test'
      ? ''
      : failedRun >= 0
        ? `: vitest run ${failedRun + 1} (${runs[failedRun].command})`
        : `: a step outside the ${runs.length} vitest run(s) reported above (typecheck, lint, build, size, build-storybook), or a vitest run that crashed before reporting; see the log above`;
  console.log(`FAILED step: ${step} (exit ${code})${where}`);
}
const over = Number(elapsed) > Number(budget) ? ` — over the ${Number(budget) / 60}-minute budget` : '';
console.log(`ci: finished in ${elapsed} s (budget ${budget} s)${over}`);
