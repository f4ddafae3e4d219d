import type {
  CompletedObject,
  CreateMultipartOutput,
  FoundUpload,
  ListPartsOutput,
  SignedPart,
  SignPartsOutput,
  SignSingleOutput,
  UploadedPart,
} from './types';

// Hand-written guards for the signer's JSON (docs/protocol.md): a validation library would
// cost more bundle than the whole engine. Each throws ShapeError naming the offending field.

export class ShapeError extends Error {
  override name = 'ShapeError';
}

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${path || 'the body'} is not a JSON object`);
  }
  return value as Json;
}

function string(o: Json, key: string, path: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new ShapeError(`${path}${key} is missing or not a string`);
  return value;
}

function number(o: Json, key: string, path: string): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ShapeError(`${path}${key} is missing or not a number`);
  }
  return value;
}

function partNumber(o: Json, path: string): number {
  const value = number(o, 'partNumber', path);
  if (!Number.isInteger(value) || value < 1)
    throw new ShapeError(`${path}partNumber is not a positive integer`);
  return value;
}

function optional<T>(o: Json, key: string, path: string, read: (o: Json, key: string, path: string) => T) {
  return o[key] === undefined || o[key] === null ? undefined : read(o, key, path);
}

function array(o: Json, key: string, path: string): unknown[] {
  const value = o[key];
  if (!Array.isArray(value)) throw new ShapeError(`${path}${key} is missing or not an array`);
  return value;
}

function headers(o: Json, key: string, path: string): Record<string, string> {
  const value = object(o[key], `${path}${key}`);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ShapeError(`${path}${key}.${name} is not a string`);
  }
  return value as Record<string, string>;
}

function signedPart(value: unknown, path: string): SignedPart {
  const o = object(value, path);
  const part: SignedPart = {
    partNumber: partNumber(o, `${path}.`),
    url: string(o, 'url', `${path}.`),
    expiresAt: number(o, 'expiresAt', `${path}.`),
  };
  const h = optional(o, 'headers', `${path}.`, headers);
  if (h) part.headers = h;
  return part;
}

function uploadedPart(value: unknown, path: string): UploadedPart {
  const o = object(value, path);
  const part: UploadedPart = { partNumber: partNumber(o, `${path}.`), etag: string(o, 'etag', `${path}.`) };
  const size = optional(o, 'size', `${path}.`, number);
  if (size !== undefined) part.size = size;
  return part;
}

export function parseCreate(body: unknown): CreateMultipartOutput {
  const o = object(body, '');
  return { key: string(o, 'key', ''), uploadId: string(o, 'uploadId', '') };
}

/** Also checks every requested part came back, so the engine never waits for a URL that will not come. */
export function parseSignParts(body: unknown, requested: number[]): SignPartsOutput {
  const o = object(body, '');
  const parts = array(o, 'parts', '').map((p, i) => signedPart(p, `parts[${i}]`));
  const returned = new Set(parts.map((p) => p.partNumber));
  const missing = requested.filter((n) => !returned.has(n));
  if (missing.length > 0) throw new ShapeError(`parts lacks part number(s) ${missing.join(', ')}`);
  const output: SignPartsOutput = { parts };
  const serverTime = optional(o, 'serverTime', '', number);
  if (serverTime !== undefined) output.serverTime = serverTime;
  return output;
}

export function parseListParts(body: unknown): ListPartsOutput {
  const o = object(body, '');
  return { parts: array(o, 'parts', '').map((p, i) => uploadedPart(p, `parts[${i}]`)) };
}

export function parseComplete(body: unknown): CompletedObject {
  const o = object(body, '');
  const done: CompletedObject = { key: string(o, 'key', ''), etag: string(o, 'etag', '') };
  const size = optional(o, 'size', '', number);
  if (size !== undefined) done.size = size;
  const location = optional(o, 'location', '', string);
  if (location !== undefined) done.location = location;
  return done;
}

/** `{upload: {key, uploadId, initiated?}}` or `{upload: null}` (nothing to resume). */
export function parseFindUpload(body: unknown): FoundUpload | null {
  const o = object(body, '');
  if (o.upload === null) return null;
  if (o.upload === undefined) throw new ShapeError('upload is missing (null when nothing was found)');
  const u = object(o.upload, 'upload');
  const found: FoundUpload = { key: string(u, 'key', 'upload.'), uploadId: string(u, 'uploadId', 'upload.') };
  if (found.key === '' || found.uploadId === '')
    throw new ShapeError('upload.key or upload.uploadId is empty');
  const initiated = optional(u, 'initiated', 'upload.', number);
  if (initiated !== undefined) found.initiated = initiated;
  return found;
}

/** `{ok: true}`, or an empty body (a 204 from a custom signer). */
export function parseAbort(body: unknown): void {
  if (body === undefined) return;
  if (object(body, '').ok !== true) throw new ShapeError('ok is not true');
}

export function parseSingle(body: unknown): SignSingleOutput {
  const o = object(body, '');
  const single: SignSingleOutput = {
    key: string(o, 'key', ''),
    url: string(o, 'url', ''),
    expiresAt: number(o, 'expiresAt', ''),
  };
  const h = optional(o, 'headers', '', headers);
  if (h) single.headers = h;
  const serverTime = optional(o, 'serverTime', '', number);
  if (serverTime !== undefined) single.serverTime = serverTime;
  return single;
}

/** The `{error: {code, message}}` of a non-2xx answer, when it has that shape. */
export function parseErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as Json).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as Json;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' && message ? { message } : {}),
  };
}
