// npm --prefix bench run profile: one contender (BENCH_PROFILE_CONTENDER, default ours) uploads
// once over loopback to Ceph RGW with an unminified page and a CPU profile of its main thread;
// prints the long tasks, the functions with the most self time and the NetLog time breakdown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './browser/chromium';
import { topFunctions } from './browser/cpu-profile';
import { objectRequests, originRequests, readNetLog } from './browser/netlog';
import { runOnce } from './browser/run-once';
import { timeline } from './browser/timeline';
import { buildBundle } from './bundles';
import { Cleanup } from './cleanup';
import { loadConfig, MiB } from './config';
import { CONTENDER_IDS, type ContenderId } from './contenders';
import { makeTestFile } from './files';
import { log } from './log';
import { prepareBucket, s3ClientFor } from './s3/admin';
import { startRgw } from './s3/rgw';
import { servePages } from './servers/page-server';
import { startStack } from './stack';

async function main(): Promise<void> {
  const config = loadConfig();
  const id = (process.env.BENCH_PROFILE_CONTENDER ?? 'ours') as ContenderId;
  if (!CONTENDER_IDS.includes(id)) throw new Error(`unknown contender ${id}`);
  const size = Math.round(Number(process.env.BENCH_SIZE_MIB ?? 256) * MiB);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const work = await mkdtemp(join(tmpdir(), 'bench-profile-'));
    cleanup.add('files', () => rm(work, { recursive: true, force: true }));
    const file = await makeTestFile(work, size);
    const pages = await servePages(new Map([[id, (await buildBundle(id, { readable: true })).pageJs]]));
    cleanup.add('page server', () => pages.close());
    const target = await startRgw(cleanup);
    const admin = s3ClientFor(target);
    await prepareBucket(admin, target.bucket);
    const stack = await startStack(cleanup, target, { kind: 'direct' }, pages.origin);
    const netLogPath = join(work, 'netlog.json');
    const browser = await launchChromium(config.chromiumPath, netLogPath);
    const closeBrowser = cleanup.add('Chromium', () => browser.close());
    const measure = await runOnce({
      browser,
      pageUrl: `${pages.origin}/${id}.html`,
      filePaths: [file.path],
      link: { kind: 'direct' },
      timeoutMs: 600_000,
      cpuProfile: true,
      input: {
        signerUrl: stack.signerUrl,
        auxUrl: stack.auxUrl,
        s3: {
          endpoint: stack.s3Endpoint,
          bucket: target.bucket,
          region: target.region,
          accessKeyId: target.accessKeyId,
          secretAccessKey: target.secretAccessKey,
        },
        key: `bench/profile/${id}-${Date.now()}.bin`,
        partSize: config.partSize,
        concurrency: config.concurrency,
      },
    });
    await closeBrowser();
    if (!measure.page.ok) throw new Error(measure.page.error);
    const { page } = measure;
    console.log(`${id}: ${(size / 1e6 / (page.ms / 1000)).toFixed(1)} MB/s, ${(size / MiB).toFixed(0)} MiB`);
    console.log(
      `long tasks: ${page.longTasks.tasks.map((t) => `${t.ms} ms at ${t.at} ms`).join(', ') || 'none'}`,
    );
    console.log('main thread, self time:');
    for (const f of topFunctions(measure.cpuProfile ?? { nodes: [] }, 15))
      console.log(`  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.name}`);
    const log = await readNetLog(netLogPath);
    const key = page.keys[0] ?? '';
    const s3 = objectRequests(log.requests, new URL(stack.s3Endpoint).origin, target.bucket, key);
    const signer = originRequests(
      log.requests,
      new URL(stack.signerUrl).origin,
      measure.window.start,
      measure.window.end,
    );
    console.log('time breakdown:', JSON.stringify(timeline(s3, signer, config.concurrency)));
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
