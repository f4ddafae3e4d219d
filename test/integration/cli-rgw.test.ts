// `s3mu upload` of a 1 GiB file through the reference signer into Ceph RGW, with a proxy that
// resets connections; then a run killed at about half way and started again, which must send
// only the missing parts (plus those that were in flight). Objects are hashed as they stream back.
// Then smaller files killed at seeded random points (RESUME_SEED=<seed> reproduces a failure):
// run again with the same state, with an empty state, and after the upload was aborted on RGW.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  AbortMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import { randomBytes } from '../support/fake-s3';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { seededRandom } from '../support/resume-helpers';
import {
  listMultipartUploads,
  makeS3Client,
  type S3TestConfig,
  sha256Hex,
  signerConfigFor,
} from '../support/s3';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const ROOT = resolve(__dirname, '../..');
const s3Config: S3TestConfig = inject('s3');
let s3: S3Client;
let proxy: FaultProxy;
let app: FastifyInstance;
let signerUrl: string;
let dir: string;
let bigFile: string;
let bigSha: string;
const children = new Set<ChildProcess>();

/** 1 GiB of pseudo-random bytes: one random 16 MiB block, each copy stamped with its index. */
async function writeBigFile(path: string): Promise<string> {
  const block = Buffer.alloc(16 * MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let i = 0; i < SIZE / block.length; i += 1) {
    block.writeUInt32LE(i, 0);
    block.writeUInt32LE(i, block.length / 2);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error) => (e ? j(e) : r())));
  return hash.digest('hex');
}

async function streamedSha256(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: s3Config.bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function s3mu(args: string[], onStart?: (child: ChildProcess) => void): Promise<Run> {
  // `node --import tsx` runs the CLI in this very process (tsx's own CLI would fork a child
  // that a SIGKILL of the parent leaves running).
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  onStart?.(child);
  return new Promise((resolvePromise) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolvePromise({ code, signal, stdout, stderr });
    }),
  );
}

function partPuts(fromLogIndex: number): number[] {
  return proxy.log
    .slice(fromLogIndex)
    .filter(({ request }) => request.method === 'PUT' && /[?&]partNumber=\d+/.test(request.path))
    .map(({ request }) => Number(/[?&]partNumber=(\d+)/.exec(request.path)?.[1]));
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  dir = await mkdtemp(join(ROOT, '.tmp', 'cli-'));
  bigFile = join(dir, 'big.bin');
  bigSha = await writeBigFile(bigFile);
  proxy = await startFaultProxy({ target: s3Config.endpoint });
  const config = signerConfigFor({ ...s3Config, endpoint: proxy.url });
  app = buildSignerApp(config, { authenticate: () => 'cli-tests' });
  signerUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await app?.close();
  await proxy?.close();
  s3?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('s3mu upload (1 GiB, real RGW)', () => {
  it('ends byte-identical while the proxy resets connections', async () => {
    let n = 0;
    proxy.setPlan((request) => {
      if (request.method !== 'PUT') return null;
      n += 1;
      return n % 9 === 0 ? { kind: 'reset', afterBodyBytes: 3 * MiB } : null;
    });
    const started = Date.now();
    const run = await s3mu([
      'upload',
      bigFile,
      '--signer',
      signerUrl,
      '--json',
      '--state-dir',
      join(dir, 'state-a'),
    ]);
    const seconds = (Date.now() - started) / 1000;
    proxy.setPlan(() => null);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim());
    expect(result).toMatchObject({ size: SIZE, partCount: 128 });
    expect(result.etag).toMatch(/-128"?$/);
    expect(proxy.stats.faults.reset).toBeGreaterThanOrEqual(10);
    expect(await streamedSha256(result.key)).toBe(bigSha);
    console.log(
      `s3mu 1 GiB through proxy with ${proxy.stats.faults.reset} resets: ${seconds.toFixed(1)} s, ${(SIZE / MiB / seconds).toFixed(0)} MiB/s`,
    );
  }, 600_000);

  it('killed at about half way, run again, sends only the missing parts and ends byte-identical', async () => {
    const stateDir = join(dir, 'state-b');
    const logStart = proxy.log.length;
    const first = await s3mu(
      ['upload', bigFile, '--signer', signerUrl, '--json', '--state-dir', stateDir],
      (child) => {
        const timer = setInterval(() => {
          if (partPuts(logStart).length >= 64) {
            clearInterval(timer);
            child.kill('SIGKILL');
          }
        }, 20);
        child.on('close', () => clearInterval(timer));
      },
    );
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const [stateFile] = await readdir(stateDir);
    expect(stateFile, `no resume state was written; stderr: ${first.stderr}`).toBeDefined();
    const recorded = JSON.parse(await readFile(join(stateDir, stateFile as string), 'utf8'));
    expect(recorded.parts.length).toBeGreaterThan(0);

    const secondStart = proxy.log.length;
    const attemptedFirst = new Set(partPuts(logStart));
    const second = await s3mu(['upload', bigFile, '--signer', signerUrl, '--json', '--state-dir', stateDir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/Resuming .* parts already on S3/);
    const result = JSON.parse(second.stdout.trim());
    expect(result.key).toBe(recorded.key);
    const resent = partPuts(secondStart);
    // Only parts the first run never finished: those it never started, plus those in flight when killed.
    const neverStarted = 128 - attemptedFirst.size;
    console.log(
      `killed after ${attemptedFirst.size} parts were started (${recorded.parts.length} recorded locally); the second run sent ${resent.length} parts (${neverStarted} never started)`,
    );
    expect(resent.length).toBeLessThanOrEqual(neverStarted + 6);
    expect(new Set(resent).size).toBe(resent.length);
    expect(await streamedSha256(result.key)).toBe(bigSha);
    expect(await readdir(stateDir)).toEqual([]);
  }, 600_000);

  it('killed at about half way, run again on "another machine" (empty state), resumes from the server', async () => {
    const logStart = proxy.log.length;
    const first = await s3mu(
      ['upload', bigFile, '--signer', signerUrl, '--json', '--state-dir', join(dir, 'state-c')],
      (child) => {
        const timer = setInterval(() => {
          if (partPuts(logStart).length >= 64) {
            clearInterval(timer);
            child.kill('SIGKILL');
          }
        }, 20);
        child.on('close', () => clearInterval(timer));
      },
    );
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const attemptedFirst = new Set(partPuts(logStart));
    const secondStart = proxy.log.length;
    const second = await s3mu([
      'upload',
      bigFile,
      '--signer',
      signerUrl,
      '--json',
      '--state-dir',
      join(dir, 'state-d'),
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(
      /Resuming .*: Continuing the upload started elsewhere: \d+ parts already on S3/,
    );
    // Said once, not once by the reconciliation and again by the CLI.
    expect(second.stderr.match(/parts already on S3/g)).toHaveLength(1);
    const result = JSON.parse(second.stdout.trim());
    const resent = partPuts(secondStart);
    const neverStarted = 128 - attemptedFirst.size;
    console.log(
      `other machine: the first run started ${attemptedFirst.size} parts; the second sent ${resent.length} (${neverStarted} never started)`,
    );
    expect(resent.length).toBeLessThanOrEqual(neverStarted + 6);
    expect(await streamedSha256(result.key)).toBe(bigSha);
  }, 600_000);
});

/** The multipart upload the part PUTs logged since `fromLogIndex` went to (path-style URLs). */
function uploadPutTo(fromLogIndex: number): { key: string; uploadId: string } {
  const put = proxy.log
    .slice(fromLogIndex)
    .find(({ request }) => request.method === 'PUT' && /[?&]partNumber=/.test(request.path));
  expect(put, 'no part PUT was logged').toBeDefined();
  const url = new URL(put?.request.path as string, 'http://proxy');
  return {
    key: decodeURIComponent(url.pathname.slice(`/${s3Config.bucket}/`.length)),
    uploadId: url.searchParams.get('uploadId') as string,
  };
}

/** Part numbers RGW holds for an upload right now (one page: at most 1,000 parts). */
async function partsOnS3(key: string, uploadId: string): Promise<Set<number>> {
  const out = await s3.send(new ListPartsCommand({ Bucket: s3Config.bucket, Key: key, UploadId: uploadId }));
  return new Set((out.Parts ?? []).map((p) => p.PartNumber as number));
}

/**
 * Starts `s3mu upload` and SIGKILLs it once the proxy stalled the `stallAt`-th part PUT after
 * `afterBodyBytes` of its body: the other parts are wherever they are (finished, in flight).
 */
async function runUntilKilled(args: string[], stallAt: number, afterBodyBytes: number) {
  const logStart = proxy.log.length;
  const stallsBefore = proxy.stats.faults.stall;
  let puts = 0;
  proxy.setPlan((request) => {
    if (request.method !== 'PUT' || !/[?&]partNumber=/.test(request.path)) return null;
    puts += 1;
    return puts === stallAt ? { kind: 'stall', afterBodyBytes } : null;
  });
  const run = await s3mu(args, (child) => {
    const timer = setInterval(() => {
      if (proxy.stats.faults.stall > stallsBefore) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('close', () => clearInterval(timer));
  });
  proxy.setPlan(() => null);
  expect(run.signal, `the first run was not killed: ${run.stderr}`).toBe('SIGKILL');
  return { started: new Set(partPuts(logStart)), ...uploadPutTo(logStart) };
}

type CliVariant = 'same state' | 'empty state' | 'aborted';
const CLI_SEED = Number(process.env.RESUME_SEED ?? randomInt(2 ** 31));
const CLI_PART = 5 * MiB;

describe(`s3mu upload killed at random points (RESUME_SEED=${CLI_SEED})`, () => {
  const variants: CliVariant[] = ['same state', 'empty state', 'aborted'];
  it.each(variants.map((variant, index) => ({ variant, index })))(
    'run again ($variant): sends only what S3 lacks, byte-identical',
    async ({ variant, index }) => {
      onTestFailed(() => {
        console.error(`cli-rgw failed with RESUME_SEED=${CLI_SEED}; rerun with that variable to reproduce`);
      });
      const random = seededRandom(CLI_SEED + 104_729 * index);
      const size = 16 * MiB + Math.floor(random() * 24 * MiB);
      const partCount = Math.ceil(size / CLI_PART);
      const stallAt = 1 + Math.floor(random() * partCount);
      const partBytes = Math.min(CLI_PART, size - (stallAt - 1) * CLI_PART);
      // Half the points stop right at a part's start (after the earlier parts), half mid-part.
      const afterBodyBytes = random() < 0.5 ? 0 : 1 + Math.floor(random() * (partBytes - 1));
      const where = `seed ${CLI_SEED}: ${size} bytes (${partCount} parts), killed at PUT ${stallAt} after ${afterBodyBytes} body bytes`;
      const data = randomBytes(size, (CLI_SEED + index) >>> 0 || 1);
      const path = join(dir, `random-${CLI_SEED}-${index}.bin`);
      await writeFile(path, data);
      const first = join(dir, `random-${index}-first`);
      const upload = (stateDir: string) => [
        'upload',
        path,
        '--signer',
        signerUrl,
        '--json',
        '--part-size',
        '5',
        '--concurrency',
        '3',
        '--state-dir',
        stateDir,
      ];

      const killed = await runUntilKilled(upload(first), stallAt, afterBodyBytes);
      const { started } = killed;
      // Written on 'created', before any part is signed; a kill can still beat the write.
      const recorded = (await readdir(first).catch(() => [])).some((f) => f.endsWith('.upload.json'));
      if (variant === 'aborted') {
        await s3.send(
          new AbortMultipartUploadCommand({
            Bucket: s3Config.bucket,
            Key: killed.key,
            UploadId: killed.uploadId,
          }),
        );
      }
      const stored = variant === 'aborted' ? new Set<number>() : await partsOnS3(killed.key, killed.uploadId);
      const secondStart = proxy.log.length;
      const second = await s3mu(
        upload(variant === 'empty state' ? join(dir, `random-${index}-empty`) : first),
      );
      expect(second.code, `${where}: ${second.stderr}`).toBe(0);
      const result = JSON.parse(second.stdout.trim());
      const sent = partPuts(secondStart);
      const all = Array.from({ length: partCount }, (_, i) => i + 1);
      console.log(
        `s3mu ${variant}, ${where}: ${started.size} parts started, ${variant === 'aborted' ? 'upload aborted' : `${stored.size} on S3`}; the second run sent ${sent.length} (${sent.join(',')})`,
      );

      expect(new Set(sent).size, `${where}: a part was sent twice`).toBe(sent.length);
      if (variant === 'aborted') {
        // Restarted cleanly: with a notice when the state knew the upload (else nothing was known).
        if (recorded) expect(second.stderr, where).toMatch(/no longer exists on S3/);
        expect(second.stderr, where).not.toMatch(/Resuming/);
        expect(result.uploadId, where).not.toBe(killed.uploadId);
        expect(
          [...sent].sort((a, b) => a - b),
          where,
        ).toEqual(all);
      } else {
        expect(second.stderr, where).toMatch(/Resuming .*: \d+ parts already on S3/);
        expect(result.uploadId, where).toBe(killed.uploadId);
        // At most the parts never started plus those in flight: never one S3 already had.
        expect(
          sent.filter((p) => stored.has(p)),
          `${where}: parts S3 had were sent again`,
        ).toEqual([]);
        for (const part of all.filter((p) => !started.has(p)))
          expect(sent, `${where}: part ${part} was never sent`).toContain(part);
      }
      expect(result).toMatchObject({ size, partCount });
      expect(await streamedSha256(result.key), where).toBe(sha256Hex(data));
      expect(
        await listMultipartUploads(s3, s3Config.bucket, result.key),
        `${where}: uploads left behind`,
      ).toEqual([]);
      expect(await readdir(variant === 'empty state' ? join(dir, `random-${index}-empty`) : first)).toEqual(
        [],
      );
    },
    120_000,
  );
});
