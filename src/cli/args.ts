import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `Usage:
  s3mu upload FILE --signer URL [--token T] [--key-hint NAME] [--concurrency N]
                   [--part-size MiB] [--state-dir DIR] [--json]

Uploads FILE to S3 through a signer (see docs/protocol.md). Interrupted uploads resume
when the same command runs again (state is kept in --state-dir).

Options:
  --signer URL       signer base URL, e.g. http://127.0.0.1:8787/api/uploads (or S3MU_SIGNER)
  --token T          bearer token for the signer (or S3MU_TOKEN)
  --key-hint NAME    object name hint (default: the file's name); the signer chooses the key
  --concurrency N    parts in flight (default 4)
  --part-size MiB    preferred part size in MiB (default 8; grown for very large files)
  --state-dir DIR    where resumable state is kept (default: $XDG_STATE_HOME/s3mu or ~/.local/state/s3mu)
  --json             print one JSON object with the result (key, size, etag, ...) on stdout
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

export type CliArgs = UploadArgs | { command: 'help' };

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
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [command, file, ...rest] = positionals;
  if (command !== 'upload') throw new UsageError(`Unknown command "${command}". Run "s3mu --help".`);
  if (!file) throw new UsageError('Missing FILE: s3mu upload FILE --signer URL');
  if (rest.length > 0)
    throw new UsageError(`Unexpected arguments: ${rest.join(' ')} (upload one file per command).`);
  const signer = (values.signer as string | undefined) ?? env.S3MU_SIGNER;
  if (!signer)
    throw new UsageError(
      'Missing --signer URL (or set S3MU_SIGNER), e.g. --signer http://127.0.0.1:8787/api/uploads',
    );
  try {
    new URL(signer);
  } catch {
    throw new UsageError(`--signer must be an absolute http(s) URL, got "${signer}".`);
  }
  return {
    command: 'upload',
    file,
    signer,
    token: (values.token as string | undefined) ?? env.S3MU_TOKEN,
    keyHint: values['key-hint'] as string | undefined,
    concurrency: positiveInteger('concurrency', values.concurrency as string | undefined, 4) as number,
    partSizeMiB: positiveInteger('part-size', values['part-size'] as string | undefined, undefined),
    stateDir: (values['state-dir'] as string | undefined) ?? defaultStateDir(env),
    json: Boolean(values.json),
  };
}
