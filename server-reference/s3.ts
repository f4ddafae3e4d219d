import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Settings } from './config';

/**
 * The S3 client the signer uses both to call S3 and to presign.
 *
 * `requestChecksumCalculation: 'WHEN_REQUIRED'` is not optional: with the SDK's default
 * ('WHEN_SUPPORTED') the presigner adds `x-amz-checksum-crc32` of an *empty* body to every
 * presigned UploadPart URL, and S3 then rejects the real part. Content-MD5 is the portable
 * per-part integrity check (Ceph RGW has no x-amz-checksum-* support at all).
 */
export function createS3Client(s3: S3Settings): S3Client {
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: {
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      sessionToken: s3.sessionToken,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

/** The S3 error code of a failed SDK call (`NoSuchUpload`, …), or undefined for non-S3 failures. */
export function s3ErrorCode(error: unknown): string | undefined {
  if (error instanceof S3ServiceException) return error.name;
  if (typeof error === 'object' && error !== null && '$metadata' in error && 'name' in error) {
    return String((error as { name: unknown }).name);
  }
  return undefined;
}
