// Resume against Ceph RGW, interrupted at seeded random points. An engine (a ResumableSession,
// as the hooks drive it) is killed after N parts or mid-part with parts in flight: its store
// handle is dropped, its requests are cut and its tab's lock released. The file is then resumed
// (a) by a fresh session over the same store, (b) by one with an empty store (another browser:
// the signer's find + ListParts), (c) after the multipart upload was aborted on RGW behind its
// back. Every object is read back and compared by SHA-256; part PUTs are counted per part number.
// Rerun a failure with the seed it prints: RESUME_SEED=<seed>.
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import { ConcurrencyPool } from '../../src/engine/concurrency-pool';
import { createHttpSigner } from '../../src/engine/http-signer';
import { MiB } from '../../src/engine/limits';
import { ResumableSession } from '../../src/engine/resumable-session';
import { DexieResumeStore } from '../../src/engine/store/dexie-store';
import { FileResumeStore } from '../../src/engine/store/file-store';
import type { ResumeStore } from '../../src/engine/store/types';
import { createFetchTransport } from '../../src/engine/transport-fetch';
import { createInMemoryUploadLocks, type UploadLocks } from '../../src/engine/upload-lock';
import type { UploadResult } from '../../src/engine/upload-state';
import { randomBytes } from '../support/fake-s3';
import { DroppableStore, PartPutRecorder, seededRandom } from '../support/resume-helpers';
import {
  listMultipartUploads,
  makeS3Client,
  type S3TestConfig,
  sha256Hex,
  sha256OfObject,
  signerConfigFor,
} from '../support/s3';
import { tabLocks } from '../support/session-helpers';

const PART = 5 * MiB;
const CONCURRENCY = 3;
const POINTS_PER_VARIANT = Number(process.env.RESUME_POINTS ?? 3);
const SEED = Number(process.env.RESUME_SEED ?? randomInt(2 ** 31));
const ROOT = resolve(__dirname, '../..');
const s3Config: S3TestConfig = inject('s3');
const owner = `resume-${SEED}-${Date.now().toString(36)}`;
let s3: S3Client;
let app: FastifyInstance;
let signerUrl: string;
let dir: string;

type Variant = 'same-store' | 'empty-store' | 'aborted';
type StoreKind = 'indexeddb' | 'file';
type Interrupt = { kind: 'after-parts'; parts: number } | { kind: 'mid-part'; bytes: number };

interface Point {
  seed: number;
  size: number;
  partCount: number;
  interrupt: Interrupt;
  storeKind: StoreKind;
  flushIntervalMs: number;
}

function describePoint(p: Point): string {
  const at =
    p.interrupt.kind === 'after-parts'
      ? `after ${p.interrupt.parts} parts`
      : `mid-part at byte ${p.interrupt.bytes}`;
  return `seed ${SEED} data ${p.seed}: ${p.size} bytes (${p.partCount} parts), killed ${at}, ${p.storeKind} store flushed every ${p.flushIntervalMs} ms`;
}

/** The points of one variant: 16–32 MiB files, half killed after N parts, half mid-part. */
function drawPoints(variantIndex: number): Point[] {
  const random = seededRandom(SEED + 7919 * variantIndex);
  return Array.from({ length: POINTS_PER_VARIANT }, (_, i) => {
    const size = 16 * MiB + Math.floor(random() * 16 * MiB);
    const partCount = Math.ceil(size / PART);
    const interrupt: Interrupt =
      (i + variantIndex) % 2 === 0
        ? { kind: 'after-parts', parts: 1 + Math.floor(random() * (partCount - 1)) }
        : { kind: 'mid-part', bytes: 1 + Math.floor(random() * (size - 1)) };
    return {
      seed: (SEED + 131 * variantIndex + i) >>> 0 || 1,
      size,
      partCount,
      interrupt,
      storeKind: i % 2 === 0 ? 'indexeddb' : 'file',
      flushIntervalMs: [0, 200, 1000][Math.floor(random() * 3)] as number,
    };
  });
}

/** Opens store handles on one "profile": an IndexedDB (fake) or a directory, shared by its handles. */
async function storeProfile(kind: StoreKind, name: string): Promise<() => ResumeStore> {
  if (kind === 'indexeddb') {
    const indexedDB = new IDBFactory();
    return () => new DexieResumeStore({ databaseName: name, indexedDB, IDBKeyRange });
  }
  const path = await mkdtemp(join(dir, `${name}-`));
  return () => new FileResumeStore(path);
}

function closeStore(store: ResumeStore): void {
  if (store instanceof DexieResumeStore) store.db.close();
}

function session(
  file: File,
  recorder: PartPutRecorder,
  store: ResumeStore,
  locks: UploadLocks,
  point: Point,
) {
  return new ResumableSession({
    file,
    upload: {
      signer: createHttpSigner(signerUrl),
      transport: recorder.transport,
      partSize: PART,
      singlePutThreshold: PART,
      concurrency: CONCURRENCY,
      pool: new ConcurrencyPool(6),
      backoff: { baseDelayMs: 50, maxDelayMs: 500 },
    },
    resume: {
      store,
      signerId: signerUrl,
      flushIntervalMs: point.flushIntervalMs,
      locks,
      onPageHidden: () => () => {},
    },
  });
}

/** What the recorder saw when the engine died. */
interface AtDeath {
  /** Parts S3 had acknowledged. */
  stored: Set<number>;
  /** Parts with a PUT under way. */
  inFlight: Set<number>;
  puts: Map<number, number>;
  failures: Map<number, number>;
}

interface Killed extends AtDeath {
  key: string;
  uploadId: string;
  fingerprint: string;
}

/** Runs the first engine until the interrupt point, then kills it (store, requests, lock, engine). */
async function uploadUntilKilled(
  file: File,
  store: DroppableStore,
  locks: UploadLocks,
  point: Point,
): Promise<Killed> {
  const tab = tabLocks(locks);
  let first: ResumableSession | undefined;
  let die: (atDeath: AtDeath) => void = () => {};
  const died = new Promise<AtDeath>((resolveDeath) => {
    die = resolveDeath;
  });
  const due = (r: PartPutRecorder) =>
    point.interrupt.kind === 'after-parts'
      ? r.stored.size >= point.interrupt.parts
      : r.bytesSent >= point.interrupt.bytes;
  const recorder = new PartPutRecorder(createFetchTransport(), (r) => {
    if (r.cutDone || !due(r)) return;
    const atDeath = {
      stored: new Set(r.stored),
      inFlight: new Set(r.inFlight),
      puts: new Map(r.puts),
      failures: new Map(r.failures),
    };
    // Everything a dead page stops at once: its store, its sockets, its lock, its engine.
    store.drop();
    r.cut();
    tab.kill();
    first?.pause();
    die(atDeath);
  });
  first = session(file, recorder, store, tab, point);
  const settled = first.start().then(
    (result) => new Error(`the first run completed (${result.key}) before the interrupt point`),
    (error: unknown) => new Error(`the first run failed before the interrupt point: ${String(error)}`),
  );
  const atDeath = await Promise.race([died, settled]);
  if (atDeath instanceof Error) throw atDeath;
  const state = first.getState();
  await store.settled();
  closeStore(store.inner);
  expect(state.uploadId, 'the first run created a multipart upload').toBeTruthy();
  return {
    ...atDeath,
    key: state.key as string,
    uploadId: state.uploadId as string,
    fingerprint: state.fingerprint as string,
  };
}

async function resumeInFreshEngine(file: File, store: ResumeStore, locks: UploadLocks, point: Point) {
  const recorder = new PartPutRecorder(createFetchTransport());
  const second = session(file, recorder, store, tabLocks(locks), point);
  const result: UploadResult = await second.start();
  return { result, state: second.getState(), recorder };
}

const sum = (map: Map<number, number>, part: number) => map.get(part) ?? 0;
const partsOf = (point: Point) => Array.from({ length: point.partCount }, (_, i) => i + 1);

type Resumed = Awaited<ReturnType<typeof resumeInFreshEngine>>;

/** Continued the same multipart upload: only parts S3 lacked were sent, each at most once more than needed. */
function expectContinued(where: string, point: Point, killed: Killed, { result, state, recorder }: Resumed) {
  expect(state.resumed, where).toBe(true);
  expect(result.uploadId, where).toBe(killed.uploadId);
  const all = partsOf(point);
  const resent = recorder.sentParts;
  const remaining = all.filter((p) => !killed.stored.has(p) && !killed.inFlight.has(p));
  expect(
    [...resent].filter((p) => killed.stored.has(p)),
    `${where}: parts S3 had acknowledged were sent again`,
  ).toEqual([]);
  for (const part of all.filter((p) => !killed.puts.has(p)))
    expect(resent.has(part), `${where}: part ${part} was never sent`).toBe(true);
  expect(resent.size, where).toBeLessThanOrEqual(remaining.length + killed.inFlight.size);
  for (const part of all) {
    const retries = sum(killed.failures, part) + sum(recorder.failures, part);
    expect(sum(recorder.puts, part), `${where}: part ${part} in the resumed run`).toBeLessThanOrEqual(
      1 + sum(recorder.failures, part),
    );
    expect(
      sum(killed.puts, part) + sum(recorder.puts, part),
      `${where}: part ${part} overall`,
    ).toBeLessThanOrEqual(2 + retries);
  }
}

/** Restarted cleanly with a notice: a new multipart upload, every part sent once. */
function expectRestarted(where: string, point: Point, killed: Killed, { result, state, recorder }: Resumed) {
  expect(state.resumed, where).toBe(false);
  expect(state.notice, where).toMatch(/no longer exists on S3/);
  expect(result.uploadId, where).not.toBe(killed.uploadId);
  for (const part of partsOf(point))
    expect(sum(recorder.puts, part), `${where}: part ${part}`).toBe(1 + sum(recorder.failures, part));
}

async function runPoint(variant: Variant, point: Point): Promise<string> {
  const where = `${variant}, ${describePoint(point)}`;
  const data = randomBytes(point.size, point.seed);
  const file = new File([data], `resume-${point.seed}.bin`, { lastModified: 1_700_000_000_000 + point.seed });
  const profile = await storeProfile(point.storeKind, `resume-${variant}-${point.seed}`);
  const locks = createInMemoryUploadLocks();
  const killed = await uploadUntilKilled(file, new DroppableStore(profile()), locks, point);
  if (variant === 'aborted') {
    const { bucket } = s3Config;
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: killed.key, UploadId: killed.uploadId }),
    );
  }
  const store =
    variant === 'empty-store' ? (await storeProfile(point.storeKind, `empty-${point.seed}`))() : profile();
  const resumed = await resumeInFreshEngine(file, store, locks, point);

  if (variant === 'aborted') expectRestarted(where, point, killed, resumed);
  else expectContinued(where, point, killed, resumed);
  if (variant === 'empty-store' && killed.stored.size > 0)
    expect(resumed.state.notice, where).toMatch(
      /Continuing the upload started elsewhere: \d+ parts? already/,
    );
  const { result } = resumed;
  expect(result, where).toMatchObject({ size: point.size, partCount: point.partCount });
  expect(await sha256OfObject(s3, s3Config.bucket, result.key), where).toBe(sha256Hex(data));
  expect(await store.get(killed.fingerprint), `${where}: record left after completion`).toBeUndefined();
  expect(
    await listMultipartUploads(s3, s3Config.bucket, result.key),
    `${where}: uploads left behind`,
  ).toEqual([]);
  closeStore(store);
  const resent = [...resumed.recorder.sentParts].sort((a, b) => a - b);
  return `${where}: S3 had ${killed.stored.size}, ${killed.inFlight.size} in flight; resent ${resent.length} (${resent.join(',')})`;
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  dir = await mkdtemp(join(ROOT, '.tmp', 'resume-'));
  const config = signerConfigFor(s3Config);
  app = buildSignerApp(config, { authenticate: () => owner });
  signerUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
});

afterAll(async () => {
  await app?.close();
  s3?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const VARIANTS: Variant[] = ['same-store', 'empty-store', 'aborted'];

describe(`resume after a kill at random points (RGW, RESUME_SEED=${SEED})`, () => {
  it.each(VARIANTS.map((variant, index) => ({ variant, index })))(
    'resumes $variant: only missing parts re-sent, byte-identical',
    async ({ variant, index }) => {
      onTestFailed(() => {
        console.error(`resume-rgw failed with RESUME_SEED=${SEED}; rerun with that variable to reproduce`);
      });
      for (const point of drawPoints(index)) console.log(await runPoint(variant, point));
    },
  );
});
