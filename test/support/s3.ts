// Helpers for tests that talk to the S3 provided by test/setup/rgw.ts (`inject('s3')`).
import { createHash } from 'node:crypto';
import {
  type CORSRule,
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketCorsCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { SignerConfig } from '../../server-reference/config';
import type { S3TestConfig } from '../setup/rgw';

export type { S3TestConfig } from '../setup/rgw';

/** An S3 client for the test S3 (path-style; checksums only where S3 requires them, as RGW lacks them). */
export function makeS3Client(config: S3TestConfig, overrides: S3ClientConfig = {}): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

/** A signer configuration pointing at the test S3. */
export function signerConfigFor(config: S3TestConfig, overrides: Partial<SignerConfig> = {}): SignerConfig {
  return {
    s3: {
      endpoint: config.endpoint,
      region: config.region,
      bucket: config.bucket,
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      forcePathStyle: true,
    },
    port: 0,
    host: '127.0.0.1',
    allowedOrigins: [],
    urlLifetimeSeconds: 15 * 60,
    basePath: '/api/uploads',
    ...overrides,
  };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5Base64(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('base64');
}

/** Reads an object back and returns its bytes. */
export async function getObjectBytes(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`GetObject ${key} returned no body`);
  return out.Body.transformToByteArray();
}

/** SHA-256 (hex) of an object as read back from S3. */
export async function sha256OfObject(client: S3Client, bucket: string, key: string): Promise<string> {
  return sha256Hex(await getObjectBytes(client, bucket, key));
}

/** Every in-progress multipart upload under `prefix` (all pages). */
export async function listMultipartUploads(
  client: S3Client,
  bucket: string,
  prefix?: string,
): Promise<{ key: string; uploadId: string }[]> {
  const uploads: { key: string; uploadId: string }[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    const out = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }),
    );
    for (const u of out.Uploads ?? []) {
      if (u.Key && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId });
    }
    if (!out.IsTruncated) return uploads;
    KeyMarker = out.NextKeyMarker;
    UploadIdMarker = out.NextUploadIdMarker;
  }
}

/** The CORS rule browser uploads need: any origin may PUT/GET/HEAD with any header and read ETag. */
export function browserUploadCorsRule(options: { exposeEtag?: boolean } = {}): CORSRule {
  return {
    AllowedOrigins: ['*'],
    AllowedMethods: ['PUT', 'GET', 'HEAD'],
    AllowedHeaders: ['*'],
    ExposeHeaders: options.exposeEtag === false ? [] : ['ETag'],
    MaxAgeSeconds: 3000,
  };
}

/**
 * Replaces a bucket's CORS configuration. S3 requires an integrity header on PutBucketCors; the SDK
 * adds x-amz-checksum-crc32 itself even with 'WHEN_REQUIRED', which RGW 16 accepts too (measured).
 */
export async function putBucketCors(client: S3Client, bucket: string, rules: CORSRule[]): Promise<void> {
  const CORSRules = rules.map((r) =>
    r.ExposeHeaders?.length === 0 ? { ...r, ExposeHeaders: undefined } : r,
  );
  await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules } }));
}

/**
 * Creates (if needed) a bucket with the given CORS, e.g. `{exposeEtag: false}` for a bucket whose
 * CORS lets browsers PUT but hides the ETag header.
 */
export async function ensureBucket(
  client: S3Client,
  bucket: string,
  cors: { exposeEtag?: boolean } = {},
): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  await putBucketCors(client, bucket, [browserUploadCorsRule(cors)]);
}
