import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `Usage:
  s3mu upload FILE --signer URL [--token T] [--key-hint NAME] [--concurrency N]
                   [--part-size MiB] [--state-dir DIR] [--json]
  s3mu doctor --signer URL --origin ORIGIN [--token T] [--json]

upload: uploads FILE to S3 through a signer (see docs/protocol.md). Interrupted uploads
resume when the same command runs again (state is kept in --state-dir).

doctor: checks a deployment the way a browser at ORIGIN would (signer reachable, its CORS,
authentication, clock skew, the bucket's CORS for PUT, ETag exposed, a tiny test upload that
is aborted afterwards) and prints a checklist with fixes. Exits 0 when no check fails.

Options:
  --signer URL       signer base URL, e.g. http://127.0.0.1:8787/api/uploads (or S3MU_SIGNER)
  --token T          bearer token for the signer (or S3MU_TOKEN)
  --origin ORIGIN    doctor: the web page's origin, e.g. https://app.example.com
  --key-hint NAME    object name hint (default: the file's name); the signer chooses the key
  --concurrency N    parts in flight (default 6, as in browsers)
  --part-size MiB    preferred part size in MiB (default 8; grown for very large files)
  --state-dir DIR    where resumable state is kept (default: $XDG_STATE_HOME/s3mu or ~/.local/state/s3mu)
  --json             print one JSON object on stdout (upload: key, size, etag, ...;
                     doctor: {ok, checks: [{id, status, message, fix?}], skipped})
  -h, --help         show this help`;

export interface UploadArgs {
  command: 'upload';
  file: string;
  signer: string;
  token: string | undefined;
  keyHint: string | undefined;
  concurrency: number;
  partSizeMiB: number | undefined;
  stateDir: string;
  json: boolean;
}

export interface DoctorArgs {
  command: 'doctor';
  signer: string;
  origin: string;
  token: string | undefined;
  json: boolean;
}

export type CliArgs = UploadArgs | DoctorArgs | { command: 'help' };

const UPLOAD_ONLY = ['key-hint', 'concurrency', 'part-size', 'state-dir'] as const;

export class UsageError extends Error {}

function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 's3mu');
}

function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number >= 1, got "${value}".`);
  return n;
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        signer: { type: 'string' },
        token: { type: 'string' },
        'key-hint': { type: 'string' },
        concurrency: { type: 'string' },
        'part-size': { type: 'string' },
        'state-dir': { type: 'string' },
        origin: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [command, ...operands] = positionals;
  if (command !== 'upload' && command !== 'doctor')
    throw new UsageError(`Unknown command "${command}". Run "s3mu --help".`);
  const token = (values.token as string | undefined) ?? env.S3MU_TOKEN;
  const json = Boolean(values.json);

  if (command === 'doctor') {
    if (operands.length > 0)
      throw new UsageError(`Unexpected arguments: ${operands.join(' ')} (doctor takes none).`);
    const misplaced = UPLOAD_ONLY.find((name) => values[name] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} is an option of upload, not of doctor.`);
    const signer = signerUrl(values.signer as string | undefined, env);
    return {
      command: 'doctor',
      signer,
      origin: browserOrigin(values.origin as string | undefined),
      token,
      json,
    };
  }

  const [file, ...rest] = operands;
  if (!file) throw new UsageError('Missing FILE: s3mu upload FILE --signer URL');
  if (rest.length > 0)
    throw new UsageError(`Unexpected arguments: ${rest.join(' ')} (upload one file per command).`);
  if (values.origin !== undefined) throw new UsageError('--origin is an option of doctor, not of upload.');
  const signer = signerUrl(values.signer as string | undefined, env);
  return {
    command: 'upload',
    file,
    signer,
    token,
    keyHint: values['key-hint'] as string | undefined,
    concurrency: positiveInteger('concurrency', values.concurrency as string | undefined, 6) as number,
    partSizeMiB: positiveInteger('part-size', values['part-size'] as string | undefined, undefined),
    stateDir: (values['state-dir'] as string | undefined) ?? defaultStateDir(env),
    json,
  };
}

function signerUrl(value: string | undefined, env: NodeJS.ProcessEnv): string {
  const signer = value ?? env.S3MU_SIGNER;
  if (!signer)
    throw new UsageError(
      'Missing --signer URL (or set S3MU_SIGNER), e.g. --signer http://127.0.0.1:8787/api/uploads',
    );
  try {
    new URL(signer);
  } catch {
    throw new UsageError(`--signer must be an absolute http(s) URL, got "${signer}".`);
  }
  return signer;
}

/** `scheme://host[:port]` exactly (a trailing slash is dropped), as browsers send in `Origin`. */
function browserOrigin(value: string | undefined): string {
  if (!value)
    throw new UsageError(
      "Missing --origin ORIGIN: the web page's origin to check for, e.g. --origin https://app.example.com",
    );
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.origin !== value.replace(/\/$/, '')
  ) {
    throw new UsageError(
      `--origin must be a browser origin like https://app.example.com (scheme://host[:port], no path), got "${value}".`,
    );
  }
  return url.origin;
}
