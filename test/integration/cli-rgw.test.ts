// `s3mu upload` of a 1 GiB file through the reference signer into Ceph RGW, with a proxy that
// resets connections; then a run killed at about half way and started again, which must send
// only the missing parts (plus those that were in flight). Objects are hashed as they stream back.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { makeS3Client, type S3TestConfig, signerConfigFor } from '../support/s3';

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
    expect(second.stderr).toMatch(/Continuing the upload started elsewhere: \d+ parts already on S3/);
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
