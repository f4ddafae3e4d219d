// The checks of `s3mu doctor`, one small function each. They send what a browser at `origin`
// would send (Origin, CORS preflights, the signed headers) and judge the answers the way the
// browser would: Node's fetch ignores CORS, so the CORS response headers are checked explicitly.
import { createHash } from 'node:crypto';
import {
  parseAbort,
  parseCreate,
  parseErrorBody,
  parseListParts,
  parseSignParts,
  ShapeError,
} from '../engine/signer-response';
import type { CreateMultipartOutput, SignedPart } from '../engine/types';
import type { CheckResult } from './doctor-report';

export interface DoctorContext {
  /** Signer base URL without a trailing slash, e.g. `http://127.0.0.1:8787/api/uploads`. */
  signer: string;
  /** The browser origin to check for, e.g. `https://app.example.com`. */
  origin: string;
  token: string | undefined;
  fetch: typeof fetch;
  /** This machine's clock, epoch ms. */
  now: () => number;
  /** Per request. */
  timeoutMs: number;
}

/** Clock skew thresholds (this machine vs the signer). */
export const SKEW_WARN_MS = 5_000;
/** SigV4: S3 refuses requests dated more than 15 minutes from its clock. */
export const SKEW_FAIL_MS = 15 * 60_000;

// ---- HTTP ------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** This machine's clock when the request was sent and when the answer arrived. */
  sentAt: number;
  receivedAt: number;
}

/** No HTTP answer at all (refused, DNS, TLS, timeout). */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
}

export async function httpRequest(
  ctx: DoctorContext,
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string } = {},
): Promise<HttpAnswer> {
  const sentAt = ctx.now();
  try {
    const response = await ctx.fetch(url, {
      method,
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      // Neither a preflight nor a presigned PUT follows redirects in a browser.
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, sentAt, receivedAt: ctx.now() };
  } catch (error) {
    throw new NoAnswer(describeNetworkError(error, ctx.timeoutMs));
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${cause.message}`;
  }
  return error.message;
}

/** `a, B ,c` → `['a', 'b', 'c']`: comma-separated header values, lower-cased. */
export function headerList(value: string | null): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

/** Whether an Access-Control-Allow-Origin value lets `origin` read the answer (no credentials). */
export function allowsOrigin(value: string | null, origin: string): boolean {
  return value !== null && (value.trim() === '*' || value.trim() === origin);
}

/** Which of `wanted` (lower case) a list header does not allow; `*` allows all but `authorization`. */
export function missingFromList(value: string | null, wanted: string[]): string[] {
  const list = headerList(value);
  return wanted.filter((name) => !list.includes(name) && !(list.includes('*') && name !== 'authorization'));
}

function short(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

// ---- the signer ------------------------------------------------------------------------------

/** A signer call's outcome: its JSON on 2xx, else the protocol error (status, code, message). */
type SignerOutcome<T> =
  | { ok: true; value: T; answer: HttpAnswer }
  | { ok: false; status: number | null; code: string | undefined; message: string };

function describeFailure(outcome: { status: number | null; code: string | undefined; message: string }) {
  if (outcome.status === null) return outcome.message;
  return `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}: ${outcome.message}`;
}

async function callSigner<T>(
  ctx: DoctorContext,
  path: string,
  payload: unknown,
  parse: (body: unknown) => T,
  token = ctx.token,
): Promise<SignerOutcome<T>> {
  const headers: Record<string, string> = {
    origin: ctx.origin,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let answer: HttpAnswer;
  try {
    answer = await httpRequest(ctx, 'POST', `${ctx.signer}${path}`, {
      headers,
      body: JSON.stringify(payload),
    });
  } catch (error) {
    return {
      ok: false,
      status: null,
      code: undefined,
      message: `no answer from POST ${path} (${(error as Error).message})`,
    };
  }
  let json: unknown;
  try {
    json = answer.text.trim() === '' ? undefined : JSON.parse(answer.text);
  } catch {
    json = null;
  }
  if (answer.status < 200 || answer.status >= 300) {
    const { code, message } = parseErrorBody(json);
    return { ok: false, status: answer.status, code, message: message ?? `"${short(answer.text)}"` };
  }
  try {
    return { ok: true, value: parse(json), answer };
  } catch (error) {
    const why = error instanceof ShapeError ? error.message : String(error);
    return {
      ok: false,
      status: answer.status,
      code: undefined,
      message: `the answer to POST ${path} is not the protocol's JSON (${why})`,
    };
  }
}

export interface SignerTime {
  answer: HttpAnswer;
  /** The signer's clock (serverTime, else the Date header), epoch ms; null when it told neither. */
  serverTime: number | null;
  /** Uncertainty of serverTime in ms (half the round trip, or 1 s for a Date header). */
  precisionMs: number;
}

/** 1. `GET B/time` answers `{serverTime}`. */
export async function checkSignerReachable(
  ctx: DoctorContext,
): Promise<{ result: CheckResult; time?: SignerTime }> {
  const url = `${ctx.signer}/time`;
  const baseFix =
    'Pass the signer base URL with --signer: the prefix of its routes (/time, /multipart, …), e.g. ' +
    'http://127.0.0.1:8787/api/uploads for the reference signer (SIGNER_BASE_PATH).';
  let answer: HttpAnswer;
  try {
    answer = await httpRequest(ctx, 'GET', url, { headers: { origin: ctx.origin } });
  } catch (error) {
    return {
      result: {
        id: 'signer-reachable',
        status: 'fail',
        message: `Could not reach ${url} (${(error as Error).message}).`,
        fix: `Start the signer (npm run signer) or correct the address. ${baseFix}`,
      },
    };
  }
  const rtt = answer.receivedAt - answer.sentAt;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  if (answer.status !== 200 || typeof body !== 'object' || body === null) {
    return {
      result: {
        id: 'signer-reachable',
        status: 'fail',
        message: `GET ${url} answered HTTP ${answer.status} with "${short(answer.text, 80)}", not the signer's {serverTime}.`,
        fix: baseFix,
      },
    };
  }
  // serverTime (ms) when the signer tells it, else the Date header (whole seconds).
  const told = (body as { serverTime?: unknown }).serverTime;
  const date = Date.parse(answer.headers.get('date') ?? '');
  let serverTime: number | null = null;
  let precisionMs = Math.ceil(rtt / 2);
  if (typeof told === 'number' && Number.isFinite(told)) serverTime = told;
  else if (!Number.isNaN(date)) {
    serverTime = date + 500;
    precisionMs += 500;
  }
  return {
    result: {
      id: 'signer-reachable',
      status: 'pass',
      message: `GET ${url} answered in ${rtt} ms.`,
    },
    time: { answer, serverTime, precisionMs },
  };
}

/** 2. The signer's CORS preflight for POST from the origin, and Access-Control-Allow-Origin on its answers. */
export async function checkSignerCors(ctx: DoctorContext, time: SignerTime): Promise<CheckResult> {
  const fix =
    `Add ${ctx.origin} to SIGNER_ALLOWED_ORIGINS on the signer (comma-separated origins, e.g. ` +
    `SIGNER_ALLOWED_ORIGINS=${ctx.origin}) and restart it.\nA signer of your own must answer OPTIONS with ` +
    `Access-Control-Allow-Origin: ${ctx.origin}, Access-Control-Allow-Methods: POST and ` +
    'Access-Control-Allow-Headers: authorization, content-type, and send Access-Control-Allow-Origin on every answer.';
  const fail = (message: string): CheckResult => ({ id: 'signer-cors', status: 'fail', message, fix });
  let answer: HttpAnswer;
  try {
    answer = await httpRequest(ctx, 'OPTIONS', `${ctx.signer}/multipart`, {
      headers: {
        origin: ctx.origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
  } catch (error) {
    return fail(
      `The CORS preflight (OPTIONS ${ctx.signer}/multipart) got no answer (${(error as Error).message}).`,
    );
  }
  const acao = answer.headers.get('access-control-allow-origin');
  if (answer.status < 200 || answer.status >= 300 || !allowsOrigin(acao, ctx.origin)) {
    return fail(
      `The signer's CORS preflight for POST from ${ctx.origin} answered HTTP ${answer.status} with ` +
        `${acao ? `Access-Control-Allow-Origin: ${acao}` : 'no Access-Control-Allow-Origin'}: a browser there cannot call it.`,
    );
  }
  const methods = answer.headers.get('access-control-allow-methods');
  // POST is a CORS-safelisted method: an answer without Access-Control-Allow-Methods allows it.
  if (methods !== null && missingFromList(methods, ['post']).length > 0) {
    return fail(`The signer's preflight allows the methods "${methods}", not POST.`);
  }
  const missing = missingFromList(answer.headers.get('access-control-allow-headers'), [
    'authorization',
    'content-type',
  ]);
  if (missing.length > 0) {
    return fail(`The signer's preflight does not allow the request header(s) ${missing.join(', ')}.`);
  }
  const timeAcao = time.answer.headers.get('access-control-allow-origin');
  if (!allowsOrigin(timeAcao, ctx.origin)) {
    return fail(
      `The preflight allows ${ctx.origin}, but the signer's answers (GET /time) carry ` +
        `${timeAcao ? `Access-Control-Allow-Origin: ${timeAcao}` : 'no Access-Control-Allow-Origin'}, so a browser cannot read them.`,
    );
  }
  return {
    id: 'signer-cors',
    status: 'pass',
    message: `The signer allows POST from ${ctx.origin} with Authorization and Content-Type.`,
  };
}

/** The doctor's test object: a few bytes, one part, never completed (see cleanupTestUpload). */
export interface TestFile {
  name: string;
  type: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** base64, as sent in Content-MD5. */
  md5Base64: string;
  md5Hex: string;
}

export function makeTestFile(now: number): TestFile {
  const bytes = new TextEncoder().encode(
    `s3mu doctor test part (${new Date(now).toISOString()}); the doctor aborts its upload.\n`,
  );
  const md5 = createHash('md5').update(bytes).digest();
  return {
    name: 's3mu-doctor.txt',
    type: 'text/plain',
    bytes,
    md5Base64: md5.toString('base64'),
    md5Hex: md5.toString('hex'),
  };
}

export type CreateOutcome = SignerOutcome<CreateMultipartOutput>;

/** 3. A create call with the token: 401 means no or a wrong token. */
export async function checkAuth(
  ctx: DoctorContext,
  file: TestFile,
): Promise<{ result: CheckResult; created: CreateOutcome }> {
  const size = file.bytes.byteLength;
  const created = await callSigner(
    ctx,
    '/multipart',
    { name: file.name, size, type: file.type, partSize: size, partCount: 1 },
    parseCreate,
  );
  const result = ((): CheckResult => {
    const accepted = (refused: string): CheckResult =>
      ctx.token
        ? { id: 'auth', status: 'pass', message: `The signer accepted the token${refused}.` }
        : {
            id: 'auth',
            status: 'warn',
            message: `The signer accepted a request without any token${refused}: anyone who can reach it can upload.`,
            fix: 'Unless this is local development, require authentication: set SIGNER_AUTH_TOKENS=token:owner,… (or pass an authenticate hook to buildSignerApp) instead of SIGNER_AUTH=none.',
          };
    if (created.ok) return accepted('');
    // Other refusals come after authentication (the reference signer authenticates first).
    if (![401, 403, 429, null].includes(created.status)) {
      return accepted(` (it refused the test upload itself: HTTP ${created.status})`);
    }
    if (created.status === 401) {
      return ctx.token
        ? {
            id: 'auth',
            status: 'fail',
            message: `The signer refused the token (${describeFailure(created)})`,
            fix:
              'Pass a token the signer accepts with --token (or S3MU_TOKEN): for the reference signer, the part ' +
              'before ":" of an entry of SIGNER_AUTH_TOKENS=token:owner,…; with an authenticate hook, what it expects ' +
              'after "Authorization: Bearer ".',
          }
        : {
            id: 'auth',
            status: 'fail',
            message: `The signer requires authentication and no token was given (${describeFailure(created)})`,
            fix: 'Pass --token T (or set S3MU_TOKEN) with a token the signer accepts (reference signer: SIGNER_AUTH_TOKENS=token:owner,…).',
          };
    }
    if (created.status === 403) {
      return {
        id: 'auth',
        status: 'fail',
        message: `The signer refused this caller (${describeFailure(created)})`,
        fix: "Use a token of an account that may upload; check the signer's authenticate hook.",
      };
    }
    return {
      id: 'auth',
      status: 'fail',
      message: `Could not check the token: ${describeFailure(created)}`,
      fix:
        created.status === 429
          ? 'The signer is rate limiting this address; wait a minute and run s3mu doctor again.'
          : 'Check that the signer is running and reachable, then run s3mu doctor again.',
    };
  })();
  return { result, created };
}

/** 4. This machine's clock against the signer's. */
export function checkClock(time: SignerTime): CheckResult {
  if (time.serverTime === null) {
    return {
      id: 'clock-skew',
      status: 'warn',
      message: "The signer reported no time (no serverTime, no Date header); its clock can't be checked.",
      fix: 'Answer GET /time with {"serverTime": <epoch ms>} (docs/protocol.md).',
    };
  }
  const local = (time.answer.sentAt + time.answer.receivedAt) / 2;
  const skew = time.serverTime - local;
  const abs = Math.abs(skew);
  const amount = abs >= 120_000 ? `${(abs / 60_000).toFixed(1)} min` : `${(abs / 1000).toFixed(1)} s`;
  const relation = abs < 50 ? 'agrees with' : `is ${amount} ${skew > 0 ? 'ahead of' : 'behind'}`;
  const message = `The signer's clock ${relation} this machine's (±${Math.max(time.precisionMs, 1)} ms).`;
  const fix =
    'Synchronise the clocks with NTP on the signer host and on this machine (chrony, or systemd-timesyncd: timedatectl set-ntp true).';
  if (abs > SKEW_FAIL_MS) {
    return {
      id: 'clock-skew',
      status: 'fail',
      message: `${message} Presigned URLs are dated with the signer's clock; S3 refuses them when that is more than 15 min off.`,
      fix,
    };
  }
  if (abs > SKEW_WARN_MS) return { id: 'clock-skew', status: 'warn', message, fix };
  return { id: 'clock-skew', status: 'pass', message };
}

/** How many part numbers the doctor signs to find the hosts the signer puts part URLs on. */
export const PART_HOST_PROBES = 8;

export interface SignedTestParts {
  result: CheckResult;
  /** Part 1, the one the S3 checks use. */
  signed?: SignedPart;
  /** Parts 1..PART_HOST_PROBES as signed (only part 1 when the signer refused the others). */
  parts?: SignedPart[];
  /** Why the signer refused to sign parts 1..PART_HOST_PROBES at once, if it did. */
  refusedOthers?: string;
}

/** 5. The create call succeeded and the signer signs the test part (and parts 2..8, for checkPartHosts). */
export async function checkTestUpload(
  ctx: DoctorContext,
  file: TestFile,
  created: CreateOutcome,
): Promise<SignedTestParts> {
  if (!created.ok) {
    const fixes: Record<string, string> = {
      S3_ERROR:
        "The signer cannot use the bucket: check its S3_ENDPOINT, S3_REGION, S3_BUCKET and credentials (they need s3:PutObject and s3:AbortMultipartUpload on the bucket's uploads/ prefix), and the signer's log.",
      UNSUPPORTED_TYPE: `The doctor uploads a tiny ${file.type} file: allow ${file.type} in SIGNER_ALLOWED_TYPES, or check a signer without type restrictions.`,
      TOO_LARGE: `The doctor's test file is ${file.bytes.byteLength} bytes: raise SIGNER_MAX_OBJECT_BYTES.`,
    };
    return {
      result: {
        id: 'test-upload',
        status: 'fail',
        message: `The signer did not create the test multipart upload (${describeFailure(created)})`,
        fix:
          (created.code && fixes[created.code]) ??
          "Follow the signer's message above; docs/protocol.md describes the create call.",
      },
    };
  }
  const { key, uploadId } = created.value;
  const size = file.bytes.byteLength;
  const sign = (numbers: number[]) =>
    callSigner(
      ctx,
      '/multipart/sign',
      {
        key,
        uploadId,
        parts: numbers.map((partNumber) => ({ partNumber, contentLength: size, contentMd5: file.md5Base64 })),
      },
      (body) => parseSignParts(body, numbers),
    );
  // Parts 1..PART_HOST_PROBES, to see every host the signer spreads part URLs over (never completed,
  // so their tiny size does not matter); a signer that refuses them for a one-part upload signs part 1.
  const numbers = Array.from({ length: PART_HOST_PROBES }, (_, i) => i + 1);
  let signed = await sign(numbers);
  let refusedOthers: string | undefined;
  if (!signed.ok) {
    refusedOthers = describeFailure(signed);
    signed = await sign([1]);
  }
  if (!signed.ok) {
    return {
      result: {
        id: 'test-upload',
        status: 'fail',
        message: `The signer created ${key} but did not sign its part (${describeFailure(signed)})`,
        fix: "Check the signer's log; docs/protocol.md describes the sign call.",
      },
    };
  }
  const parts = numbers.flatMap((n) => signed.value.parts.find((p) => p.partNumber === n) ?? []);
  const part = parts[0] as SignedPart;
  return {
    result: {
      id: 'test-upload',
      status: 'pass',
      message: `The signer created a multipart upload (${key}) and signed its ${size}-byte part for ${new URL(part.url).origin}.`,
    },
    signed: part,
    parts,
    ...(refusedOthers !== undefined ? { refusedOthers } : {}),
  };
}

// ---- S3 --------------------------------------------------------------------------------------

/** The bucket of a presigned URL: path-style `/bucket/key`, else virtual-hosted `bucket.host`. */
export function bucketOf(url: string, key: string): { bucket: string; endpoint: string | undefined } {
  const parsed = new URL(url);
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    path = parsed.pathname;
  }
  const aws = /(^|\.)amazonaws\.com$/.test(parsed.hostname);
  if (path.endsWith(`/${key}`) && path !== `/${key}`) {
    const bucket = path.slice(1, path.length - key.length - 1);
    if (bucket && !bucket.includes('/')) return { bucket, endpoint: aws ? undefined : parsed.origin };
  }
  if (path === `/${key}`) {
    const bucket = parsed.hostname.split('.')[0] ?? '';
    return { bucket: bucket || 'YOUR_BUCKET', endpoint: undefined };
  }
  return { bucket: 'YOUR_BUCKET', endpoint: undefined };
}

/** The bucket CORS configuration browsers at `origin` need, and how to apply it. */
export function bucketCorsFix(origin: string, url: string, key: string): string {
  const { bucket, endpoint } = bucketOf(url, key);
  return [
    `Allow PUT from ${origin} and expose ETag in the bucket's CORS configuration (cors.json):`,
    '{',
    '  "CORSRules": [',
    '    {',
    `      "AllowedOrigins": [${JSON.stringify(origin)}],`,
    '      "AllowedMethods": ["PUT", "GET", "HEAD"],',
    '      "AllowedHeaders": ["*"],',
    '      "ExposeHeaders": ["ETag"],',
    '      "MaxAgeSeconds": 3000',
    '    }',
    '  ]',
    '}',
    `aws s3api put-bucket-cors --bucket ${bucket} --cors-configuration file://cors.json` +
      (endpoint ? ` --endpoint-url ${endpoint}` : ''),
  ].join('\n');
}

/** 6. The CORS preflight a browser sends before the part PUT. */
export async function checkS3Preflight(
  ctx: DoctorContext,
  part: SignedPart,
  key: string,
  /** The signer setting that put this endpoint in the URL, for the fix when it gets no answer. */
  setting = 'S3_ENDPOINT',
): Promise<CheckResult> {
  const where = new URL(part.url).origin;
  const fail = (message: string): CheckResult => ({
    id: 's3-cors-preflight',
    status: 'fail',
    message,
    fix: bucketCorsFix(ctx.origin, part.url, key),
  });
  let answer: HttpAnswer;
  try {
    answer = await httpRequest(ctx, 'OPTIONS', part.url, {
      headers: {
        origin: ctx.origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-md5,content-type',
      },
    });
  } catch (error) {
    return {
      id: 's3-cors-preflight',
      status: 'fail',
      message: `The CORS preflight to ${where} got no answer (${(error as Error).message}).`,
      fix: `Check that ${where} (the endpoint in the signer's presigned URLs, ${setting}) is reachable from browsers.`,
    };
  }
  const acao = answer.headers.get('access-control-allow-origin');
  if (answer.status < 200 || answer.status >= 300 || !allowsOrigin(acao, ctx.origin)) {
    return fail(
      `S3 (${where}) answered the preflight for PUT from ${ctx.origin} with HTTP ${answer.status} and ` +
        `${acao ? `Access-Control-Allow-Origin: ${acao}` : 'no Access-Control-Allow-Origin'}: the bucket's CORS does not allow this origin.`,
    );
  }
  const methods = answer.headers.get('access-control-allow-methods');
  if (missingFromList(methods, ['put']).length > 0) {
    return fail(`The bucket's CORS allows the methods "${methods ?? ''}" from ${ctx.origin}, not PUT.`);
  }
  const missing = missingFromList(answer.headers.get('access-control-allow-headers'), [
    'content-md5',
    'content-type',
  ]);
  if (missing.length > 0) {
    return fail(`The bucket's CORS does not allow the request header(s) ${missing.join(', ')} on PUT.`);
  }
  return {
    id: 's3-cors-preflight',
    status: 'pass',
    message: `The bucket allows PUT from ${ctx.origin} with Content-MD5 and Content-Type.`,
  };
}

/** `<Code>` and `<Message>` of S3's XML error body. */
function s3Error(text: string): { code: string | undefined; message: string | undefined } {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return { code, message: message || undefined };
}

const S3_PUT_FIXES: Record<string, string> = {
  SignatureDoesNotMatch:
    "S3 does not accept the signer's signature: check the signer's S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, S3_REGION and S3_ENDPOINT (and that no proxy rewrites the Host header).",
  AccessDenied:
    "Give the signer's credentials s3:PutObject on the bucket's uploads/ prefix; if they have it, the URL may have expired: check the signer's clock and SIGNER_URL_LIFETIME_SECONDS.",
  RequestTimeTooSkewed: "Synchronise the signer host's clock with NTP.",
  NoSuchUpload:
    'The multipart upload vanished right after it was created: check lifecycle rules on the bucket.',
  NoSuchBucket: "The signer's S3_BUCKET does not exist on that endpoint: create it or fix S3_BUCKET.",
};

/** 7. The part PUT with `Origin`: accepted by S3, and readable by the page (Access-Control-Allow-Origin). */
export async function checkS3Put(
  ctx: DoctorContext,
  part: SignedPart,
  file: TestFile,
  key: string,
  /** The signer setting that put this endpoint in the URL, for the fix when it gets no answer. */
  setting = 'S3_ENDPOINT',
): Promise<{ result: CheckResult; answer?: HttpAnswer }> {
  const where = new URL(part.url).origin;
  let answer: HttpAnswer;
  try {
    answer = await httpRequest(ctx, 'PUT', part.url, {
      headers: { ...part.headers, origin: ctx.origin },
      body: file.bytes,
    });
  } catch (error) {
    return {
      result: {
        id: 's3-put',
        status: 'fail',
        message: `The part PUT to ${where} got no answer (${(error as Error).message}).`,
        fix: `Check that ${where} (the endpoint in the signer's presigned URLs, ${setting}) is reachable from browsers.`,
      },
    };
  }
  if (answer.status < 200 || answer.status >= 300) {
    const { code, message } = s3Error(answer.text);
    return {
      result: {
        id: 's3-put',
        status: 'fail',
        message: `S3 refused the presigned part PUT: HTTP ${answer.status}${code ? ` ${code}` : ''}${message ? ` (${message})` : ''}.`,
        fix:
          (code && S3_PUT_FIXES[code]) ??
          "Check the signer's S3 settings (endpoint, region, bucket, credentials) and S3's answer above.",
      },
    };
  }
  const acao = answer.headers.get('access-control-allow-origin');
  if (!allowsOrigin(acao, ctx.origin)) {
    return {
      result: {
        id: 's3-put',
        status: 'fail',
        message:
          `S3 stored the part, but its answer carries ${acao ? `Access-Control-Allow-Origin: ${acao}` : 'no Access-Control-Allow-Origin'}: ` +
          `a browser at ${ctx.origin} sees a network error.`,
        fix: bucketCorsFix(ctx.origin, part.url, key),
      },
      answer,
    };
  }
  return {
    result: {
      id: 's3-put',
      status: 'pass',
      message: `S3 accepted the presigned PUT from ${ctx.origin} (HTTP ${answer.status}, ${answer.receivedAt - answer.sentAt} ms).`,
    },
    answer,
  };
}

/** 8. The page can read the part's ETag: Access-Control-Expose-Headers lists it. */
export function checkEtagExposed(
  ctx: DoctorContext,
  answer: HttpAnswer,
  part: SignedPart,
  key: string,
): CheckResult {
  const etag = answer.headers.get('etag');
  if (!etag) {
    return {
      id: 'etag-exposed',
      status: 'fail',
      message: 'S3 answered the part PUT without an ETag header at all.',
      fix: "The engine needs each part's ETag to complete the upload: use an S3 (or S3-compatible store) that returns it, and check that no proxy strips it.",
    };
  }
  const exposed = answer.headers.get('access-control-expose-headers');
  if (missingFromList(exposed, ['etag']).length > 0) {
    return {
      id: 'etag-exposed',
      status: 'fail',
      message:
        `S3 sent ETag ${etag} but ${exposed ? `exposes only "${exposed}"` : 'no Access-Control-Expose-Headers'}: ` +
        "the page cannot read part ETags (uploads fail with ETAG_NOT_EXPOSED); the bucket's CORS ExposeHeaders must list ETag.",
      fix: bucketCorsFix(ctx.origin, part.url, key),
    };
  }
  return {
    id: 'etag-exposed',
    status: 'pass',
    message: `The bucket exposes ETag to ${ctx.origin} (Access-Control-Expose-Headers: ${exposed}).`,
  };
}

/**
 * 9b. Every other host the signer puts part URLs on (S3_PART_ENDPOINTS of the reference signer):
 * the same preflight, PUT and ETag checks as for part 1, on the first part of each other origin.
 */
export async function checkPartHosts(
  ctx: DoctorContext,
  signed: { parts: SignedPart[]; refusedOthers?: string | undefined },
  file: TestFile,
  key: string,
): Promise<CheckResult> {
  const [first, ...rest] = signed.parts;
  if (!first) throw new Error('checkPartHosts needs the signed part 1');
  const home = new URL(first.url).origin;
  if (signed.refusedOthers !== undefined) {
    return {
      id: 'part-hosts',
      status: 'warn',
      message: `The signer refused to sign parts 1–${PART_HOST_PROBES} of the one-part test upload (${signed.refusedOthers}), so only part 1's host ${home} was checked.`,
      fix: `If the signer puts part URLs on several hostnames, check that each one's bucket CORS allows PUT from ${ctx.origin} and exposes ETag.`,
    };
  }
  const others = new Map<string, SignedPart>();
  for (const part of rest) {
    const origin = new URL(part.url).origin;
    if (origin !== home && !others.has(origin)) others.set(origin, part);
  }
  if (others.size === 0) {
    return { id: 'part-hosts', status: 'pass', message: `All parts go to ${home}.` };
  }
  const failures: { origin: string; part: SignedPart; result: CheckResult }[] = [];
  for (const [origin, part] of others) {
    const failed = (result: CheckResult) => failures.push({ origin, part, result });
    const preflight = await checkS3Preflight(ctx, part, key, 'S3_PART_ENDPOINTS');
    if (preflight.status === 'fail') {
      failed(preflight);
      continue;
    }
    const put = await checkS3Put(ctx, part, file, key, 'S3_PART_ENDPOINTS');
    if (put.result.status === 'fail' || !put.answer) {
      failed(put.result);
      continue;
    }
    const etag = checkEtagExposed(ctx, put.answer, part, key);
    if (etag.status === 'fail') failed(etag);
  }
  const list = [...others.keys()].join(', ');
  if (failures.length === 0) {
    return {
      id: 'part-hosts',
      status: 'pass',
      message: `Parts also go to ${list}: CORS, PUT and ETag work there.`,
    };
  }
  const where = (f: (typeof failures)[number]) => `${f.origin} (part ${f.part.partNumber})`;
  return {
    id: 'part-hosts',
    status: 'fail',
    message:
      `Parts also go to ${list}; in a browser the parts sent to ${failures.map((f) => f.origin).join(', ')} fail: ` +
      failures.map((f) => `${where(f)}: ${f.result.message}`).join(' '),
    fix: [
      ...failures.map((f) => `For ${where(f)}: ${f.result.fix ?? 'see the message above.'}`),
      `Or remove ${failures.map((f) => f.origin).join(', ')} from the hosts the signer puts part URLs on ` +
        "(reference signer: S3_PART_ENDPOINTS; check the hostname's DNS too).",
    ].join('\n'),
  };
}

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

/** 9. ListParts shows the part with the size sent and the MD5 of its bytes as ETag. */
export async function checkPartStored(
  ctx: DoctorContext,
  upload: CreateMultipartOutput,
  file: TestFile,
): Promise<CheckResult> {
  const listed = await callSigner(ctx, '/multipart/list', upload, parseListParts);
  if (!listed.ok) {
    return {
      id: 'part-stored',
      status: 'fail',
      message: `The signer could not list the test upload's parts (${describeFailure(listed)})`,
      fix: "Resuming uploads needs list: check the signer's log and its s3:ListMultipartUploadParts permission.",
    };
  }
  const part = listed.value.parts.find((p) => p.partNumber === 1);
  const size = file.bytes.byteLength;
  if (!part) {
    return {
      id: 'part-stored',
      status: 'fail',
      message: 'S3 accepted the part PUT, but ListParts does not show part 1.',
      fix: 'Check that the presigned URLs and the signer use the same bucket and endpoint.',
    };
  }
  if (part.size !== undefined && part.size !== size) {
    return {
      id: 'part-stored',
      status: 'fail',
      message: `S3 stored part 1 with ${part.size} bytes; ${size} were sent.`,
      fix: 'Something between this machine and S3 changes request bodies (a proxy?); uploads would be corrupted.',
    };
  }
  if (unquote(part.etag) !== file.md5Hex) {
    return {
      id: 'part-stored',
      status: 'warn',
      message: `S3 stored part 1 (${size} bytes), but its ETag ${part.etag} is not the MD5 of the bytes (SSE-KMS or SSE-C?).`,
      fix: "The engine's end-to-end check compares ETags with MD5s: pass integrity: 'parts' to createUpload for this bucket.",
    };
  }
  return {
    id: 'part-stored',
    status: 'pass',
    message: `S3 lists part 1 with ${size} bytes and ETag ${part.etag}, the MD5 of the bytes sent.`,
  };
}

/** 10. Abort the test upload (the protocol has no delete, so the doctor never completes it). */
export async function cleanupTestUpload(
  ctx: DoctorContext,
  upload: CreateMultipartOutput,
): Promise<CheckResult> {
  const aborted = await callSigner(ctx, '/multipart/abort', upload, parseAbort);
  if (!aborted.ok) {
    return {
      id: 'cleanup',
      status: 'fail',
      message: `Could not abort the test upload ${upload.key} (${describeFailure(aborted)})`,
      fix:
        `Abort it by hand: aws s3api abort-multipart-upload --bucket BUCKET --key '${upload.key}' --upload-id '${upload.uploadId}'. ` +
        'Also add a lifecycle rule AbortIncompleteMultipartUpload (e.g. 7 days) to the bucket.',
    };
  }
  const after = await callSigner(ctx, '/multipart/list', upload, parseListParts);
  if (after.ok) {
    return {
      id: 'cleanup',
      status: 'warn',
      message: `The signer aborted ${upload.key}, yet ListParts still shows the upload (${after.value.parts.length} parts).`,
      fix: 'Add a lifecycle rule AbortIncompleteMultipartUpload (e.g. 7 days) to the bucket so left-over parts expire.',
    };
  }
  if (after.status !== 404) {
    return {
      id: 'cleanup',
      status: 'warn',
      message: `The signer aborted ${upload.key}; checking that it is gone failed (${describeFailure(after)})`,
      fix: 'Add a lifecycle rule AbortIncompleteMultipartUpload (e.g. 7 days) to the bucket so left-over parts expire.',
    };
  }
  return {
    id: 'cleanup',
    status: 'pass',
    message: `Aborted the test upload ${upload.key}: it was never completed, so no object and no parts are left.`,
  };
}
