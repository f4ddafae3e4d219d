import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { bundleMd5Worker } from '../../../scripts/build-md5-worker';
import { createFakeS3, randomBytes } from '../../../test/support/fake-s3';
import { ConcurrencyPool } from '../concurrency-pool';
import { UploadError } from '../errors';
import type { SignPartsInput, SignSingleInput } from '../types';
import { createUpload } from '../upload';
import { checkEtag, expectedEtag } from './expected-etag';
import { md5Base64 } from './md5';

const PART = 1024;
const limits = { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 };
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

/** S3's multipart ETag computed independently with node:crypto. */
function s3MultipartEtag(data: Uint8Array, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize)
    digests.push(md5(data.subarray(offset, offset + partSize)));
  return `"${md5(Buffer.concat(digests)).toString('hex')}-${digests.length}"`;
}

function setup(
  data: Uint8Array<ArrayBuffer>,
  options: { etag?: (data: Uint8Array) => string; integrity?: boolean | 'parts' } = {},
) {
  const s3 = createFakeS3();
  const signed: SignPartsInput[] = [];
  const single: SignSingleInput[] = [];
  const { signParts, signSinglePut, completeMultipartUpload } = s3.signer;
  s3.signer.signParts = (input, ctx) => {
    signed.push(input);
    return signParts(input, ctx);
  };
  s3.signer.signSinglePut = (input, ctx) => {
    single.push(input);
    return signSinglePut(input, ctx);
  };
  s3.signer.completeMultipartUpload = async (input, ctx) => {
    const object = await completeMultipartUpload(input, ctx);
    return { ...object, etag: options.etag ? options.etag(data) : s3MultipartEtag(data, PART) };
  };
  const upload = createUpload(new File([data], 'data.bin'), {
    signer: s3.signer,
    transport: s3.transport,
    partSize: PART,
    limits,
    singlePutThreshold: 0,
    concurrency: 3,
    pool: new ConcurrencyPool(6),
    ...(options.integrity === undefined ? {} : { integrity: options.integrity }),
  });
  return { s3, signed, single, upload };
}

describe('integrity', () => {
  it('md5Base64 streams a Blob to the same digest as node:crypto', async () => {
    const data = randomBytes(300_000, 4);
    expect(await md5Base64(new Blob([data]))).toBe(md5(data).toString('base64'));
    expect(await md5Base64(new Blob([]))).toBe(md5(new Uint8Array(0)).toString('base64'));
  });

  it('binds every part to its MD5 and verifies the object ETag', async () => {
    const data = randomBytes(10 * PART + 10, 5);
    const { signed, upload } = setup(data);
    const result = await upload.start();
    const sent = signed.flatMap((call) => call.parts);
    expect(sent).toHaveLength(11);
    for (const part of sent) {
      const start = (part.partNumber - 1) * PART;
      expect(part.contentMd5).toBe(md5(data.subarray(start, start + PART)).toString('base64'));
    }
    expect(result.integrity).toBe('verified');
  });

  it('rejects an object whose ETag differs from the one computed from the parts', async () => {
    const data = randomBytes(5 * PART, 6);
    const { upload } = setup(data, { etag: () => `"${'0'.repeat(32)}-5"` });
    const error = await upload.start().catch((e: UploadError) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).code).toBe('INTEGRITY_MISMATCH');
    expect((error as UploadError).message).toMatch(/integrity: 'parts'/);
  });

  it("reports ETags of another shape as unverifiable, and 'parts' skips the ETag check", async () => {
    const data = randomBytes(5 * PART, 7);
    expect((await setup(data, { etag: () => '"not-an-md5"' }).upload.start()).integrity).toBe('unverifiable');
    expect(
      (await setup(data, { etag: () => `"${'0'.repeat(32)}-5"`, integrity: 'parts' }).upload.start())
        .integrity,
    ).toBe('parts');
  });

  it('sends no MD5 and reports off when integrity is disabled', async () => {
    const data = randomBytes(5 * PART, 8);
    const { signed, upload } = setup(data, { integrity: false });
    expect((await upload.start()).integrity).toBe('off');
    expect(signed.flatMap((c) => c.parts).every((p) => p.contentMd5 === undefined)).toBe(true);
  });

  it('binds a single PUT to the MD5 of the whole file', async () => {
    const s3 = createFakeS3();
    const single: SignSingleInput[] = [];
    const sign = s3.signer.signSinglePut;
    s3.signer.signSinglePut = (input, ctx) => {
      single.push(input);
      return sign(input, ctx);
    };
    const data = randomBytes(700, 9);
    const upload = createUpload(new File([data], 'one.bin'), {
      signer: s3.signer,
      transport: s3.transport,
      pool: new ConcurrencyPool(2),
    });
    const result = await upload.start();
    expect(single[0]?.contentMd5).toBe(md5(data).toString('base64'));
    expect(result.integrity).toBe('unverifiable'); // the fake store's ETag is not an MD5
  });

  it('hashes ahead and never holds a part back for a later part still being hashed', async () => {
    const data = randomBytes(8 * PART, 11);
    const s3 = createFakeS3();
    const signed: number[][] = [];
    const signParts = s3.signer.signParts;
    s3.signer.signParts = (input, ctx) => {
      signed.push(input.parts.map((p) => p.partNumber));
      return signParts(input, ctx);
    };
    // Part 4's MD5 takes until the test releases it; the others are immediate.
    let releasePart4!: () => void;
    const part4Released = new Promise<void>((resolve) => {
      releasePart4 = resolve;
    });
    const hashed: number[] = [];
    const hasher = async (blob: Blob) => {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const offset = Buffer.from(data).indexOf(Buffer.from(bytes));
      const partNumber = offset / PART + 1;
      hashed.push(partNumber);
      if (partNumber === 4) await part4Released;
      return md5(bytes).toString('base64');
    };
    const upload = createUpload(new File([data], 'ahead.bin'), {
      signer: s3.signer,
      transport: s3.transport,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      concurrency: 2,
      signBatchSize: 8,
      pool: new ConcurrencyPool(6),
      hasher,
    });
    const parts = new Set<number>();
    upload.subscribe((_, event) => {
      if (event.type === 'part') parts.add(event.part.partNumber);
    });
    const done = upload.start();
    // Parts 1–3 and 5+ upload while part 4 is still hashing.
    await vi.waitFor(() => expect(parts.size).toBeGreaterThanOrEqual(6));
    expect(parts.has(4)).toBe(false);
    // Hashing ran ahead of sending: every part was queued for hashing, not only the two in flight.
    expect(new Set(hashed).size).toBe(8);
    releasePart4();
    expect((await done).integrity).toBe('unverifiable');
    // No sign call waited on part 4 for another part: part 4 is only ever signed first in its batch.
    for (const batch of signed) expect(batch.indexOf(4)).toBeLessThanOrEqual(0);
    expect(signed.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('computes expected ETags the way S3 does', async () => {
    const data = randomBytes(3 * PART + 1, 10);
    const parts = [0, 1, 2, 3].map((i) => md5(data.subarray(i * PART, (i + 1) * PART)).toString('base64'));
    expect(await expectedEtag(parts, true, md5Base64)).toBe(s3MultipartEtag(data, PART).replace(/"/g, ''));
    expect(checkEtag('"ABCDEF0123456789ABCDEF0123456789-2"', 'abcdef0123456789abcdef0123456789-2')).toBe(
      'verified',
    );
    expect(checkEtag('"abcdef0123456789abcdef0123456789"', 'abcdef0123456789abcdef0123456789-2')).toBe(
      'unverifiable',
    );
  });

  it('ships an up-to-date worker bundle', async () => {
    const committed = readFileSync(new URL('./md5-worker-source.generated.ts', import.meta.url), 'utf8');
    expect(committed, 'run: npx tsx scripts/build-md5-worker.ts').toBe(await bundleMd5Worker());
  });
});
