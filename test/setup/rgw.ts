// Vitest globalSetup for the integration project: a real S3 (Ceph RADOS Gateway) for the run.
//
// If S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET are all set, those are used
// as they are (nothing is started). Otherwise scripts/rgw-up.sh brings up a throwaway cluster under
// .tmp/ on free ports (its bucket allows browser PUTs and exposes ETag), and scripts/rgw-down.sh
// kills and deletes it at the end. Tests read the settings with `inject('s3')`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface S3TestConfig {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestConfig;
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function parseEnvLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of line.trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function fromEnv(): S3TestConfig | undefined {
  const { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET, S3_REGION } = process.env;
  if (!S3_ENDPOINT || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY || !S3_BUCKET) return undefined;
  return {
    endpoint: S3_ENDPOINT,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    bucket: S3_BUCKET,
    region: S3_REGION || 'us-east-1',
  };
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = fromEnv();
  if (given) {
    project.provide('s3', given);
    return undefined;
  }

  // Short directory name: Ceph's admin sockets live under it and unix socket paths are limited.
  const dir = join(ROOT, '.tmp', `rgw-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const down = async () => {
    const result = await run(
      'bash',
      [join(ROOT, 'scripts/rgw-down.sh'), dir, '--kill', '--purge'],
      process.env,
    );
    if (result.code !== 0) console.error(`rgw-down.sh failed (${result.code}):\n${result.stderr}`);
  };

  let lastError = '';
  // The ports can be taken between choosing and binding them: try a few times.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    let monPort = await freePort();
    while (monPort === port) monPort = await freePort();
    const result = await run('bash', [join(ROOT, 'scripts/rgw-up.sh'), dir, String(port)], {
      ...process.env,
      MON_PORT: String(monPort),
    });
    const line = result.stdout.split('\n').find((l) => l.startsWith('S3_ENDPOINT='));
    if (result.code === 0 && line) {
      const env = parseEnvLine(line);
      project.provide('s3', {
        endpoint: env.S3_ENDPOINT as string,
        accessKeyId: env.S3_ACCESS_KEY_ID as string,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
        bucket: env.S3_BUCKET as string,
        region: 'us-east-1',
      });
      return down;
    }
    lastError = `rgw-up.sh exited ${result.code} (attempt ${attempt}, ports ${port}/${monPort}):\n${result.stderr.slice(-6000)}`;
    await down();
    mkdirSync(dir, { recursive: true });
    if (!/already in use/.test(result.stderr)) break;
  }
  await down();
  throw new Error(
    `Could not start Ceph RGW for the integration tests. ${lastError}\n` +
      'Set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET to use an existing S3 instead.',
  );
}
