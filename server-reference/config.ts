// Signer configuration, read from the environment. Every problem is reported at once, with the
// variable to set, so a misconfigured deployment fails at start-up instead of at the first upload.
import { parseAuthTokens, type TokenGrant } from './auth';
import { parseTypePatterns } from './policy';
import type { UploadRegistrySetting } from './registry';

export interface S3Settings {
  /** Custom endpoint (MinIO, Ceph RGW, R2…); undefined means AWS. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Path-style URLs (`endpoint/bucket/key`); needed by most S3-compatible stores. */
  forcePathStyle: boolean;
  /**
   * More endpoints (http(s) URLs, each a different origin) that reach the same bucket, to spread
   * part uploads over several hostnames (S3_PART_ENDPOINTS). Browsers open at most 6 HTTP/1.1
   * connections per host and S3 speaks only HTTP/1.1, so one hostname caps an upload at 6 parts
   * in flight; on high-latency links more connections go faster. Part N is signed for endpoint
   * `(N - 1) % k` of `[endpoint, ...partEndpoints]` (k entries): consecutive parts alternate hosts
   * and a retried part keeps its host. Only part URLs use them; every other call goes to
   * `endpoint`. Each must serve the same bucket with the same credentials and allow the page's
   * origin by CORS. Undefined or empty: every part goes to `endpoint`.
   */
  partEndpoints?: string[];
}

/**
 * How callers authenticate. `tokens`: `Authorization: Bearer <token>` against a fixed list
 * (SIGNER_AUTH_TOKENS). `none`: everyone is the owner "anonymous" (SIGNER_AUTH=none, local
 * development only). `custom`: the code embedding the signer passes buildSignerApp an `authenticate`
 * hook (SIGNER_AUTH=custom; buildSignerApp refuses to start without one). A hook always wins.
 */
export type AuthConfig = { mode: 'tokens'; tokens: TokenGrant[] } | { mode: 'none' } | { mode: 'custom' };

/** Requests allowed per window; 0 turns that limit off. */
export interface RateLimitSettings {
  /** Per client IP (see trustProxy), counted before authentication, so it also slows token guessing. */
  perIp: number;
  /** Per authenticated owner, over all their IPs. */
  perOwner: number;
  windowSeconds: number;
}

export interface SignerConfig {
  s3: S3Settings;
  port: number;
  host: string;
  /** Browser origins allowed to call the signer (CORS). Empty: no CORS headers at all. */
  allowedOrigins: string[];
  /** Lifetime of every presigned URL, in seconds. */
  urlLifetimeSeconds: number;
  /** Route prefix, without a trailing slash (e.g. `/api/uploads`). */
  basePath: string;
  /** Largest object the signer agrees to start, in bytes; undefined means only S3's own limits. */
  maxObjectBytes?: number;
  // The fields below are optional so hand-written configs keep compiling; buildSignerApp applies
  // the defaults, except for `auth`: without it (and without an `authenticate` hook) it refuses.
  /** Authentication strategy; loadConfig always sets it. */
  auth?: AuthConfig;
  /** Allowed declared content types, as patterns such as image/* or application/pdf; undefined or empty: all. */
  allowedTypes?: string[];
  /** Most parts one sign request may ask for (default 100, at most 10,000). */
  maxPartsPerSignRequest?: number;
  /** Rate limits (defaults: DEFAULTS.rateLimit). */
  rateLimit?: Partial<RateLimitSettings>;
  /**
   * Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client IP. Default
   * false (the socket address). A hop count or a list of proxy addresses/CIDRs is safer than true.
   */
  trustProxy?: boolean | number | string[];
  /**
   * Where the signer remembers uploads for `POST B/multipart/find` when S3 cannot list them
   * (SIGNER_UPLOAD_REGISTRY; default none: S3's ListMultipartUploads only). See registry.ts.
   */
  uploadRegistry?: UploadRegistrySetting;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `The signer is not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Set these environment variables (see server-reference/README.md) and start it again.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const DEFAULTS = {
  region: 'us-east-1',
  port: 8787,
  host: '127.0.0.1',
  urlLifetimeSeconds: 15 * 60,
  basePath: '/api/uploads',
  maxPartsPerSignRequest: 100,
  // One big upload makes about one sign call per 8 parts (~150 calls/min at 1 Gbit/s with 8 MiB
  // parts); a folder of small files makes one /single call per file. Generous on purpose.
  rateLimit: { perIp: 3000, perOwner: 1200, windowSeconds: 60 },
} as const;

/** S3's part-number range: a sign request can never usefully ask for more parts. */
export const MAX_PARTS_PER_SIGN_LIMIT = 10_000;

/** SigV4 presigned URLs live at most 7 days. */
const MAX_URL_LIFETIME_SECONDS = 7 * 24 * 3600;

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === '' ? undefined : v;
}

function parseIntIn(
  raw: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number | undefined,
  problems: string[],
): number | undefined {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name} must be a whole number between ${min} and ${max}, got "${raw}".`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${name} must be between ${min} and ${max}, got ${raw}.`);
    return fallback;
  }
  return n;
}

function parseBool(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${name} must be true or false, got "${raw}".`);
  return fallback;
}

function parseOrigin(raw: string, problems: string[]): string | undefined {
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
      throw new Error('not an origin');
    }
    return url.origin;
  } catch {
    problems.push(
      `SIGNER_ALLOWED_ORIGINS entries must be origins like https://app.example.com (scheme://host[:port], no path), got "${raw}".`,
    );
    return undefined;
  }
}

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops <= 100) return hops;
  }
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const address = /^(?:[0-9.]+|[0-9a-f:.]+)(?:\/\d{1,3})?$/i;
  if (entries.length > 0 && entries.every((e) => address.test(e) && /[.:]/.test(e))) return entries;
  problems.push(
    `SIGNER_TRUST_PROXY must be false, true, a hop count, or proxy addresses/CIDRs like 10.0.0.0/8,::1, got "${raw}".`,
  );
  return false;
}

/** `raw` parsed, when it is an http(s) URL (S3_ENDPOINT, S3_PART_ENDPOINTS); else undefined. */
function httpUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * S3_PART_ENDPOINTS: comma-separated http(s) URLs, blanks ignored, each a new origin (not the main
 * endpoint's, not listed twice: a host listed twice adds no connections). `main` is
 * S3_ENDPOINT's origin, or the AWS endpoint the SDK uses without one; undefined when S3_ENDPOINT
 * is itself invalid (reported already). Undefined when the variable lists nothing.
 */
function parsePartEndpoints(
  raw: string | undefined,
  main: { origin: string; describe: string } | undefined,
  problems: string[],
): string[] | undefined {
  const endpoints: string[] = [];
  const seen = new Map<string, string>();
  for (const item of (raw ?? '').split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const url = httpUrl(entry);
    if (!url) {
      problems.push(
        `S3_PART_ENDPOINTS entries must be http(s) URLs such as https://s3.dualstack.us-east-1.amazonaws.com or http://localhost:7480, got "${entry}".`,
      );
      continue;
    }
    if (main !== undefined && url.origin === main.origin) {
      problems.push(
        `S3_PART_ENDPOINTS entry "${entry}" has the same origin (${main.origin}) as ${main.describe}: parts already go there, and the same host twice adds no connections. Remove it, or list another hostname of the bucket.`,
      );
      continue;
    }
    const earlier = seen.get(url.origin);
    if (earlier !== undefined) {
      problems.push(
        `S3_PART_ENDPOINTS lists the origin ${url.origin} twice ("${earlier}" and "${entry}"): the same host twice adds no connections. Keep one of them.`,
      );
      continue;
    }
    seen.set(url.origin, entry);
    endpoints.push(entry);
  }
  return endpoints.length > 0 ? endpoints : undefined;
}

function parseUploadRegistry(raw: string | undefined, problems: string[]): UploadRegistrySetting {
  if (raw === undefined || raw.toLowerCase() === 'none') return { mode: 'none' };
  if (raw.toLowerCase() === 'memory') return { mode: 'memory' };
  if (raw.startsWith('file:') && raw.slice(5).trim() !== '')
    return { mode: 'file', path: raw.slice(5).trim() };
  problems.push(
    `SIGNER_UPLOAD_REGISTRY must be "none" (the default), "memory" or "file:<path>" (a JSON file), got "${raw}".`,
  );
  return { mode: 'none' };
}

function parseAuth(env: Env, problems: string[]): AuthConfig | undefined {
  const mode = value(env, 'SIGNER_AUTH')?.toLowerCase();
  const rawTokens = value(env, 'SIGNER_AUTH_TOKENS');
  if (mode !== undefined && mode !== 'tokens' && mode !== 'none' && mode !== 'custom') {
    problems.push(`SIGNER_AUTH must be "tokens" (the default), "custom" or "none", got "${mode}".`);
    return undefined;
  }
  if (mode === 'none' || mode === 'custom') {
    if (rawTokens !== undefined) {
      problems.push(`SIGNER_AUTH=${mode} and SIGNER_AUTH_TOKENS are both set: keep only one of them.`);
      return undefined;
    }
    return { mode };
  }
  if (rawTokens === undefined) {
    problems.push(
      'SIGNER_AUTH_TOKENS is required: comma-separated token:owner pairs (tokens of 16+ characters), ' +
        'or set SIGNER_AUTH=none to let everyone in as "anonymous" (local development only).',
    );
    return undefined;
  }
  const { grants, problems: tokenProblems } = parseAuthTokens(rawTokens);
  problems.push(...tokenProblems);
  return { mode: 'tokens', tokens: grants };
}

/**
 * Reads the configuration from `env` (default `process.env`). Throws ConfigError listing every
 * missing or invalid variable.
 */
export function loadConfig(env: Env = process.env): SignerConfig {
  const problems: string[] = [];

  const bucket = value(env, 'S3_BUCKET');
  if (!bucket) problems.push('S3_BUCKET is required: the bucket uploads go to.');
  const accessKeyId = value(env, 'S3_ACCESS_KEY_ID');
  if (!accessKeyId) problems.push('S3_ACCESS_KEY_ID is required: the access key the signer signs with.');
  const secretAccessKey = value(env, 'S3_SECRET_ACCESS_KEY');
  if (!secretAccessKey) problems.push('S3_SECRET_ACCESS_KEY is required: the secret of S3_ACCESS_KEY_ID.');

  const endpoint = value(env, 'S3_ENDPOINT');
  const endpointUrl = endpoint === undefined ? undefined : httpUrl(endpoint);
  if (endpoint !== undefined && endpointUrl === undefined) {
    problems.push(`S3_ENDPOINT must be an http(s) URL such as http://127.0.0.1:7480, got "${endpoint}".`);
  }
  const region = value(env, 'S3_REGION') ?? DEFAULTS.region;
  if (!/^[a-z0-9-]+$/.test(region)) problems.push(`S3_REGION must look like us-east-1, got "${region}".`);
  // Without S3_ENDPOINT the SDK uses https://s3.<region>.amazonaws.com (bucket as a subdomain of it
  // unless path-style, as it does for any endpoint given): listing that one again is a duplicate.
  const partEndpoints = parsePartEndpoints(
    value(env, 'S3_PART_ENDPOINTS'),
    endpoint === undefined
      ? {
          origin: `https://s3.${region}.amazonaws.com`,
          describe: `the AWS endpoint used without S3_ENDPOINT (S3_REGION=${region})`,
        }
      : endpointUrl && { origin: endpointUrl.origin, describe: 'S3_ENDPOINT' },
    problems,
  );
  // Custom endpoints are nearly always path-style (no wildcard DNS for bucket subdomains).
  const forcePathStyle = parseBool(
    value(env, 'S3_FORCE_PATH_STYLE'),
    'S3_FORCE_PATH_STYLE',
    endpoint !== undefined,
    problems,
  );

  const port = parseIntIn(value(env, 'PORT'), 'PORT', 0, 65535, DEFAULTS.port, problems) ?? DEFAULTS.port;
  const host = value(env, 'HOST') ?? DEFAULTS.host;
  const urlLifetimeSeconds =
    parseIntIn(
      value(env, 'SIGNER_URL_LIFETIME_SECONDS'),
      'SIGNER_URL_LIFETIME_SECONDS',
      1,
      MAX_URL_LIFETIME_SECONDS,
      DEFAULTS.urlLifetimeSeconds,
      problems,
    ) ?? DEFAULTS.urlLifetimeSeconds;
  const maxObjectBytes = parseIntIn(
    value(env, 'SIGNER_MAX_OBJECT_BYTES'),
    'SIGNER_MAX_OBJECT_BYTES',
    0,
    Number.MAX_SAFE_INTEGER,
    undefined,
    problems,
  );

  let basePath = value(env, 'SIGNER_BASE_PATH') ?? DEFAULTS.basePath;
  if (!/^(\/[A-Za-z0-9._~-]+)*\/?$/.test(basePath)) {
    problems.push(`SIGNER_BASE_PATH must be a URL path such as /api/uploads, got "${basePath}".`);
  }
  basePath = basePath.replace(/\/+$/, '');

  const allowedOrigins: string[] = [];
  for (const raw of (value(env, 'SIGNER_ALLOWED_ORIGINS') ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const origin = parseOrigin(entry, problems);
    if (origin) allowedOrigins.push(origin);
  }

  const auth = parseAuth(env, problems);
  const { patterns: allowedTypes, problems: typeProblems } = parseTypePatterns(
    value(env, 'SIGNER_ALLOWED_TYPES') ?? '',
  );
  problems.push(...typeProblems);
  const maxPartsPerSignRequest =
    parseIntIn(
      value(env, 'SIGNER_MAX_PARTS_PER_SIGN'),
      'SIGNER_MAX_PARTS_PER_SIGN',
      1,
      MAX_PARTS_PER_SIGN_LIMIT,
      DEFAULTS.maxPartsPerSignRequest,
      problems,
    ) ?? DEFAULTS.maxPartsPerSignRequest;
  const limit = (name: string, fallback: number, min: number, max: number) =>
    parseIntIn(value(env, name), name, min, max, fallback, problems) ?? fallback;
  const rateLimit: RateLimitSettings = {
    perIp: limit('SIGNER_RATE_LIMIT_PER_IP', DEFAULTS.rateLimit.perIp, 0, 1_000_000),
    perOwner: limit('SIGNER_RATE_LIMIT_PER_OWNER', DEFAULTS.rateLimit.perOwner, 0, 1_000_000),
    windowSeconds: limit('SIGNER_RATE_LIMIT_WINDOW_SECONDS', DEFAULTS.rateLimit.windowSeconds, 1, 86_400),
  };
  const trustProxy = parseTrustProxy(value(env, 'SIGNER_TRUST_PROXY'), problems);
  const uploadRegistry = parseUploadRegistry(value(env, 'SIGNER_UPLOAD_REGISTRY'), problems);

  if (problems.length > 0 || auth === undefined) throw new ConfigError(problems);
  return {
    s3: {
      endpoint,
      region,
      bucket: bucket as string,
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
      sessionToken: value(env, 'S3_SESSION_TOKEN'),
      forcePathStyle,
      ...(partEndpoints ? { partEndpoints } : {}),
    },
    port,
    host,
    allowedOrigins,
    urlLifetimeSeconds,
    basePath,
    maxObjectBytes,
    auth,
    allowedTypes,
    maxPartsPerSignRequest,
    rateLimit,
    trustProxy,
    uploadRegistry,
  };
}
