// Presigns any one S3 request Uppy 6's `signRequest` asks for (create, part, complete, list,
// abort, put, delete), as a backend for @uppy/aws-s3 6 would.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface PresignRequest {
  method: 'PUT' | 'POST' | 'GET' | 'DELETE';
  key: string;
  uploadId?: string;
  partNumber?: number;
  contentType?: string;
}

const EXPIRES_IN = 3600;

export function parsePresignRequest(body: unknown): PresignRequest {
  const r = body as Partial<PresignRequest> | null;
  if (!r || typeof r.key !== 'string' || !r.key.startsWith('bench/'))
    throw new Error('key must be a string under bench/');
  if (!['PUT', 'POST', 'GET', 'DELETE'].includes(String(r.method))) throw new Error('bad method');
  return r as PresignRequest;
}

export function presign(client: S3Client, Bucket: string, r: PresignRequest): Promise<string> {
  const { key: Key, uploadId: UploadId, partNumber: PartNumber } = r;
  const options = { expiresIn: EXPIRES_IN };
  switch (r.method) {
    case 'PUT':
      return UploadId && PartNumber
        ? getSignedUrl(client, new UploadPartCommand({ Bucket, Key, UploadId, PartNumber }), options)
        : getSignedUrl(client, new PutObjectCommand({ Bucket, Key }), options);
    case 'POST':
      return UploadId
        ? getSignedUrl(client, new CompleteMultipartUploadCommand({ Bucket, Key, UploadId }), options)
        : getSignedUrl(client, new CreateMultipartUploadCommand({ Bucket, Key }), options);
    case 'GET':
      return getSignedUrl(client, new ListPartsCommand({ Bucket, Key, UploadId }), options);
    case 'DELETE':
      return UploadId
        ? getSignedUrl(client, new AbortMultipartUploadCommand({ Bucket, Key, UploadId }), options)
        : getSignedUrl(client, new DeleteObjectCommand({ Bucket, Key }), options);
  }
}
