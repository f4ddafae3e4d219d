// `s3mu doctor` as a child process against the reference signer and Ceph RGW: a healthy setup,
// part URLs on a second hostname of RGW (and on a closed port), a bucket whose CORS hides ETag, a
// signer without the origin in its CORS, a wrong token, and no signer at all. After every run the
// test upload must be gone (aborted, never completed).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import type { SignerConfig } from '../../server-reference/config';
import {
  ensureBucket,
  listMultipartUploads,
  makeS3Client,
  type S3TestConfig,
  signerConfigFor,
} from '../support/s3';

const ROOT = resolve(__dirname, '../..');
const s3Config: S3TestConfig = inject('s3');
const ORIGIN = 'http://127.0.0.1:5999';
const TOKEN = 'doctor-token-0123456789abcdef';
const NO_ETAG_BUCKET = 'doctor-no-etag';
const OWNER = 'doctor-tests';
let s3: S3Client;
const apps: FastifyInstance[] = [];

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: 'pass' | 'warn' | 'fail'; message: string; fix?: string }[];
  skipped: { id: string; reason: string }[];
}

async function startSigner(overrides: Partial<SignerConfig>, bucket = s3Config.bucket): Promise<string> {
  const config = signerConfigFor(
    { ...s3Config, bucket },
    {
      allowedOrigins: [ORIGIN],
      auth: { mode: 'tokens', tokens: [{ token: TOKEN, owner: OWNER }] },
      ...overrides,
    },
  );
  const app = buildSignerApp(config);
  apps.push(app);
  return `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
}

/** A port on 127.0.0.1 that was free a moment ago (nothing listens on it). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function doctor(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'doctor', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1', S3MU_TOKEN: '', S3MU_SIGNER: '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

async function doctorJson(args: string[]): Promise<{ code: number | null; report: DoctorJson }> {
  const run = await doctor([...args, '--json']);
  expect(run.stderr).toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson };
}

function statuses(report: DoctorJson): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

/** Nothing left by the doctor in `bucket`: no object and no multipart upload under the owner's prefix. */
async function expectNothingLeft(bucket: string): Promise<void> {
  const prefix = `uploads/${OWNER}/`;
  expect(await listMultipartUploads(s3, bucket, prefix)).toEqual([]);
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  expect(objects.KeyCount ?? 0).toBe(0);
}

const ALL_CHECKS = [
  'signer-reachable',
  'signer-cors',
  'auth',
  'clock-skew',
  'test-upload',
  's3-cors-preflight',
  's3-put',
  'etag-exposed',
  'part-stored',
  'part-hosts',
  'cleanup',
];

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  await ensureBucket(s3, NO_ETAG_BUCKET, { exposeEtag: false });
});

afterAll(async () => {
  for (const app of apps) await app.close();
  s3?.destroy();
});

describe('s3mu doctor (reference signer, real RGW)', () => {
  it('passes every check on a healthy setup and leaves nothing behind', async () => {
    const signer = await startSigner({});
    const { code, report } = await doctorJson(['--signer', signer, '--origin', ORIGIN, '--token', TOKEN]);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report).toMatchObject({ ok: true, skipped: [] });
    expect(code).toBe(0);
    await expectNothingLeft(s3Config.bucket);

    const text = await doctor(['--signer', signer, '--origin', ORIGIN, '--token', TOKEN]);
    expect(text.code, `${text.stdout}\n${text.stderr}`).toBe(0);
    expect(text.stdout.match(/^✓ /gm)).toHaveLength(ALL_CHECKS.length);
    expect(text.stdout).toContain('All 11 checks passed');
    await expectNothingLeft(s3Config.bucket);
  });

  it('checks every host the signer puts part URLs on (S3_PART_ENDPOINTS)', async () => {
    // The same RGW under another name: localhost next to 127.0.0.1 (or the other way round).
    const rgw = new URL(s3Config.endpoint);
    const alias = `${rgw.protocol}//${rgw.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${rgw.port}`;
    const signer = await startSigner({ s3: { ...signerConfigFor(s3Config).s3, partEndpoints: [alias] } });
    const { code, report } = await doctorJson(['--signer', signer, '--origin', ORIGIN, '--token', TOKEN]);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    expect(report.checks.find((c) => c.id === 'part-hosts')?.message).toBe(
      `Parts also go to ${alias}: CORS, PUT and ETag work there.`,
    );
    expect(code).toBe(0);
    await expectNothingLeft(s3Config.bucket);

    // An extra endpoint nobody listens on: only the parts signed for it would fail in a browser.
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const broken = await startSigner({
      s3: { ...signerConfigFor(s3Config).s3, partEndpoints: [alias, closed] },
    });
    const failed = await doctorJson(['--signer', broken, '--origin', ORIGIN, '--token', TOKEN]);
    expect(failed.code).toBe(1);
    expect(failed.report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['part-hosts']);
    const hosts = failed.report.checks.find((c) => c.id === 'part-hosts');
    expect(hosts?.message).toContain(`Parts also go to ${alias}, ${closed};`);
    expect(hosts?.message).toContain(
      `${closed} (part 3): The CORS preflight to ${closed} got no answer (ECONNREFUSED`,
    );
    expect(hosts?.message).not.toContain(`${alias} (part 2)`);
    expect(hosts?.fix).toContain(`Or remove ${closed} from the hosts the signer puts part URLs on`);
    await expectNothingLeft(s3Config.bucket);
  });

  it('fails the ETag check with the ExposeHeaders fix when the bucket CORS hides ETag', async () => {
    const signer = await startSigner({}, NO_ETAG_BUCKET);
    const { code, report } = await doctorJson(['--signer', signer, '--origin', ORIGIN, '--token', TOKEN]);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const etag = report.checks.find((c) => c.id === 'etag-exposed');
    expect(etag).toMatchObject({ status: 'fail' });
    expect(etag?.message).toMatch(/no Access-Control-Expose-Headers/);
    expect(etag?.fix).toContain('"ExposeHeaders": ["ETag"]');
    expect(etag?.fix).toContain(`"AllowedOrigins": ["${ORIGIN}"]`);
    expect(etag?.fix).toContain(`--bucket ${NO_ETAG_BUCKET}`);
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['etag-exposed']);
    await expectNothingLeft(NO_ETAG_BUCKET);
  });

  it('fails the signer CORS check when the origin is not allowed, and still checks the rest', async () => {
    const signer = await startSigner({ allowedOrigins: [] });
    const { code, report } = await doctorJson(['--signer', signer, '--origin', ORIGIN, '--token', TOKEN]);
    expect(code).toBe(1);
    const cors = report.checks.find((c) => c.id === 'signer-cors');
    expect(cors).toMatchObject({ status: 'fail' });
    expect(cors?.message).toContain('no Access-Control-Allow-Origin');
    expect(cors?.fix).toContain(`SIGNER_ALLOWED_ORIGINS=${ORIGIN}`);
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['signer-cors']);

    // Another origin than the one configured fails the same way.
    const other = await startSigner({ allowedOrigins: ['https://app.example.com'] });
    const second = await doctorJson(['--signer', other, '--origin', ORIGIN, '--token', TOKEN]);
    expect(statuses(second.report)['signer-cors']).toBe('fail');
    await expectNothingLeft(s3Config.bucket);
  });

  it('fails authentication with a wrong token or none, and skips what needs it', async () => {
    const signer = await startSigner({});
    const wrong = await doctorJson([
      '--signer',
      signer,
      '--origin',
      ORIGIN,
      '--token',
      'not-the-right-token-at-all',
    ]);
    expect(wrong.code).toBe(1);
    const auth = wrong.report.checks.find((c) => c.id === 'auth');
    expect(auth).toMatchObject({ status: 'fail' });
    expect(auth?.message).toContain('refused the token');
    expect(auth?.message).toContain('401');
    expect(auth?.fix).toContain('SIGNER_AUTH_TOKENS');
    expect(statuses(wrong.report)).toEqual({
      'signer-reachable': 'pass',
      'signer-cors': 'pass',
      auth: 'fail',
      'clock-skew': 'pass',
    });
    expect(wrong.report.skipped.map((s) => s.id)).toEqual([
      'test-upload',
      's3-cors-preflight',
      's3-put',
      'etag-exposed',
      'part-stored',
      'part-hosts',
      'cleanup',
    ]);

    const none = await doctorJson(['--signer', signer, '--origin', ORIGIN]);
    expect(none.code).toBe(1);
    expect(none.report.checks.find((c) => c.id === 'auth')?.fix).toContain('--token');

    const text = await doctor([
      '--signer',
      signer,
      '--origin',
      ORIGIN,
      '--token',
      'not-the-right-token-at-all',
    ]);
    expect(text.stdout).toMatch(/^✗ Authentication: /m);
    expect(text.stdout).toMatch(/^ {4}fix: /m);
    await expectNothingLeft(s3Config.bucket);
  });

  it('reports a signer that is not running', async () => {
    const port = await closedPort();
    const { code, report } = await doctorJson([
      '--signer',
      `http://127.0.0.1:${port}/api/uploads`,
      '--origin',
      ORIGIN,
    ]);
    expect(code).toBe(1);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ id: 'signer-reachable', status: 'fail' });
    expect(report.checks[0]?.message).toContain('ECONNREFUSED');
    expect(report.skipped).toHaveLength(ALL_CHECKS.length - 1);
  });
});
