import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListPartsCommand,
  type ListPartsCommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  CompletedObject,
  CompleteMultipartInput,
  CreateMultipartInput,
  CreateMultipartOutput,
  FindUploadInput,
  FoundUpload,
  ListPartsOutput,
  PartToSign,
  SignedPart,
  SignPartsOutput,
  SignSingleInput,
  SignSingleOutput,
  UploadedPart,
  UploadRef,
} from '../src/engine/types';
import { type Authenticate, ownerProblem } from './auth';
import { DEFAULTS, type SignerConfig } from './config';
import { SignerHttpError } from './errors';
import {
  FINGERPRINT_PATTERN,
  fingerprintId,
  keyBelongsTo,
  keyIdSegment,
  newObjectKey,
  ownerPrefix,
} from './keys';
import { typeAllowed } from './policy';
import type { UploadRegistry } from './registry';
import { s3ErrorCode } from './s3';

export type { Authenticate } from './auth';

export interface RouteDeps {
  config: SignerConfig;
  s3: S3Client;
  /**
   * Presigning clients of `config.s3.partEndpoints`, in that order (app.ts builds them). Part N is
   * signed by entry `(N - 1) % k` of `[s3, ...partS3]`; none: every part by `s3`.
   */
  partS3?: S3Client[];
  authenticate: Authenticate;
  /** Signer clock, epoch ms. */
  now: () => number;
  /** Fallback for `find` where S3 cannot list multipart uploads (registry.ts); none by default. */
  registry?: UploadRegistry;
  /** Find uploads with ListMultipartUploads (default true); false: the registry only. */
  s3Listing?: boolean;
}

// ---- limits ----------------------------------------------------------------------------------
export const MAX_PART_NUMBER = 10_000;
/** Default most parts per sign request (SIGNER_MAX_PARTS_PER_SIGN). */
export const MAX_PARTS_PER_SIGN_REQUEST = DEFAULTS.maxPartsPerSignRequest;
const GiB = 1024 ** 3;
/** S3's largest single PUT and largest part. */
export const MAX_SINGLE_PUT_BYTES = 5 * GiB;
export const MAX_PART_BYTES = 5 * GiB;
/** `s3Time` is honoured only when this close to the signer's clock. */
export const MAX_S3_TIME_OFFSET_MS = 15 * 60 * 1000;
/** Request body limit of every route but sign (scaled with its part limit) and complete. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/**
 * Complete carries up to 10,000 `{"partNumber":10000,"etag":"\"<32 hex>\""}` items, ~55 bytes each
 * (~550 KB): 1 MiB leaves room for longer ETags of S3-compatible stores.
 */
export const COMPLETE_BODY_LIMIT = 1024 * 1024;
/** ListMultipartUploads pages (1,000 uploads each) `find` reads at most for one owner. */
export const MAX_FIND_PAGES = 100;
/** Upper bound of one sign-request part item in JSON, to size the sign route's body limit. */
const SIGN_PART_JSON_BYTES = 160;

/** Body limit of the sign route for a given parts-per-request limit. */
export function signBodyLimit(maxParts: number): number {
  return Math.max(DEFAULT_BODY_LIMIT, maxParts * SIGN_PART_JSON_BYTES + 4096);
}

// ---- JSON schemas (additionalProperties: false everywhere; Ajv runs without coercion) --------
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const keySchema = { type: 'string', minLength: 1, maxLength: 1024 } as const;
// Upload ids of AWS, Ceph RGW, MinIO, R2… are URL-safe or base64: nothing else reaches S3.
const uploadIdSchema = { type: 'string', pattern: '^[A-Za-z0-9._~+/=:-]{1,1024}$' } as const;
const partNumberSchema = { type: 'integer', minimum: 1, maximum: MAX_PART_NUMBER } as const;
/** base64 of exactly 16 bytes. */
const md5Schema = { type: 'string', pattern: '^[A-Za-z0-9+/]{21}[AQgw]==$' } as const;
const byteCountSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const MEDIA_NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const fileDescriptionProperties = {
  // Only a hint for the key's last segment (sanitised, cut to 200 bytes); real names are < 256.
  name: { type: 'string', maxLength: 1024 },
  size: byteCountSchema,
  // Empty, or a media type (`type/subtype`, optional parameters): it ends up in a header.
  type: {
    type: 'string',
    maxLength: 255,
    pattern: `^(?:${MEDIA_NAME}/${MEDIA_NAME}(?: *;[\\x20-\\x7E]*)?)?$`,
  },
  lastModified: { type: 'number' },
  // fingerprintFile's SHA-256 (64 lowercase hex): the key's id is derived from it (keys.ts).
  fingerprint: { type: 'string', pattern: FINGERPRINT_PATTERN },
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

const findSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fingerprint'],
  properties: {
    fingerprint: fileDescriptionProperties.fingerprint,
    size: byteCountSchema,
    name: fileDescriptionProperties.name,
  },
} as const;

function signSchema(maxParts: number) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'uploadId', 'parts'],
    properties: {
      ...uploadRefProperties,
      parts: {
        type: 'array',
        minItems: 1,
        maxItems: maxParts,
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
}

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
        // ETags are quoted hex (`"…"`, `"…-N"`): printable ASCII without spaces.
        properties: { partNumber: partNumberSchema, etag: { type: 'string', pattern: '^[!-~]{1,256}$' } },
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
type Operation = 'create' | 'list' | 'complete' | 'abort' | 'head' | 'delete' | 'find';

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
  if (code === 'InvalidArgument' && op !== 'create') {
    return new SignerHttpError(400, 'BAD_REQUEST', `S3 refused the request (${describe(error)}).`, {
      cause: error,
    });
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
  if (listingUnsupported(error)) {
    // A mock or gateway without this operation (s3rver: ListParts and Abort): retrying is useless.
    const consequence =
      op === 'abort'
        ? 'The upload was stopped and will not be offered for resume, but its parts stay on the store until a lifecycle rule or its administrator removes them.'
        : 'Use an S3-compatible store that implements it.';
    return new SignerHttpError(
      501,
      'S3_UNSUPPORTED',
      `This S3 does not implement the operation (${op}: ${describe(error)}). ${consequence}`,
      { cause: error },
    );
  }
  return new SignerHttpError(502, 'S3_ERROR', `S3 failed to ${op} (${describe(error)}); retry later.`, {
    cause: error,
  });
}

/**
 * S3 does not implement ListMultipartUploads: s3rver 3.7.1 answers 501 NotImplemented (measured);
 * other mocks and gateways answer 405 MethodNotAllowed.
 */
function listingUnsupported(error: unknown): boolean {
  const code = s3ErrorCode(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return code === 'NotImplemented' || code === 'MethodNotAllowed' || status === 501 || status === 405;
}

async function callS3<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapS3Error(op, error);
  }
}

// ---- routes ----------------------------------------------------------------------------------
/** An onRequest hook that throws 429 when `key` made more than `max` requests in the window. */
function rateLimiter(
  app: FastifyInstance,
  max: number,
  windowSeconds: number,
  keyOf: (request: FastifyRequest) => string,
  who: string,
): (request: FastifyRequest) => Promise<void> {
  if (max <= 0) return async () => {};
  const check = app.createRateLimit({ max, timeWindow: windowSeconds * 1000, keyGenerator: keyOf });
  return async (request) => {
    const limit = await check(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    const retryAfter = Math.max(1, limit.ttlInSeconds);
    throw new SignerHttpError(
      429,
      'RATE_LIMITED',
      `Too many requests ${who}: at most ${max} every ${windowSeconds} s. Retry in ${retryAfter} s.`,
      { retryAfter },
    );
  };
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { config, s3, authenticate, now, registry } = deps;
  // Turned off for good once S3 says it does not implement ListMultipartUploads.
  let s3Listing = deps.s3Listing ?? true;
  const Bucket = config.s3.bucket;
  const lifetimeMs = config.urlLifetimeSeconds * 1000;
  const maxParts = config.maxPartsPerSignRequest ?? DEFAULTS.maxPartsPerSignRequest;
  const rate = { ...DEFAULTS.rateLimit, ...config.rateLimit };
  const maxObjectBytes = config.maxObjectBytes ?? Number.POSITIVE_INFINITY;
  // Parts rotate over the hostnames of the bucket (S3_PART_ENDPOINTS) by part number, so that
  // consecutive parts use different hosts (browsers allow 6 connections per host) and a part
  // signed again keeps its host.
  const partSigners = [s3, ...(deps.partS3 ?? [])];
  const partSigner = (partNumber: number) => partSigners[(partNumber - 1) % partSigners.length] ?? s3;

  // ---- authentication, in onRequest hooks: before the body is even read --------------------
  const owners = new WeakMap<FastifyRequest, string>();
  const limitIp = rateLimiter(
    app,
    rate.perIp,
    rate.windowSeconds,
    // request.ip is undefined on a unix socket: one shared bucket then.
    (request) => `ip:${request.ip ? normalizeIP(request.ip) : 'unknown'}`,
    'from this address',
  );
  const limitOwner = rateLimiter(
    app,
    rate.perOwner,
    rate.windowSeconds,
    (request) => `owner:${owners.get(request)}`,
    'for this account',
  );

  async function authenticated(request: FastifyRequest): Promise<void> {
    await limitIp(request);
    const who = await authenticate(request);
    if (who === null || who === undefined || who === '') {
      const presented = request.headers.authorization !== undefined;
      throw new SignerHttpError(
        401,
        'UNAUTHENTICATED',
        presented
          ? 'The signer did not accept your credentials; sign in again.'
          : 'Authentication required: send Authorization: Bearer <token>.',
        {
          headers: {
            'WWW-Authenticate': `Bearer realm="signer"${presented ? ', error="invalid_token"' : ''}`,
          },
        },
      );
    }
    const bad = ownerProblem(who);
    // The hook's bug, not the caller's: a 500 that the logs explain.
    if (bad) throw new Error(`authenticate returned an unusable owner id: ${bad}.`);
    owners.set(request, who);
    await limitOwner(request);
  }

  function ownerOf(request: FastifyRequest): string {
    const who = owners.get(request);
    if (who === undefined) throw new Error('route reached without authentication');
    return who;
  }

  function ownedKey(request: FastifyRequest, key: string): string {
    if (!keyBelongsTo(key, ownerOf(request))) {
      throw new SignerHttpError(
        403,
        'FORBIDDEN',
        'This upload is not yours (the key was not issued to you by this signer); start a new upload instead.',
      );
    }
    return key;
  }

  // ---- policy -------------------------------------------------------------------------------
  function checkObjectSize(size: number, hardLimit: number, what: string): void {
    const limit = Math.min(hardLimit, maxObjectBytes);
    if (size > limit) {
      throw new SignerHttpError(
        413,
        'TOO_LARGE',
        `The file is ${size} bytes; ${what} accepts at most ${limit} bytes.`,
      );
    }
  }

  function checkType(type: string): void {
    if (typeAllowed(type, config.allowedTypes)) return;
    const allowed = (config.allowedTypes ?? []).join(', ');
    throw new SignerHttpError(
      415,
      'UNSUPPORTED_TYPE',
      type === ''
        ? `Files without a content type are not accepted; allowed types: ${allowed}.`
        : `Files of type "${type}" are not accepted; allowed types: ${allowed}.`,
    );
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

  // ---- finding unfinished uploads ----------------------------------------------------------
  async function forget(request: FastifyRequest, ref: UploadRef): Promise<void> {
    if (!registry) return;
    try {
      await registry.forget(ref);
    } catch (error) {
      request.log.error({ err: error }, 'upload registry: forget failed');
    }
  }

  /** Runs an S3 call on an existing upload; when S3 says the upload is gone, forgets it too. */
  async function forgettingGone<T>(
    request: FastifyRequest,
    ref: UploadRef,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof SignerHttpError && error.code === 'UPLOAD_NOT_FOUND') await forget(request, ref);
      throw error;
    }
  }

  /**
   * The newest of `owner`'s multipart uploads on S3 whose key id is the one `fingerprint` gives
   * (any day), or null; undefined when S3 does not implement ListMultipartUploads.
   */
  async function findOnS3(
    request: FastifyRequest,
    owner: string,
    fingerprint: string,
  ): Promise<FoundUpload | null | undefined> {
    const id = fingerprintId(owner, fingerprint);
    let best: FoundUpload | null = null;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (let page = 0; page < MAX_FIND_PAGES; page++) {
      let out: ListMultipartUploadsCommandOutput;
      try {
        out = await s3.send(
          new ListMultipartUploadsCommand({ Bucket, Prefix: ownerPrefix(owner), KeyMarker, UploadIdMarker }),
        );
      } catch (error) {
        if (!listingUnsupported(error)) throw mapS3Error('find', error);
        s3Listing = false;
        request.log.warn(
          registry
            ? 'S3 does not implement ListMultipartUploads: finding uploads uses the upload registry from now on.'
            : 'S3 does not implement ListMultipartUploads and no upload registry is configured (SIGNER_UPLOAD_REGISTRY): find answers null.',
        );
        return undefined;
      }
      for (const u of out.Uploads ?? []) {
        if (!u.Key || !u.UploadId || keyIdSegment(u.Key, owner) !== id) continue;
        const initiated = u.Initiated?.getTime();
        if (best === null || (initiated ?? 0) >= (best.initiated ?? 0)) {
          best = { key: u.Key, uploadId: u.UploadId };
          if (initiated !== undefined && Number.isFinite(initiated)) best.initiated = initiated;
        }
      }
      if (!out.IsTruncated) return best;
      if (out.NextKeyMarker === KeyMarker && out.NextUploadIdMarker === UploadIdMarker) break;
      KeyMarker = out.NextKeyMarker;
      UploadIdMarker = out.NextUploadIdMarker;
    }
    request.log.warn(`find: stopped after ${MAX_FIND_PAGES} pages of multipart uploads for one owner`);
    return best;
  }

  const guarded = { onRequest: authenticated } as const;
  const jsonRoute = (body: object, bodyLimit = DEFAULT_BODY_LIMIT) =>
    ({ ...guarded, bodyLimit, schema: { body, querystring: noQuery } }) as const;

  // The clock is public (no credentials needed to read it) but rate-limited per address.
  app.get('/time', { onRequest: limitIp, schema: { querystring: noQuery } }, async () => ({
    serverTime: now(),
  }));

  app.post<{ Body: CreateMultipartInput }>('/multipart', jsonRoute(createSchema), async (request) => {
    const who = ownerOf(request);
    const { name, size, type, partSize, partCount, fingerprint } = request.body;
    checkObjectSize(size, MAX_PART_NUMBER * MAX_PART_BYTES, 'a multipart upload');
    checkType(type);
    const expected = Math.ceil(size / partSize);
    if (partCount !== expected) {
      throw new SignerHttpError(
        400,
        'BAD_REQUEST',
        `partCount must be ceil(size / partSize) = ${expected} for size ${size} and partSize ${partSize}, got ${partCount}.`,
      );
    }
    // With a fingerprint the key's id is derived from it, so `find` can match it on S3.
    const key = newObjectKey(who, name, new Date(now()), fingerprint);
    const out = await callS3('create', () =>
      s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: type || undefined })),
    );
    if (!out.UploadId)
      throw new SignerHttpError(502, 'S3_ERROR', 'S3 created the upload but returned no UploadId; retry.');
    const body: CreateMultipartOutput = { key, uploadId: out.UploadId };
    if (registry && fingerprint !== undefined) {
      try {
        await registry.remember(who, fingerprint, { ...body, initiated: now() });
      } catch (error) {
        // The upload exists on S3: failing now would orphan it. It is just not findable via the registry.
        request.log.error({ err: error }, 'upload registry: remember failed');
      }
    }
    return body;
  });

  app.post<{ Body: SignBody }>(
    '/multipart/sign',
    jsonRoute(signSchema(maxParts), signBodyLimit(maxParts)),
    async (request) => {
      const { uploadId, parts, s3Time } = request.body;
      const key = ownedKey(request, request.body.key);
      let total = 0;
      for (const part of parts) total += part.contentLength;
      if (total > maxObjectBytes) {
        throw new SignerHttpError(
          413,
          'TOO_LARGE',
          `These parts add up to ${total} bytes; this signer accepts objects of at most ${maxObjectBytes} bytes.`,
        );
      }
      const { signingDate, expiresAt, serverTime } = signingTimes(s3Time);
      const signed = await Promise.all(
        parts.map(async (part): Promise<SignedPart> => {
          // Content-Length is signed: S3 refuses a PUT of any other size (403), so the declared
          // sizes — and the object size limit — are binding. Browsers and undici send it themselves.
          const command = new UploadPartCommand({
            Bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: part.partNumber,
            ContentLength: part.contentLength,
            ContentMD5: part.contentMd5,
          });
          const url = await getSignedUrl(partSigner(part.partNumber), command, {
            expiresIn: config.urlLifetimeSeconds,
            signingDate,
            signableHeaders: new Set(['content-length']),
          });
          const result: SignedPart = { partNumber: part.partNumber, url, expiresAt };
          if (part.contentMd5) result.headers = { 'Content-MD5': part.contentMd5 };
          return result;
        }),
      );
      const body: SignPartsOutput = { parts: signed, serverTime };
      return body;
    },
  );

  app.post<{ Body: UploadRef }>('/multipart/list', jsonRoute(refSchema), async (request) => {
    const { uploadId } = request.body;
    const key = ownedKey(request, request.body.key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    // ListParts returns at most 1,000 parts a page.
    for (let page = 0; page < 20; page++) {
      const out: ListPartsCommandOutput = await forgettingGone(request, { key, uploadId }, () =>
        callS3('list', () =>
          s3.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker })),
        ),
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
    jsonRoute(completeSchema, COMPLETE_BODY_LIMIT),
    async (request) => {
      const { uploadId, parts } = request.body;
      const key = ownedKey(request, request.body.key);
      const out: CompleteMultipartUploadCommandOutput = await forgettingGone(
        request,
        { key, uploadId },
        async () => {
          try {
            return await s3.send(
              new CompleteMultipartUploadCommand({
                Bucket,
                Key: key,
                UploadId: uploadId,
                MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
              }),
            );
          } catch (error) {
            const mapped = mapS3Error('complete', error);
            // Ceph RGW 16 answers Complete on an unknown uploadId with 500 InternalError ("This
            // multipart completion is already in progress"): ask ListParts whether the upload exists.
            if (mapped.statusCode >= 500) {
              await callS3('list', () =>
                s3.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, MaxParts: 1 })),
              );
            }
            throw mapped;
          }
        },
      );
      // The multipart upload is gone now (it became the object): nothing left to find.
      await forget(request, { key, uploadId });
      // Never trust Complete's ETag alone: Ceph RGW returns it empty. HeadObject also gives the size.
      let head: { ETag?: string; ContentLength?: number } | undefined;
      try {
        head = await s3.send(new HeadObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        // The object exists (Complete succeeded); without Complete's ETag there is nothing to return.
        if (!out.ETag) throw mapS3Error('head', error);
      }
      const size = head?.ContentLength;
      if (size !== undefined && size > maxObjectBytes) {
        // Each part's size is bound into its URL, but not how many parts were signed: enforce the
        // object limit on the result, and do not keep what it refuses.
        await callS3('delete', () => s3.send(new DeleteObjectCommand({ Bucket, Key: key })));
        throw new SignerHttpError(
          413,
          'TOO_LARGE',
          `The uploaded object is ${size} bytes; this signer accepts at most ${maxObjectBytes} bytes. It was deleted.`,
        );
      }
      const etag = out.ETag || head?.ETag;
      if (!etag)
        throw new SignerHttpError(502, 'S3_ERROR', 'S3 completed the upload but reported no ETag; retry.');
      const body: CompletedObject = { key, etag };
      if (size !== undefined) body.size = size;
      if (out.Location) body.location = out.Location;
      return body;
    },
  );

  app.post<{ Body: UploadRef }>('/multipart/abort', jsonRoute(refSchema), async (request) => {
    const { uploadId } = request.body;
    const key = ownedKey(request, request.body.key);
    try {
      await callS3('abort', () =>
        s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })),
      );
    } finally {
      // The caller gave this upload up: never offer it again, even if S3 could not abort it
      // (s3rver has no AbortMultipartUpload; a lifecycle rule removes what is left).
      await forget(request, { key, uploadId });
    }
    return { ok: true };
  });

  app.post<{ Body: FindUploadInput }>('/multipart/find', jsonRoute(findSchema), async (request) => {
    const who = ownerOf(request);
    // size and name are hints for signers that match on them; the fingerprint already covers both.
    const { fingerprint } = request.body;
    let found: FoundUpload | null | undefined = s3Listing
      ? await findOnS3(request, who, fingerprint)
      : undefined;
    if (found === undefined) {
      const remembered = registry ? await registry.find(who, fingerprint) : null;
      found = remembered && keyBelongsTo(remembered.key, who) ? remembered : null;
    }
    const upload: FoundUpload | null = found
      ? {
          key: found.key,
          uploadId: found.uploadId,
          ...(found.initiated !== undefined ? { initiated: found.initiated } : {}),
        }
      : null;
    return { upload };
  });

  app.post<{ Body: SignSingleInput }>('/single', jsonRoute(singleSchema), async (request) => {
    const who = ownerOf(request);
    const { name, size, type, contentMd5 } = request.body;
    checkObjectSize(size, MAX_SINGLE_PUT_BYTES, 'a single PUT');
    checkType(type);
    const key = newObjectKey(who, name, new Date(now()));
    const { signingDate, expiresAt, serverTime } = signingTimes(undefined);
    const command = new PutObjectCommand({
      Bucket,
      Key: key,
      ContentLength: size,
      ContentType: type || undefined,
      ContentMD5: contentMd5,
    });
    // The presigner leaves Content-Type unsigned unless asked; bind it so the object gets the
    // declared type. Content-Length is bound too: S3 refuses a body of any other size.
    const url = await getSignedUrl(s3, command, {
      expiresIn: config.urlLifetimeSeconds,
      signingDate,
      signableHeaders: new Set(type ? ['content-length', 'content-type'] : ['content-length']),
    });
    const headers: Record<string, string> = {};
    if (type) headers['Content-Type'] = type;
    if (contentMd5) headers['Content-MD5'] = contentMd5;
    const body: SignSingleOutput = { key, url, expiresAt, serverTime };
    if (Object.keys(headers).length > 0) body.headers = headers;
    return body;
  });
}
