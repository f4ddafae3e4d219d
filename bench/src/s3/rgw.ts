// A throwaway Ceph RGW from the repository's scripts/rgw-up.sh (installs Ceph with apt if
// missing, needs root), stopped and deleted by scripts/rgw-down.sh when the bench ends. With
// S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY set, that S3 is used instead.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cleanup } from '../cleanup';
import { log } from '../log';
import { freePort } from '../net-util';
import { BENCH_BUCKET, type S3Target } from './target';

/** `radosgw-admin gc process` after a run takes a second or two; past this it is stuck. */
const GC_TIMEOUT_MS = 60_000;

const REPO = resolve(new URL('../../..', import.meta.url).pathname);

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command`; killed (and reported as failed) if it has not ended after `timeoutMs`. */
function spawnCollect(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 0,
): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            stderr += `\n${command} killed: no exit after ${Math.round(timeoutMs / 1000)} s`;
            child.kill('SIGKILL');
          }, timeoutMs)
        : undefined;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return spawnCollect('bash', [join(REPO, 'scripts', script), ...args], env);
}

function fromEnv(): S3Target | undefined {
  const { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION } = process.env;
  if (!S3_ENDPOINT || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) return undefined;
  return {
    id: 'rgw',
    description: `S3 at ${S3_ENDPOINT} (from S3_ENDPOINT)`,
    endpoint: S3_ENDPOINT,
    region: S3_REGION || 'us-east-1',
    bucket: BENCH_BUCKET,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    listsUploads: true,
  };
}

async function cephVersion(): Promise<string> {
  const out = await spawnCollect('radosgw', ['--version']);
  return /ceph version (\S+)/.exec(out.stdout)?.[1] ?? 'unknown';
}

export async function startRgw(cleanup: Cleanup): Promise<S3Target> {
  const given = fromEnv();
  if (given) return given;
  // Short path: Ceph's admin sockets live under it and unix socket paths are limited.
  const dir = await mkdtemp(join(tmpdir(), 'bench-rgw-'));
  cleanup.add('Ceph RGW', async () => {
    const down = await run('rgw-down.sh', [dir, '--kill', '--purge'], process.env);
    if (down.code !== 0) log(`rgw-down.sh failed: ${down.stderr.slice(-500)}`);
  });
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    let monPort = await freePort();
    while (monPort === port) monPort = await freePort();
    log(`starting Ceph RGW on 127.0.0.1:${port} (scripts/rgw-up.sh)…`);
    const up = await run('rgw-up.sh', [dir, String(port)], {
      ...process.env,
      MON_PORT: String(monPort),
      // Room for a few 256 MiB objects and a failed contender's parts; objects are deleted after each check.
      MEMSTORE_BYTES: String(8 * 1024 ** 3),
    });
    const line = up.stdout.split('\n').find((l) => l.startsWith('S3_ENDPOINT='));
    if (up.code === 0 && line) {
      const env = Object.fromEntries(
        line
          .trim()
          .split(/\s+/)
          .map((kv) => kv.split('=', 2) as [string, string]),
      );
      return {
        id: 'rgw',
        description: `Ceph RGW ${await cephVersion()} (memstore, loopback)`,
        endpoint: env.S3_ENDPOINT as string,
        region: 'us-east-1',
        bucket: BENCH_BUCKET,
        accessKeyId: env.S3_ACCESS_KEY_ID as string,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
        listsUploads: true,
        reclaim: async () => {
          // Bounded: a radosgw-admin that waits on its monitor must not stall the bench.
          const gc = await spawnCollect(
            'radosgw-admin',
            ['-c', join(dir, 'ceph.conf'), 'gc', 'process', '--include-all'],
            process.env,
            GC_TIMEOUT_MS,
          );
          if (gc.code !== 0) log(`radosgw-admin gc process failed: ${gc.stderr.slice(-300)}`);
        },
      };
    }
    lastError = up.stderr.slice(-3000);
    if (!/already in use/.test(up.stderr)) break;
  }
  throw new Error(`could not start Ceph RGW:\n${lastError}`);
}
