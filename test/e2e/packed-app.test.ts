// The package as users get it: `npm pack` → a fresh Vite + React app (test/e2e/packed-app/) that
// installs the tarball by name → `vite build` → <S3Uploader/> in Chromium uploads a file through the
// reference signer to RGW. Also: every entry point loads from Node (CJS and ESM), its types resolve
// (Bundler and Node16, import and require), and the `s3mu` bin runs.
//
// The app lives under os.tmpdir(), not the repository's .tmp/: Node and Vite resolve packages by
// walking up parent directories, so an app inside the repository would silently pick up the root
// node_modules and hide a missing dependency of the tarball.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import { ownerPrefix } from '../../server-reference/keys';
import { makeS3Client, type S3TestConfig, sha256Hex, sha256OfObject, signerConfigFor } from '../support/s3';
import { launchChromium } from './support/browser';

const MiB = 1024 * 1024;
const ROOT = resolve(__dirname, '../..');
const TEMPLATE = join(__dirname, 'packed-app');
const PACKAGE = 's3-multipart-uploader';
const s3Config: S3TestConfig = inject('s3');

const timings: [string, number][] = [];
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push([label, Math.round(performance.now() - started)]);
  }
}

/** The environment without npm's per-script variables, so the temp app's npm sees only its own config. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && name !== 'INIT_CWD') env[name] = value;
  }
  return env;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  timeout = 120_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * MiB },
      (error, stdout, stderr) => {
        if (error) {
          fail(
            new Error(
              `${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`,
            ),
          );
        } else {
          done({ stdout, stderr });
        }
      },
    );
  });
}

interface RootManifest {
  exports: Record<string, string | Record<string, Record<string, string>>>;
  bin: Record<string, string>;
}

/** Every file package.json points at (exports conditions and bin), relative to the package root. */
function exportTargets(manifest: RootManifest): string[] {
  const targets = new Set<string>();
  for (const [entry, value] of Object.entries(manifest.exports)) {
    if (entry === './package.json') continue;
    if (typeof value === 'string') targets.add(value);
    else
      for (const conditions of Object.values(value))
        for (const t of Object.values(conditions)) targets.add(t);
  }
  for (const t of Object.values(manifest.bin)) targets.add(t);
  return [...targets].map((t) => t.replace(/^\.\//, ''));
}

/** The newest modification time of the files under `dir`, tests excepted. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (as `npm run build` does) when a target is missing or older than the sources. */
async function ensureBuilt(manifest: RootManifest): Promise<void> {
  const files = exportTargets(manifest).map((t) => join(ROOT, t));
  const missing = files.filter((f) => !existsSync(f));
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    statSync(join(ROOT, 'tsup.config.ts')).mtimeMs,
    statSync(join(ROOT, 'package.json')).mtimeMs,
  );
  const stale = missing.length === 0 && files.some((f) => statSync(f).mtimeMs < sources);
  if (missing.length === 0 && !stale) return;
  console.log(
    `packed-app: building dist/ (${missing.length > 0 ? `missing ${missing.join(', ')}` : 'stale'})`,
  );
  await run('npx', ['tsx', 'scripts/build-md5-worker.ts'], ROOT);
  await run('npx', ['tsup'], ROOT, 300_000);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** Serves the built app; index.html gets `window.__APP__` (the signer URL and token) injected. */
async function serveApp(dir: string, config: () => { signer: string; token: string }) {
  const root = resolve(dir);
  const index = await readFile(join(root, 'index.html'), 'utf8');
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = resolve(root, `.${path}`);
      if (path === '/' || path === '/index.html') {
        const script = `<script>window.__APP__ = ${JSON.stringify(config())};</script>`;
        res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'] as string });
        res.end(index.replace('<head>', `<head>${script}`));
      } else if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(await readFile(file));
      } else {
        res.writeHead(404).end();
      }
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

let work: string;
let app: string;
let tarball: string;
let packedFiles: string[];
let manifest: RootManifest;
let context: BrowserContext;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const started = performance.now();
  // Chromium starts while the app is packed, installed and built.
  const browser = timed('launch Chromium (in parallel)', () => launchChromium()).then((launched) => {
    cleanups.push(launched.close);
    context = launched.context;
  });
  // allSettled: a failed setup must still wait for the browser, so that afterAll closes it.
  for (const outcome of await Promise.allSettled([browser, setUpApp()])) {
    if (outcome.status === 'rejected') throw outcome.reason;
  }
  timings.push(['setup total', Math.round(performance.now() - started)]);
}, 600_000);

async function setUpApp(): Promise<void> {
  manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as RootManifest;
  await timed('build (if dist missing/stale)', () => ensureBuilt(manifest));
  work = await mkdtemp(join(tmpdir(), 's3mu-packed-app-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  // --ignore-scripts: pack exactly what is on disk (there is no prepack today; keep it that way here).
  const packed = await timed('npm pack', () =>
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT),
  );
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no result: ${packed.stdout}`);
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path);

  app = join(work, 'app');
  await cp(TEMPLATE, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  await timed('npm install (app deps + tarball)', () =>
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--loglevel=error',
        tarball,
      ],
      app,
    ),
  );
  await timed('vite build', () => run('npx', ['--no-install', 'vite', 'build'], app));
}

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
  console.log(`packed-app timings (ms):\n${timings.map(([l, ms]) => `  ${l.padEnd(34)} ${ms}`).join('\n')}`);
});

describe('the packed tarball in a fresh app', () => {
  it('ships every file package.json points at', () => {
    const targets = exportTargets(manifest);
    expect(targets.filter((t) => !packedFiles.includes(t))).toEqual([]);
    expect(packedFiles).toContain('README.md');
    // Nothing from the repository's working files.
    expect(
      packedFiles.filter((f) => /^(src|test|server-reference|scripts|node_modules|\.tmp)\//.test(f)),
    ).toEqual([]);
    const installed = join(app, 'node_modules', PACKAGE);
    expect(targets.filter((t) => !existsSync(join(installed, t)))).toEqual([]);
    // Every declaration file the exports name is there, for import (.d.ts) and require (.d.cts).
    expect(targets.filter((t) => /\.d\.c?ts$/.test(t)).length).toBe(8);
  });

  it('loads every entry from Node as CommonJS and as an ES module, with types', async () => {
    const entries: Record<string, string> = {
      [PACKAGE]: 'S3Uploader',
      [`${PACKAGE}/engine`]: 'createUpload',
      [`${PACKAGE}/store`]: 'createDefaultResumeStore',
      [`${PACKAGE}/query`]: 'useRemoteResumableUploads',
    };
    const checks: Promise<unknown>[] = [];
    for (const [specifier, name] of Object.entries(entries)) {
      const probe = `if (typeof m[${JSON.stringify(name)}] !== 'function') throw new Error(${JSON.stringify(`${specifier} has no ${name}`)});`;
      checks.push(
        run('node', ['-e', `const m = require(${JSON.stringify(specifier)}); ${probe}`], app),
        run(
          'node',
          ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); ${probe}`],
          app,
        ),
      );
    }
    await timed('node require/import of 4 entries', () => Promise.all(checks));
    // The consumer's own code type-checks (Bundler), and the entries resolve to real types
    // through the import and the require conditions (Node16, .mts and .cts).
    await timed('tsc (Bundler + Node16, parallel)', () =>
      Promise.all([
        run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], app),
        run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.node.json'], app),
      ]),
    );
    const help = await timed('s3mu --help', () => run(join(app, 'node_modules/.bin/s3mu'), ['--help'], app));
    expect(help.stdout).toMatch(/Usage:\s+s3mu upload FILE/);
  }, 240_000);

  it('renders <S3Uploader signer=…/> and uploads a 12 MiB file to RGW in Chromium', async () => {
    const s3: S3Client = makeS3Client(s3Config);
    cleanups.push(async () => s3.destroy());
    const owner = `packed-app-${randomBytes(4).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    let signerUrl = '';
    const site = await serveApp(join(app, 'dist'), () => ({ signer: signerUrl, token }));
    cleanups.push(site.close);

    const config = signerConfigFor(s3Config, { allowedOrigins: [site.origin] });
    const signer: FastifyInstance = buildSignerApp(config, {
      // The token prop must reach the signer as a bearer token.
      authenticate: (request) => (request.headers.authorization === `Bearer ${token}` ? owner : null),
    });
    const requests: string[] = [];
    signer.addHook('onResponse', async (request, reply) => {
      requests.push(`${request.method} ${request.url.replace(config.basePath, '')} ${reply.statusCode}`);
    });
    cleanups.push(() => signer.close());
    signerUrl = `${await signer.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;

    const size = 12 * MiB + 5; // above the 8 MiB single-PUT threshold: two parts
    const data = randomBytes(size);
    const file = join(work, 'packed-app-upload.bin');
    await writeFile(file, data);

    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
    });

    await timed('browser upload', async () => {
      await page.goto(site.origin);
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: /choose files/i }).click();
      await (await chooser).setFiles(file);
      const done = page.getByText('Uploaded', { exact: true });
      const failed = page.locator('.s3u-item-error');
      await done.or(failed).first().waitFor({ timeout: 60_000 });
      if (await failed.count()) {
        throw new Error(`upload failed: ${await failed.first().textContent()}\n${problems.join('\n')}`);
      }
    });
    expect(problems).toEqual([]);

    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: s3Config.bucket, Prefix: ownerPrefix(owner) }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key as string);
    expect(keys).toHaveLength(1);
    const key = keys[0] as string;
    expect(key.endsWith('/packed-app-upload.bin')).toBe(true);
    expect(await sha256OfObject(s3, s3Config.bucket, key)).toBe(sha256Hex(data));
    const head = await s3.send(new HeadObjectCommand({ Bucket: s3Config.bucket, Key: key }));
    expect(head.ContentLength).toBe(size);
    // A multipart object's ETag is "<md5 of part md5s>-<part count>".
    expect(head.ETag).toMatch(/-2"$/);
    expect(requests).toContain('POST /multipart 200');
    expect(requests).toContain('POST /multipart/complete 200');
    expect(requests.filter((r) => r.startsWith('POST /single'))).toEqual([]);
  }, 240_000);
});
