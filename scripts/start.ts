// `npm start`: the whole playground on this machine, no cloud account and no Docker.
//
//   1. a Vite dev server for playground/ (http://127.0.0.1:5173 unless PORT says otherwise),
//   2. s3rver, an embedded S3 mock, on 127.0.0.1 with its data under .playground-data/ and a bucket
//      `playground` whose CORS lets the page PUT parts and read their ETag,
//   3. the reference signer (server-reference/) signing for that bucket, with a random demo token,
//
// then prints the URLs. Ctrl-C (SIGINT) or SIGTERM closes all three and exits 0.
//
// Environment: PORT (page; default 5173, or the next free one), S3_PORT and SIGNER_PORT (default:
// any free port), PLAYGROUND_DATA_DIR (default .playground-data/ in the repository).
//
// s3rver is a loose mock (no signature checks, no ListParts/Abort, no part-size rules): fine for
// trying the UI, never proof that something works on S3. It is bound to 127.0.0.1 only because it
// accepts anonymous writes and path tricks in upload ids.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { createServer as createViteServer, type Plugin } from 'vite';
import type { PlaygroundConfig } from '../playground/env';
import { buildSignerApp } from '../server-reference/app';
import { ConfigError, loadConfig } from '../server-reference/config';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const BUCKET = 'playground';
const BASE_PATH = '/api/uploads';
const DEFAULT_PAGE_PORT = 5173;
/** s3rver accepts any secret; it only checks that the access key id is this one. */
const S3RVER_KEY = 'S3RVER';
const STOP_TIMEOUT_MS = 8000;
/** Owner id of the demo token: uploads land under uploads/playground/. */
const TOKEN_OWNER = 'playground';

// s3rver ships no types: the little of it used here.
interface S3rverInstance {
  configureBuckets(): Promise<unknown>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type S3rverClass = new (options: {
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

/** A startup failure with a message for the person at the terminal (no stack trace). */
class StartError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'StartError';
    this.exitCode = exitCode;
  }
}

interface Options {
  /** undefined: 5173, or the next free port if it is taken. */
  pagePort: number | undefined;
  s3Port: number;
  signerPort: number;
  dataDir: string;
}

function readOptions(env: NodeJS.ProcessEnv): Options {
  const problems: string[] = [];
  const port = (name: string): number | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n > 65535) {
      problems.push(`${name} must be a port number from 0 to 65535 (0 = any free port), got "${raw}".`);
      return undefined;
    }
    return n;
  };
  const options: Options = {
    pagePort: port('PORT'),
    s3Port: port('S3_PORT') ?? 0,
    signerPort: port('SIGNER_PORT') ?? 0,
    dataDir: resolve(env.PLAYGROUND_DATA_DIR?.trim() || join(ROOT, '.playground-data')),
  };
  if (problems.length > 0) throw new StartError(`npm start: ${problems.join('\n')}`, 2);
  return options;
}

function isAddressInUse(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'EADDRINUSE' || (typeof e?.message === 'string' && /already in use/i.test(e.message));
}

function portTaken(what: string, variable: string, port: number): StartError {
  return new StartError(
    `Port ${port} on ${HOST} is already in use, so the ${what} cannot start.\n` +
      `Stop whatever uses it, or choose another port: ${variable}=<port> npm start ` +
      `(${variable}=0 picks any free port).`,
  );
}

function corsXml(origins: string[]): string {
  const allowed = origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    allowed +
    '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>' +
    '<AllowedHeader>*</AllowedHeader>' +
    '<ExposeHeader>ETag</ExposeHeader><ExposeHeader>Date</ExposeHeader>' +
    '<MaxAgeSeconds>3000</MaxAgeSeconds>' +
    '</CORSRule></CORSConfiguration>'
  );
}

/** JSON that is safe inside an inline <script> (no `</script>`, no U+2028/9 surprises). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Injects `window.__PLAYGROUND__` into index.html, once the signer is known. */
function playgroundConfigPlugin(current: () => PlaygroundConfig | null): Plugin {
  return {
    name: 'playground-config',
    transformIndexHtml: {
      order: 'pre',
      handler() {
        const config = current();
        if (!config) return [];
        return [
          {
            tag: 'script',
            children: `window.__PLAYGROUND__ = ${scriptJson(config)};`,
            injectTo: 'head-prepend',
          },
        ];
      },
    },
  };
}

/** s3rver on its own http.Server, so a taken port is an error we can explain, not a crash. */
async function startS3rver(directory: string, port: number, origins: string[]): Promise<Server> {
  const s3rver = new S3rver({
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET, configs: [corsXml(origins)] }],
  });
  await s3rver.configureBuckets();
  const server = createHttpServer(s3rver.callback());
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
  return server;
}

/** Does the signer refuse a request without a token? (An unauthenticated empty create: 401 vs 400.) */
async function requiresToken(signerUrl: string): Promise<boolean> {
  const response = await fetch(`${signerUrl}/multipart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await response.body?.cancel();
  return response.status === 401;
}

function closeHttpServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    // Browsers keep connections alive: drop them instead of waiting for their timeout.
    server.closeAllConnections();
  });
}

type Closer = { name: string; close: () => Promise<unknown> };
const running: Closer[] = [];
let stopping = false;

async function stopAll(): Promise<void> {
  const closers = [...running].reverse();
  const results = await Promise.allSettled(closers.map((c) => c.close()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') console.error(`Could not close the ${closers[i]?.name}:`, r.reason);
  });
}

function onSignal(signal: NodeJS.Signals): void {
  // Repeated signals (Ctrl-C reaches npm, tsx and this process) must not start a second shutdown.
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the playground…`);
  setTimeout(() => {
    console.error(`Some server did not close within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway.`);
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
  stopAll().then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    () => process.exit(1),
  );
}

async function main(): Promise<void> {
  // `on`, not `once`: a second Ctrl-C must be ignored, not end the process half-closed.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const options = readOptions(process.env);
  // The AWS SDK's "Node 22 will be required in 2027" notice is noise in a local playground.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const token = randomBytes(24).toString('base64url');
  let pageConfig: PlaygroundConfig | null = null;

  // 1. The page first: its origin is what S3 and the signer must allow.
  const vite = await createViteServer({
    configFile: false,
    envDir: false,
    root: join(ROOT, 'playground'),
    cacheDir: join(ROOT, 'node_modules/.vite/playground'),
    plugins: [react(), playgroundConfigPlugin(() => pageConfig)],
    clearScreen: false,
    logLevel: 'warn',
    server: {
      host: HOST,
      port: options.pagePort ?? DEFAULT_PAGE_PORT,
      strictPort: options.pagePort !== undefined,
      // main.tsx imports ../src: allow the whole repository, nothing above it.
      fs: { allow: [ROOT] },
    },
  });
  running.push({ name: 'playground (Vite)', close: () => vite.close() });
  try {
    await vite.listen();
  } catch (error) {
    if (isAddressInUse(error))
      throw portTaken('playground page', 'PORT', options.pagePort ?? DEFAULT_PAGE_PORT);
    throw error;
  }
  const pagePort = (vite.httpServer?.address() as AddressInfo | null)?.port;
  if (!pagePort) throw new StartError('Vite did not report the port it listens on.');
  const pageUrl = `http://${HOST}:${pagePort}/`;
  // Same server, two names: allow both in CORS.
  const origins = [`http://${HOST}:${pagePort}`, `http://localhost:${pagePort}`];

  // 2. S3.
  mkdirSync(options.dataDir, { recursive: true });
  let s3Server: Server;
  try {
    s3Server = await startS3rver(options.dataDir, options.s3Port, origins);
  } catch (error) {
    if (isAddressInUse(error)) throw portTaken('embedded S3 (s3rver)', 'S3_PORT', options.s3Port);
    throw error;
  }
  running.push({ name: 'embedded S3 (s3rver)', close: () => closeHttpServer(s3Server) });
  const s3Endpoint = `http://${HOST}:${(s3Server.address() as AddressInfo).port}`;

  // 3. The signer, configured exactly as `npm run signer` would be from these variables. The demo
  // token's owner, "playground", becomes the key prefix uploads/playground/. A signer without
  // token support ignores SIGNER_AUTH_TOKENS (the probe below then reports that tokens are unchecked).
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      S3_ENDPOINT: s3Endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: S3RVER_KEY,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY,
      HOST,
      PORT: String(options.signerPort),
      SIGNER_BASE_PATH: BASE_PATH,
      SIGNER_ALLOWED_ORIGINS: origins.join(','),
      SIGNER_AUTH_TOKENS: `${token}:${TOKEN_OWNER}`,
      SIGNER_UPLOAD_REGISTRY: 'memory', // s3rver cannot list multipart uploads: find uses this
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new StartError(error.message);
    throw error;
  }
  const signer = buildSignerApp(config, { logger: { level: process.env.LOG_LEVEL ?? 'error' } });
  running.push({ name: 'signer', close: () => signer.close() });
  let signerAddress: string;
  try {
    signerAddress = await signer.listen({ port: config.port, host: config.host });
  } catch (error) {
    if (isAddressInUse(error)) throw portTaken('signer', 'SIGNER_PORT', options.signerPort);
    throw error;
  }
  const signerUrl = `${signerAddress}${config.basePath}`;
  pageConfig = { signer: signerUrl, token };
  const tokenRequired = await requiresToken(signerUrl);

  const moved =
    options.pagePort === undefined && pagePort !== DEFAULT_PAGE_PORT
      ? ` (port ${DEFAULT_PAGE_PORT} was taken; set PORT to choose)`
      : '';
  console.log(
    [
      '',
      's3-multipart-uploader playground is running.',
      '',
      `  Playground:  ${pageUrl}${moved}`,
      `  Signer:      ${signerUrl}  (demo token ${token}${tokenRequired ? ', required' : ', not checked by this signer'})`,
      `  S3 endpoint: ${s3Endpoint}  bucket "${BUCKET}", access key ${S3RVER_KEY} / secret ${S3RVER_KEY} (s3rver, a local mock)`,
      `  Data:        ${options.dataDir}  (uploaded objects and parts; delete it to start afresh)`,
      '',
      '  Open the playground URL in a browser. Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch(async (error: unknown) => {
  if (error instanceof StartError) console.error(`\n${error.message}`);
  else console.error('\nThe playground failed to start:', error);
  stopping = true;
  await stopAll();
  process.exit(error instanceof StartError ? error.exitCode : 1);
});
