// The result as Markdown tables (stdout, bench/README.md) and as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isManyFiles, MB, type Scenario } from './config';
import type { BenchResult, Row, S3HostFigures, ScenarioResult } from './results';

const KiB = 1024;
const MiB = 1024 * 1024;

function mbps(row: Row): string {
  if (row.runs.length === 0 && row.skippedRuns > 0) return 'skipped (time budget)';
  if (!row.mbps) return 'FAILED';
  const { median, min, max } = row.mbps;
  const range = min === max ? '' : ` (${min.toFixed(1)}–${max.toFixed(1)})`;
  const once = row.ranOnce ? ' (1 run: < ¼ of the reference)' : '';
  return `${row.ok ? '' : 'FAILED '}${median.toFixed(1)}${range}${once}`;
}

/** Many files: wall time and files/s (of the median run's speed) before MB/s. */
function speedCells(row: Row, scenario: Scenario): string[] {
  if (!isManyFiles(scenario)) return [mbps(row)];
  if (!row.mbps) return ['–', '–', mbps(row)];
  const files = scenario.fileCount ?? 1;
  const seconds = (files * scenario.sizeBytes) / MB / row.mbps.median;
  return [seconds.toFixed(1), (files / seconds).toFixed(0), mbps(row)];
}

function requests(r: { total: number; preflights: number } | undefined): string {
  if (!r) return '–';
  return r.preflights ? `${r.total} (${r.preflights} preflight)` : String(r.total);
}

/** The label with the version of the contender's main package (this library's is in the header). */
function label(row: Row): string {
  const [main] = Object.entries(row.versions);
  if (!main || main[0] === 's3-multipart-uploader') return row.label;
  return `${row.label} (${main[1]})`;
}

/** The run whose long-task total is the median one. */
function medianLongTaskRun(row: Row) {
  const sorted = [...row.runs].sort((a, b) => a.longTaskMs - b.longTaskMs);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function bundleSize(row: Row): string {
  const total = (row.bundleGzipBytes / KiB).toFixed(1);
  const initial = (row.bundleInitialGzipBytes / KiB).toFixed(1);
  return total === initial ? total : `${total} (${initial} before the first upload)`;
}

/** Page peak (+ growth over its baseline); workers' peak after a slash where any ran. */
function heapCell(row: Row): string {
  if (row.heapPeakBytes === null) return '–';
  const page = `${(row.heapPeakBytes / MiB).toFixed(0)} (+${((row.heapGrowthBytes ?? 0) / MiB).toFixed(0)})`;
  const workers = row.workersHeapPeakBytes ?? 0;
  return workers > 0 ? `${page} / ${(workers / MiB).toFixed(0)}` : page;
}

function rowLine(row: Row, scenario: Scenario): string {
  const last = row.runs.findLast((r) => r.ok) ?? row.runs.at(-1);
  const median = medianLongTaskRun(row);
  const longTasks = median ? `${Math.round(median.longTaskMs)} ms (${median.longTasks})` : '–';
  const cells = [
    label(row),
    ...speedCells(row, scenario),
    row.ratioToReference === null ? '–' : row.ratioToReference.toFixed(2),
    longTasks,
    heapCell(row),
    requests(last?.signerRequests),
    requests(last?.s3Requests),
    bundleSize(row),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function scenarioTable(result: ScenarioResult): string {
  const { scenario } = result;
  const lines = [
    `### ${scenario.title}`,
    '',
    `${result.target}; ${scenario.runs} run(s) per contender, interleaved; MB/s = 10^6 bytes/s, median (min–max); ` +
      `load average ${result.loadAverage.start.toFixed(1)} → ${result.loadAverage.end.toFixed(1)} on this machine.`,
    '',
    `| contender | ${isManyFiles(scenario) ? 'wall s | files/s | ' : ''}MB/s | × reference | main-thread long tasks (count), median run | peak JS heap MiB: page (+ over baseline) / workers | signer requests | S3 requests | gzip KiB |`,
    `|---|${isManyFiles(scenario) ? '---|---|' : ''}---|---|---|---|---|---|---|`,
    ...result.rows.map((row) => rowLine(row, scenario)),
  ];
  const failures = result.rows.filter((r) => !r.ok && r.runs.length > 0);
  const skipped = result.rows.filter((r) => r.skippedRuns > 0);
  if (skipped.length) {
    lines.push(
      '',
      `Time budget: ${skipped.map((r) => `${r.contender} ${r.runs.length}/${r.runs.length + r.skippedRuns}`).join(', ')} runs done (BENCH_BUDGET_S=0 runs all).`,
    );
  }
  const spread = result.rows.flatMap((row) => {
    const hosts = hostsLine(row);
    return hosts ? [`- ${row.label}: ${hosts}`] : [];
  });
  if (spread.length) {
    lines.push(
      '',
      'Parts over several S3 hosts (last run; PUTs, and what went through each host):',
      ...spread,
    );
  }
  if (failures.length) {
    lines.push('', ...failures.map((r) => `- ${r.label} FAILED: ${r.failure ?? 'no run'}`));
  }
  return lines.join('\n');
}

/** The PUTs of the row's last good run per S3 host, when they went to more than one. */
function hostsLine(row: Row): string | undefined {
  return hostsSummary(row.runs.findLast((r) => r.ok)?.s3Hosts);
}

/**
 * What each S3 host of a run carried (PUTs from the NetLog; bytes and connections through its
 * pacing proxy), when more than one carried any; undefined otherwise.
 */
export function hostsSummary(hosts: Record<string, S3HostFigures> | undefined): string | undefined {
  const used = Object.entries(hosts ?? {}).filter(([, h]) => h.puts > 0 || (h.bytesUp ?? 0) > 0);
  if (used.length < 2) return undefined;
  return used
    .map(([origin, h]) => {
      const puts = h.puts > 0 ? ` ${h.puts} PUTs` : '';
      const proxy =
        h.bytesUp === undefined ? '' : ` (${(h.bytesUp / MB).toFixed(1)} MB, ${h.connections} connections)`;
      return `${new URL(origin).host}${puts}${proxy}`;
    })
    .join(', ');
}

/** The run closest to the median speed of a row. */
function medianRun(row: Row) {
  const good = row.runs.filter((r) => r.ok && r.timeline);
  if (!good.length || !row.mbps) return undefined;
  const target = row.mbps.median;
  return good.reduce((best, r) => (Math.abs(r.mbps - target) < Math.abs(best.mbps - target) ? r : best));
}

export function timeTable(result: ScenarioResult): string {
  // Many files: each file is one PUT, counted as a part.
  const part = isManyFiles(result.scenario) ? 'file' : 'part';
  const lines = [
    `Where the time goes (${result.scenario.id}; the run nearest the median; from Chromium's NetLog):`,
    '',
    `| contender | setup ms | ${part}s | slot idle before a ${part}, ms | preflight ms | ${part} PUT ms | slots carrying a body | tail ms | signer calls (mean ms) |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of result.rows) {
    const t = medianRun(row)?.timeline;
    if (!t) continue;
    lines.push(
      `| ${row.label} | ${Math.round(t.setupMs)} | ${t.parts} | ${t.meanSlotIdleMs.toFixed(1)} | ${t.meanPreflightMs.toFixed(1)} | ` +
        `${Math.round(t.meanPutMs)} | ${(t.slotUse * 100).toFixed(0)} % | ${Math.round(t.tailMs)} | ${t.signerCalls} (${t.meanSignerMs.toFixed(1)}) |`,
    );
  }
  return lines.length > 4 ? lines.join('\n') : '';
}

export function markdownReport(result: BenchResult): string {
  const machine = Object.entries(result.machine)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const versions = new Map<string, string>();
  for (const scenario of result.scenarios)
    for (const row of scenario.rows) {
      const packages = Object.entries(row.versions);
      if (packages.length)
        versions.set(row.contender, packages.map(([name, v]) => `${name} ${v}`).join(' + '));
    }
  return [
    `Measured ${result.date}; ${machine}; parts of ${result.settings.partSize / MiB} MiB, concurrency ${result.settings.concurrency}.`,
    '',
    `Versions: ${[...new Set(versions.values())].join('; ')}.`,
    '',
    ...result.scenarios.flatMap((s) => [scenarioTable(s), '', timeTable(s), '']),
  ].join('\n');
}

export async function writeJson(path: string, result: BenchResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
}
