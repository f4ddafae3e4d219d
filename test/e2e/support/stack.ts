// The stack every browser test stands on: the run's S3 (Ceph RGW from test/setup/rgw.ts, or the
// one in the S3_* variables), a client to read objects back, a test page served on 127.0.0.1,
// reference signers that allow that page's origin, and Chromium instances. close() stops all of
// it and removes what the signers' owners stored, so an S3 that outlives the run stays clean.
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildSignerApp } from '../../../server-reference/app';
import type { SignerConfig } from '../../../server-reference/config';
import { ownerPrefix } from '../../../server-reference/keys';
import { listMultipartUploads, makeS3Client, type S3TestConfig, signerConfigFor } from '../../support/s3';
import { type LaunchedChromium, launchChromium } from './browser';
import { type PageServer, servePage } from './page-server';

export interface SignerOptions {
  bucket?: string;
  /** The S3 endpoint URLs are signed for (a fault proxy in front of S3); default the run's S3. */
  endpoint?: string;
  /** A fixed port (to restart a signer where it was); default any free port. */
  port?: number;
  /** Whose uploads these are; default a fresh owner. A restarted signer passes the same one. */
  owner?: string;
  /** Callers send `Authorization: Bearer <token>` (default: every caller is `owner`). */
  bearerToken?: boolean;
  config?: Partial<SignerConfig>;
}

export interface TestSigner {
  /** Base URL, as the page's `signer` option. */
  url: string;
  app: FastifyInstance;
  owner: string;
  /** Set with `bearerToken`. */
  token?: string;
}

export interface BrowserStack {
  s3Config: S3TestConfig;
  s3: S3Client;
  server: PageServer;
  startSigner(options?: SignerOptions): Promise<TestSigner>;
  /** A Chromium with a fresh profile; closed by closeBrowsers() or close(). */
  launchBrowser(): Promise<LaunchedChromium>;
  closeBrowsers(): Promise<void>;
  close(): Promise<void>;
}

/** The part numbers S3 holds for a multipart upload (ListParts, first page: up to 1,000). */
export async function partNumbersOnS3(
  stack: Pick<BrowserStack, 's3' | 's3Config'>,
  ref: { key: string; uploadId: string },
): Promise<Set<number>> {
  const listed = await stack.s3.send(
    new ListPartsCommand({ Bucket: stack.s3Config.bucket, Key: ref.key, UploadId: ref.uploadId }),
  );
  return new Set((listed.Parts ?? []).map((p) => p.PartNumber as number));
}

/** Starts the page server for `entry` (a file under test/e2e/pages) and an S3 client. */
export async function startBrowserStack(entry: string, title: string): Promise<BrowserStack> {
  const s3Config = inject('s3');
  const s3 = makeS3Client(s3Config);
  const server = await servePage(entry, title);
  const apps: FastifyInstance[] = [];
  const browsers: LaunchedChromium[] = [];
  const owners = new Map<string, { bucket: string; owner: string }>();

  const startSigner = async (options: SignerOptions = {}): Promise<TestSigner> => {
    const bucket = options.bucket ?? s3Config.bucket;
    const owner = options.owner ?? `e2e-${randomBytes(4).toString('hex')}`;
    const token = options.bearerToken ? randomBytes(24).toString('hex') : undefined;
    const config = signerConfigFor(
      { ...s3Config, bucket, endpoint: options.endpoint ?? s3Config.endpoint },
      {
        allowedOrigins: [server.origin],
        ...(token ? { auth: { mode: 'tokens', tokens: [{ token, owner }] } } : {}),
        ...options.config,
      },
    );
    const app = buildSignerApp(config, token ? {} : { authenticate: () => owner });
    apps.push(app);
    owners.set(`${bucket}/${owner}`, { bucket, owner });
    const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    return { url: `${address}${config.basePath}`, app, owner, ...(token ? { token } : {}) };
  };

  const closeBrowsers = async () => {
    for (const browser of browsers.splice(0)) await browser.close();
  };

  /** Aborts the multipart uploads and deletes the objects stored under the signers' owners. */
  const removeStored = async () => {
    for (const { bucket, owner } of owners.values()) {
      const prefix = ownerPrefix(owner);
      for (const upload of await listMultipartUploads(s3, bucket, prefix)) {
        await s3.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
        );
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      for (const object of listed.Contents ?? []) {
        if (object.Key) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
      }
    }
  };

  return {
    s3Config,
    s3,
    server,
    startSigner,
    launchBrowser: async () => {
      const browser = await launchChromium();
      browsers.push(browser);
      return browser;
    },
    closeBrowsers,
    close: async () => {
      await closeBrowsers();
      for (const app of apps) await app.close().catch(() => {});
      await removeStored().catch((error) => console.warn(`e2e cleanup: ${error}`));
      await server.close();
      s3.destroy();
    },
  };
}
