// Cross-browser resume through the reference signer: `POST B/multipart/find` finds the caller's
// unfinished upload of a file by its fingerprint. On Ceph RGW (test/setup/rgw.ts) S3's
// ListMultipartUploads is the source of truth; where a store cannot list (s3rver, the playground's
// mock, answers 501 NotImplemented) the signer's upload registry stands in.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp, createMemoryRegistry, type SignerAppOptions } from '../../server-reference/app';
import type { SignerConfig } from '../../server-reference/config';
import { fingerprintId } from '../../server-reference/keys';
import { createHttpSigner } from '../../src/engine/http-signer';
import {
  listMultipartUploads,
  makeS3Client,
  md5Base64,
  type S3TestConfig,
  sha256Hex,
  sha256OfObject,
  signerConfigFor,
} from '../support/s3';

const MiB = 1024 * 1024;
const s3Config: S3TestConfig = inject('s3');
let s3: S3Client;
const started: FastifyInstance[] = [];

// Owners unique to this run, so leftovers of other tests or runs cannot match.
const run = randomBytes(4).toString('hex');
const ALICE = `find-alice-${run}`;
const BOB = `find-bob-${run}`;
const TOKENS: Record<string, string> = {
  [ALICE]: `alice-${randomBytes(12).toString('hex')}`,
  [BOB]: `bob-${randomBytes(12).toString('hex')}`,
};
const auth: SignerConfig['auth'] = {
  mode: 'tokens',
  tokens: Object.entries(TOKENS).map(([owner, token]) => ({ token, owner })),
};

async function startSigner(options: SignerAppOptions = {}, s3Override?: S3TestConfig): Promise<string> {
  const config = signerConfigFor(s3Override ?? s3Config, { auth });
  const app = buildSignerApp(config, options);
  started.push(app);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return `${address}${config.basePath}`;
}

/** The engine's HTTP client for `owner` at `base`. */
const client = (base: string, owner: string) => createHttpSigner(base, { token: TOKENS[owner] });
const fingerprint = () => randomBytes(32).toString('hex');

async function putPart(url: string, bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'PUT', headers, body: new Blob([bytes]) });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  const etag = res.headers.get('etag');
  expect(etag).toBeTruthy();
  return etag as string;
}

let base: string;

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  base = await startSigner();
});

afterAll(async () => {
  await Promise.all(started.map((app) => app.close()));
  s3?.destroy();
});

describe('find on S3 (Ceph RGW): ListMultipartUploads is the source of truth', () => {
  it('create with a fingerprint → 2 parts → another signer instance finds it; the owner can finish it there', async () => {
    const fp = fingerprint();
    const data = new Uint8Array(randomBytes(5 * MiB + 4321));
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)];
    // "Browser 1", yesterday, on one signer instance.
    const yesterday = Date.now() - 24 * 3600_000;
    const first = client(await startSigner({ now: () => yesterday }), ALICE);
    const created = await first.createMultipartUpload({
      name: 'movie.mp4',
      size: data.length,
      type: 'video/mp4',
      fingerprint: fp,
      partSize: 5 * MiB,
      partCount: 2,
    });
    expect(created.key.split('/').slice(2, 4)).toEqual([
      new Date(yesterday).toISOString().slice(0, 10),
      fingerprintId(ALICE, fp),
    ]);
    // (Its URLs would be dated yesterday too, and expired: the parts are signed by today's instance.)
    const signed = await client(base, ALICE).signParts({
      ...created,
      parts: parts.map((p, i) => ({ partNumber: i + 1, contentLength: p.length, contentMd5: md5Base64(p) })),
    });
    const etags: string[] = [];
    for (const [i, part] of signed.parts.entries()) {
      etags.push(await putPart(part.url, parts[i] as Uint8Array<ArrayBuffer>, part.headers));
    }

    // "Browser 2", today, on another instance: no local record, only the file.
    const second = client(base, ALICE);
    const found = await second.findUpload?.({ fingerprint: fp, size: data.length, name: 'movie.mp4' });
    expect(found).toMatchObject({ key: created.key, uploadId: created.uploadId });
    expect(found?.initiated).toEqual(expect.any(Number));
    expect(Math.abs((found?.initiated ?? 0) - Date.now())).toBeLessThan(10 * 60_000); // S3's clock, not the signer's
    const listed = await second.listParts(created);
    expect(listed.parts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 5 * MiB],
      [2, 4321],
    ]);

    // Someone else's find for the same file finds nothing.
    await expect(client(base, BOB).findUpload?.({ fingerprint: fp })).resolves.toBeNull();

    const done = await second.completeMultipartUpload({
      ...created,
      parts: listed.parts.map(({ partNumber, etag }) => ({ partNumber, etag })),
    });
    expect(listed.parts.map((p) => p.etag)).toEqual(etags);
    expect(done.size).toBe(data.length);
    expect(await sha256OfObject(s3, s3Config.bucket, created.key)).toBe(sha256Hex(data));
    await expect(second.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
  });

  it('answers the newest of several uploads of the file; after abort, none', async () => {
    const fp = fingerprint();
    const alice = client(base, ALICE);
    const file = { name: 'a.bin', size: 10, type: '', fingerprint: fp, partSize: 10, partCount: 1 };
    const older = await alice.createMultipartUpload(file);
    await new Promise((done) => setTimeout(done, 1100)); // Initiated has 1 s resolution on RGW
    const newer = await alice.createMultipartUpload(file);
    expect(newer.key).toBe(older.key);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(newer);
    await alice.abortMultipartUpload(newer);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(older);
    await alice.abortMultipartUpload(older);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
    expect(await listMultipartUploads(s3, s3Config.bucket, `uploads/${ALICE}/`)).toEqual([]);
  });

  it('an upload without a fingerprint is never found', async () => {
    const fp = fingerprint();
    const alice = client(base, ALICE);
    const plain = await alice.createMultipartUpload({
      name: 'p.bin',
      size: 1,
      type: '',
      partSize: 1,
      partCount: 1,
    });
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
    await alice.abortMultipartUpload(plain);
  });

  it('refuses a malformed fingerprint (400) in create and find', async () => {
    const alice = client(base, ALICE);
    await expect(alice.findUpload?.({ fingerprint: 'fp-1' })).rejects.toMatchObject({
      code: 'SIGNER_REJECTED',
      status: 400,
    });
    await expect(
      alice.createMultipartUpload({
        name: 'x',
        size: 1,
        type: '',
        fingerprint: 'FP',
        partSize: 1,
        partCount: 1,
      }),
    ).rejects.toMatchObject({ code: 'SIGNER_REJECTED', status: 400 });
  });

  it('with S3 listing turned off, the registry finds it; complete and abort forget it', async () => {
    const registryBase = await startSigner({ registry: createMemoryRegistry(), s3Listing: false });
    const alice = client(registryBase, ALICE);
    const fp = fingerprint();
    const file = { name: 'r.bin', size: 10, type: '', fingerprint: fp, partSize: 10, partCount: 1 };
    const created = await alice.createMultipartUpload(file);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(created);
    await expect(client(registryBase, BOB).findUpload?.({ fingerprint: fp })).resolves.toBeNull();
    const [part] = (await alice.signParts({ ...created, parts: [{ partNumber: 1, contentLength: 10 }] }))
      .parts;
    const etag = await putPart(part?.url as string, new Uint8Array(randomBytes(10)));
    await alice.completeMultipartUpload({ ...created, parts: [{ partNumber: 1, etag }] });
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();

    const again = await alice.createMultipartUpload(file);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(again);
    await alice.abortMultipartUpload(again);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
  });
});

// s3rver ships no types: the little of it used here.
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

describe('find on s3rver (no ListMultipartUploads: 501 NotImplemented): the registry stands in', () => {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const dir = mkdtempSync(join(tmpdir(), 's3rver-find-'));
  let server: S3rverInstance;
  let s3rver: S3TestConfig;

  beforeAll(async () => {
    // Loopback only: s3rver accepts anonymous requests.
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory: dir,
      silent: true,
      configureBuckets: [{ name: 'find', configs: [] }],
    });
    const { address, port } = await server.run();
    s3rver = {
      endpoint: `http://${address}:${port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      bucket: 'find',
      region: 'us-east-1',
    };
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the upload through the registry, and forgets it once completed', async () => {
    const alice = client(await startSigner({ registry: createMemoryRegistry() }, s3rver), ALICE);
    const fp = fingerprint();
    const data = new Uint8Array(randomBytes(1000));
    const created = await alice.createMultipartUpload({
      name: 'm.bin',
      size: data.length,
      type: '',
      fingerprint: fp,
      partSize: 1000,
      partCount: 1,
    });
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(created);
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toMatchObject(created);
    await expect(
      client(await startSigner({}, s3rver), BOB).findUpload?.({ fingerprint: fp }),
    ).resolves.toBeNull();
    const [part] = (
      await alice.signParts({ ...created, parts: [{ partNumber: 1, contentLength: data.length }] })
    ).parts;
    const etag = await putPart(part?.url as string, data);
    await alice.completeMultipartUpload({ ...created, parts: [{ partNumber: 1, etag }] });
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
  });

  it('without a registry, find answers null instead of failing', async () => {
    const alice = client(await startSigner({}, s3rver), ALICE);
    const fp = fingerprint();
    await alice.createMultipartUpload({
      name: 'n.bin',
      size: 1,
      type: '',
      fingerprint: fp,
      partSize: 1,
      partCount: 1,
    });
    await expect(alice.findUpload?.({ fingerprint: fp })).resolves.toBeNull();
  });
});
