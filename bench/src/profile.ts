// npm --prefix bench run profile: one contender (BENCH_PROFILE_CONTENDER, default ours) uploads
// once over loopback to Ceph RGW with an unminified page and a CPU profile of its main thread;
// prints the long tasks, the functions with the most self time and the NetLog time breakdown.
// BENCH_PROFILE_FILES=n: its many-files page instead, with n files of BENCH_SMALL_KIB (100) KiB;
// BENCH_PROFILE_OUT=<path>: also write the .cpuprofile there; BENCH_PROFILE_TOP=n: functions listed
// (15); BENCH_PROFILE_CPU=0: no sampling profiler (it slows the page), only main-thread totals.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './browser/chromium';
import { busyMs, topFunctions } from './browser/cpu-profile';
import { originRequests, readNetLog } from './browser/netlog';
import { s3RunRequests } from './browser/netlog-analysis';
import { runOnce } from './browser/run-once';
import { timeline } from './browser/timeline';
import { buildBundle } from './bundles';
import { Cleanup } from './cleanup';
import { BROWSER_CONNECTIONS_PER_HOST, loadConfig, MiB } from './config';
import { CONTENDER_IDS, type ContenderId, pageName } from './contenders';
import { makeTestFile, makeTestFiles, type TestFile } from './files';
import { log } from './log';
import { prepareBucket, s3ClientFor } from './s3/admin';
import { startRgw } from './s3/rgw';
import { servePages } from './servers/page-server';
import { startStack } from './stack';

async function main(): Promise<void> {
  const config = loadConfig();
  const id = (process.env.BENCH_PROFILE_CONTENDER ?? 'ours') as ContenderId;
  if (!CONTENDER_IDS.includes(id)) throw new Error(`unknown contender ${id}`);
  const sampling = process.env.BENCH_PROFILE_CPU !== '0';
  const fileCount = Number(process.env.BENCH_PROFILE_FILES ?? 0);
  const manyFiles = fileCount > 0;
  // Many files go 6 at a time, as in the many-small scenario.
  const concurrency = manyFiles ? BROWSER_CONNECTIONS_PER_HOST : config.concurrency;
  const size = manyFiles
    ? Math.round(Number(process.env.BENCH_SMALL_KIB ?? 100) * 1024)
    : Math.round(Number(process.env.BENCH_SIZE_MIB ?? 256) * MiB);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const work = await mkdtemp(join(tmpdir(), 'bench-profile-'));
    cleanup.add('files', () => rm(work, { recursive: true, force: true }));
    const files: TestFile[] = manyFiles
      ? await makeTestFiles(join(work, 'many'), fileCount, size)
      : [await makeTestFile(work, size)];
    const totalBytes = size * files.length;
    const page = pageName(id, manyFiles);
    const pages = await servePages(
      new Map([[page, (await buildBundle(id, { readable: true, manyFiles })).pageJs]]),
    );
    cleanup.add('page server', () => pages.close());
    const target = await startRgw(cleanup);
    const admin = s3ClientFor(target);
    await prepareBucket(admin, target.bucket);
    const stack = await startStack(cleanup, target, { kind: 'direct' }, pages.origin, [id]);
    const route = stack.routeFor(id);
    const netLogPath = join(work, 'netlog.json');
    const browser = await launchChromium(config.chromiumPath, netLogPath);
    const closeBrowser = cleanup.add('Chromium', () => browser.close());
    const measure = await runOnce({
      browser,
      pageUrl: `${pages.origin}/${page}.html`,
      filePaths: files.map((f) => f.path),
      link: { kind: 'direct' },
      timeoutMs: 600_000,
      cpuProfile: sampling,
      mainThread: true,
      input: {
        signerUrl: route.signerUrl,
        auxUrl: stack.auxUrl,
        s3: {
          endpoint: stack.s3Endpoint,
          bucket: target.bucket,
          region: target.region,
          accessKeyId: target.accessKeyId,
          secretAccessKey: target.secretAccessKey,
        },
        key: `bench/profile/${id}-${Date.now()}${manyFiles ? '' : '.bin'}`,
        partSize: config.partSize,
        concurrency,
      },
    });
    await closeBrowser();
    if (!measure.page.ok) throw new Error(measure.page.error);
    const result = measure.page;
    console.log(
      `${id}: ${(totalBytes / 1e6 / (result.ms / 1000)).toFixed(1)} MB/s, ${files.length} × ${(size / 1024).toFixed(0)} KiB in ${result.ms.toFixed(0)} ms`,
    );
    console.log(
      `long tasks: ${result.longTasks.tasks.map((t) => `${t.ms} ms at ${t.at} ms`).join(', ') || 'none'}`,
    );
    const main = measure.mainThread;
    if (main)
      console.log(`main thread: tasks ${main.taskMs.toFixed(0)} ms, script ${main.scriptMs.toFixed(0)} ms`);
    const profile = measure.cpuProfile ?? { nodes: [] };
    // For DevTools' Performance panel, or per-line ticks (nodes[].positionTicks).
    if (process.env.BENCH_PROFILE_OUT)
      await writeFile(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
    console.log(`main thread busy: ${busyMs(profile).toFixed(0)} ms; self time:`);
    for (const f of topFunctions(profile, Number(process.env.BENCH_PROFILE_TOP ?? 15)))
      console.log(`  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.name}`);
    const log = await readNetLog(netLogPath);
    const { start, end } = measure.window;
    const s3Origins = route.s3Endpoints.map((e) => new URL(e).origin);
    const s3 = s3RunRequests(
      log.requests,
      s3Origins,
      target.bucket,
      result.keys[0] ?? '',
      measure.window,
      manyFiles,
    );
    const signer = originRequests(log.requests, new URL(route.signerUrl).origin, start, end);
    console.log('time breakdown:', JSON.stringify(timeline(s3, signer, concurrency, manyFiles)));
    await stack.close();
    admin.destroy();
  } finally {
    await cleanup.stopAll();
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
