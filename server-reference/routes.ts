import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  CompletedObject,
  CompleteMultipartInput,
  CreateMultipartInput,
  CreateMultipartOutput,
  ListPartsOutput,
  PartToSign,
  SignedPart,
  SignPartsOutput,
  SignSingleInput,
  SignSingleOutput,
  UploadedPart,
  UploadRef,
} from '../src/engine/types';
import type { SignerConfig } from './config';
import { SignerHttpError } from './errors';
import { keyBelongsTo, newObjectKey } from './keys';
import { s3ErrorCode } from './s3';

/** Returns the caller's owner id, or null when the request is not authenticated. */
export type Authenticate = (request: FastifyRequest) => string | null | Promise<string | null>;

export interface RouteDeps {
  config: SignerConfig;
  s3: S3Client;
  authenticate: Authenticate;
  /** Signer clock, epoch ms. */
  now: () => number;
}

// ---- limits ----------------------------------------------------------------------------------
export const MAX_PART_NUMBER = 10_000;
export const MAX_PARTS_PER_SIGN_REQUEST = 100;
const GiB = 1024 ** 3;
/** S3's largest single PUT and largest part. */
export const MAX_SINGLE_PUT_BYTES = 5 * GiB;
export const MAX_PART_BYTES = 5 * GiB;
/** `s3Time` is honoured only when this close to the signer's clock. */
export const MAX_S3_TIME_OFFSET_MS = 15 * 60 * 1000;

// ---- JSON schemas (additionalProperties: false everywhere; Ajv runs without coercion) --------
const keySchema = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const uploadIdSchema = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const partNumberSchema = { type: 'integer', minimum: 1, maximum: MAX_PART_NUMBER } as const;
/** base64 of exactly 16 bytes. */
const md5Schema = { type: 'string', pattern: '^[A-Za-z0-9+/]{21}[AQgw]==$' } as const;
const byteCountSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const fileDescriptionProperties = {
  name: { type: 'string', maxLength: 4096 },
  size: byteCountSchema,
  // A MIME type ends up in a header: printable ASCII only.
  type: { type: 'string', maxLength: 255, pattern: '^[\\x20-\\x7E]*$' },
  lastModified: { type: 'number' },
  fingerprint: { type: 'string', maxLength: 1024 },
} as const;

const createSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'size', 'type', 'partSize', 'partCount'],
  properties: {
    ...fileDescriptionProperties,
    partSize: { type: 'integer', minimum: 1, maximum: MAX_PART_BYTES },
    partCount: { type: 'integer', minimum: 0, maximum: MAX_PART_NUMBER },
  },
} as const;

const uploadRefProperties = { key: keySchema, uploadId: uploadIdSchema } as const;

const signSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'uploadId', 'parts'],
  properties: {
    ...uploadRefProperties,
    parts: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_PARTS_PER_SIGN_REQUEST,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['partNumber', 'contentLength'],
        properties: {
          partNumber: partNumberSchema,
          contentLength: { type: 'integer', minimum: 0, maximum: MAX_PART_BYTES },
          contentMd5: md5Schema,
        },
      },
    },
    s3Time: { type: 'number', minimum: 0 },
  },
} as const;

const refSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'uploadId'],
  properties: uploadRefProperties,
} as const;

const completeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'uploadId', 'parts'],
  properties: {
    ...uploadRefProperties,
    parts: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_PART_NUMBER,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['partNumber', 'etag'],
        properties: { partNumber: partNumberSchema, etag: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
    },
  },
} as const;

const singleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'size', 'type'],
  properties: { ...fileDescriptionProperties, contentMd5: md5Schema },
} as const;

interface SignBody extends UploadRef {
  parts: PartToSign[];
  s3Time?: number;
}

// ---- S3 error mapping ------------------------------------------------------------------------
type Operation = 'create' | 'list' | 'complete' | 'abort' | 'head';

function describe(error: unknown): string {
  const code = s3ErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && code !== message ? `${code}: ${message}` : message;
}

/** Maps a failed S3 call to a protocol error (never a bare 500). */
function mapS3Error(op: Operation, error: unknown): SignerHttpError {
  const code = s3ErrorCode(error);
  // Ceph RGW answers ListParts on an unknown uploadId with NoSuchKey instead of NoSuchUpload.
  if (code === 'NoSuchUpload' || (code === 'NoSuchKey' && (op === 'list' || op === 'abort'))) {
    return new SignerHttpError(
      404,
      'UPLOAD_NOT_FOUND',
      'The multipart upload no longer exists on S3 (it was completed, aborted or expired by a lifecycle rule). Start the upload again.',
      { cause: error },
    );
  }
  if (
    op === 'complete' &&
    (code === 'InvalidPart' || code === 'InvalidPartOrder' || code === 'EntityTooSmall')
  ) {
    return new SignerHttpError(
      400,
      'INVALID_PARTS',
      `S3 refused the part list (${describe(error)}). List the uploaded parts, upload the missing or changed ones again, then complete with parts in ascending order.`,
      { cause: error },
    );
  }
  if (code === 'SlowDown') {
    return new SignerHttpError(
      429,
      'RATE_LIMITED',
      'S3 asks to slow down; retry after the indicated delay.',
      {
        retryAfter: 1,
        cause: error,
      },
    );
  }
  return new SignerHttpError(502, 'S3_ERROR', `S3 failed to ${op} (${describe(error)}); retry later.`, {
    cause: error,
  });
}

async function callS3<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapS3Error(op, error);
  }
}

// ---- routes ----------------------------------------------------------------------------------
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { config, s3, authenticate, now } = deps;
  const Bucket = config.s3.bucket;
  const lifetimeMs = config.urlLifetimeSeconds * 1000;

  async function owner(request: FastifyRequest): Promise<string> {
    const who = await authenticate(request);
    if (who === null || who === '') {
      throw new SignerHttpError(
        401,
        'UNAUTHENTICATED',
        'Sign in again: the signer did not accept your credentials.',
      );
    }
    return who;
  }

  async function ownedKey(request: FastifyRequest, key: string): Promise<string> {
    const who = await owner(request);
    if (!keyBelongsTo(key, who)) {
      throw new SignerHttpError(
        403,
        'FORBIDDEN',
        'This upload belongs to someone else; start a new upload instead.',
      );
    }
    return key;
  }

  function checkObjectSize(size: number, hardLimit: number, what: string): void {
    const limit = Math.min(hardLimit, config.maxObjectBytes ?? Number.POSITIVE_INFINITY);
    if (size > limit) {
      throw new SignerHttpError(
        413,
        'TOO_LARGE',
        `The file is ${size} bytes; ${what} accepts at most ${limit} bytes.`,
      );
    }
  }

  /**
   * Signing date and expiry. SigV4 dates have 1 s resolution, so the URL's life starts at the
   * whole second; `expiresAt` is on the signer's clock even when signing with S3's (s3Time).
   */
  function signingTimes(s3Time: number | undefined): {
    signingDate: Date;
    expiresAt: number;
    serverTime: number;
  } {
    const serverTime = now();
    const useS3 = s3Time !== undefined && Math.abs(s3Time - serverTime) <= MAX_S3_TIME_OFFSET_MS;
    const signingMs = useS3 ? s3Time : serverTime;
    return {
      signingDate: new Date(signingMs),
      expiresAt: serverTime - (signingMs % 1000) + lifetimeMs,
      serverTime,
    };
  }

  app.get('/time', async () => ({ serverTime: now() }));

  app.post<{ Body: CreateMultipartInput }>(
    '/multipart',
    { schema: { body: createSchema } },
    async (request) => {
      const who = await owner(request);
      const { name, size, type, partSize, partCount } = request.body;
      checkObjectSize(size, MAX_PART_NUMBER * MAX_PART_BYTES, 'a multipart upload');
      const expected = Math.ceil(size / partSize);
      if (partCount !== expected) {
        throw new SignerHttpError(
          400,
          'BAD_REQUEST',
          `partCount must be ceil(size / partSize) = ${expected} for size ${size} and partSize ${partSize}, got ${partCount}.`,
        );
      }
      const key = newObjectKey(who, name, new Date(now()));
      const out = await callS3('create', () =>
        s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: type || undefined })),
      );
      if (!out.UploadId)
        throw new SignerHttpError(502, 'S3_ERROR', 'S3 created the upload but returned no UploadId; retry.');
      const body: CreateMultipartOutput = { key, uploadId: out.UploadId };
      return body;
    },
  );

  app.post<{ Body: SignBody }>('/multipart/sign', { schema: { body: signSchema } }, async (request) => {
    const { uploadId, parts, s3Time } = request.body;
    const key = await ownedKey(request, request.body.key);
    const { signingDate, expiresAt, serverTime } = signingTimes(s3Time);
    const signed = await Promise.all(
      parts.map(async (part): Promise<SignedPart> => {
        const command = new UploadPartCommand({
          Bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: part.partNumber,
          ContentMD5: part.contentMd5,
        });
        const url = await getSignedUrl(s3, command, { expiresIn: config.urlLifetimeSeconds, signingDate });
        const result: SignedPart = { partNumber: part.partNumber, url, expiresAt };
        if (part.contentMd5) result.headers = { 'Content-MD5': part.contentMd5 };
        return result;
      }),
    );
    const body: SignPartsOutput = { parts: signed, serverTime };
    return body;
  });

  app.post<{ Body: UploadRef }>('/multipart/list', { schema: { body: refSchema } }, async (request) => {
    const { uploadId } = request.body;
    const key = await ownedKey(request, request.body.key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    // ListParts returns at most 1,000 parts a page.
    for (let page = 0; page < 20; page++) {
      const out: ListPartsCommandOutput = await callS3('list', () =>
        s3.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker })),
      );
      for (const p of out.Parts ?? []) {
        if (p.PartNumber === undefined || !p.ETag) continue;
        parts.push({ partNumber: p.PartNumber, etag: p.ETag, size: p.Size });
      }
      const next = out.NextPartNumberMarker;
      if (!out.IsTruncated || next === undefined || next === marker) break;
      marker = next;
    }
    parts.sort((a, b) => a.partNumber - b.partNumber);
    const body: ListPartsOutput = { parts };
    return body;
  });

  app.post<{ Body: CompleteMultipartInput }>(
    '/multipart/complete',
    { schema: { body: completeSchema } },
    async (request) => {
      const { uploadId, parts } = request.body;
      const key = await ownedKey(request, request.body.key);
      const out = await callS3('complete', () =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        ),
      );
      // Never trust Complete's ETag alone: Ceph RGW returns it empty. HeadObject also gives the size.
      let head: { ETag?: string; ContentLength?: number } | undefined;
      try {
        head = await s3.send(new HeadObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        // The object exists (Complete succeeded); without Complete's ETag there is nothing to return.
        if (!out.ETag) throw mapS3Error('head', error);
      }
      const etag = out.ETag || head?.ETag;
      if (!etag)
        throw new SignerHttpError(502, 'S3_ERROR', 'S3 completed the upload but reported no ETag; retry.');
      const body: CompletedObject = { key, etag };
      if (head?.ContentLength !== undefined) body.size = head.ContentLength;
      if (out.Location) body.location = out.Location;
      return body;
    },
  );

  app.post<{ Body: UploadRef }>('/multipart/abort', { schema: { body: refSchema } }, async (request) => {
    const { uploadId } = request.body;
    const key = await ownedKey(request, request.body.key);
    await callS3('abort', () =>
      s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })),
    );
    return { ok: true };
  });

  app.post<{ Body: SignSingleInput }>('/single', { schema: { body: singleSchema } }, async (request) => {
    const who = await owner(request);
    const { name, size, type, contentMd5 } = request.body;
    checkObjectSize(size, MAX_SINGLE_PUT_BYTES, 'a single PUT');
    const key = newObjectKey(who, name, new Date(now()));
    const { signingDate, expiresAt, serverTime } = signingTimes(undefined);
    const command = new PutObjectCommand({
      Bucket,
      Key: key,
      ContentType: type || undefined,
      ContentMD5: contentMd5,
    });
    // The presigner leaves Content-Type unsigned unless asked; bind it so the object gets the declared type.
    const url = await getSignedUrl(s3, command, {
      expiresIn: config.urlLifetimeSeconds,
      signingDate,
      signableHeaders: type ? new Set(['content-type']) : undefined,
    });
    const headers: Record<string, string> = {};
    if (type) headers['Content-Type'] = type;
    if (contentMd5) headers['Content-MD5'] = contentMd5;
    const body: SignSingleOutput = { key, url, expiresAt, serverTime };
    if (Object.keys(headers).length > 0) body.headers = headers;
    return body;
  });
}
