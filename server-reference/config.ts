// Signer configuration, read from the environment. Every problem is reported at once, with the
// variable to set, so a misconfigured deployment fails at start-up instead of at the first upload.

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
} as const;

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
  if (endpoint !== undefined) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    } catch {
      problems.push(`S3_ENDPOINT must be an http(s) URL such as http://127.0.0.1:7480, got "${endpoint}".`);
    }
  }
  const region = value(env, 'S3_REGION') ?? DEFAULTS.region;
  if (!/^[a-z0-9-]+$/.test(region)) problems.push(`S3_REGION must look like us-east-1, got "${region}".`);
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

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    s3: {
      endpoint,
      region,
      bucket: bucket as string,
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
      sessionToken: value(env, 'S3_SESSION_TOKEN'),
      forcePathStyle,
    },
    port,
    host,
    allowedOrigins,
    urlLifetimeSeconds,
    basePath,
    maxObjectBytes,
  };
}
