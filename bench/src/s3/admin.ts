// The bench's own S3 access (never through a proxy): bucket setup, read-back check, clean-up.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketCorsCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { CORS_RULE, type S3Target } from './target';

export function s3ClientFor(target: S3Target, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region: target.region,
    endpoint: target.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    // Ceph RGW 16 has no x-amz-checksum-*; presigned UploadPart URLs must not carry one either.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A server that stops answering fails the read-back instead of hanging the bench (an idle
    // limit, not a total one: reading back 1 GiB takes longer than this but is never idle).
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
    ...overrides,
  });
}

/** Creates the bench bucket (if needed) with CORS for every contender. */
export async function prepareBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  await client.send(
    new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [CORS_RULE] } }),
  );
}

/** SHA-256 (hex) and size of an object as read back. */
export async function readBack(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ sha256: string; size: number }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of out.Body as Readable) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** Aborts every unfinished multipart upload (a failed contender's parts would hold RGW's memory). */
export async function abortUnfinished(client: S3Client, bucket: string): Promise<number> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  let aborted = 0;
  for (const upload of out.Uploads ?? []) {
    if (!upload.Key || !upload.UploadId) continue;
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
    );
    aborted += 1;
  }
  return aborted;
}
