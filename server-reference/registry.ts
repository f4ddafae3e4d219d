// Upload registry: remembers which multipart upload each owner started for each file fingerprint.
//
// S3 is the source of truth for finding an unfinished upload (`POST B/multipart/find` lists the
// owner's multipart uploads and matches the key's id segment, see keys.ts): the signer then keeps no
// state and any number of instances can run. Some stores lack ListMultipartUploads (s3rver, the
// playground's embedded mock, answers 501 NotImplemented); for them the registry is the fallback.
// Pick one with SIGNER_UPLOAD_REGISTRY=memory|file:<path>|none, or pass your own (Redis, SQL…)
// as buildSignerApp(config, { registry }).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { UploadRef } from '../src/engine/types';

export interface RegisteredUpload extends UploadRef {
  /** When the signer created the multipart upload (epoch ms, signer clock). */
  initiated: number;
}

/**
 * Where the signer remembers uploads when S3 cannot list them. `remember` is called after a
 * create with a fingerprint, `forget` after complete or abort (or when S3 says the upload is
 * gone), `find` by `POST B/multipart/find` when S3's listing is unsupported. Errors of `remember`
 * and `forget` are logged and do not fail the request; errors of `find` answer 500.
 */
export interface UploadRegistry {
  remember(owner: string, fingerprint: string, upload: RegisteredUpload): Promise<void>;
  /** The newest upload remembered for this owner and fingerprint, or null. */
  find(owner: string, fingerprint: string): Promise<RegisteredUpload | null>;
  forget(ref: UploadRef): Promise<void>;
}

/** SIGNER_UPLOAD_REGISTRY, parsed (config.ts). */
export type UploadRegistrySetting = { mode: 'none' } | { mode: 'memory' } | { mode: 'file'; path: string };

export interface RegistryOptions {
  /** Entries older than this are dropped (default 7 days, the engine's resume record lifetime). */
  ttlMs?: number;
  /** Most uploads kept per owner and fingerprint; the oldest go first (default 16). */
  maxPerFile?: number;
  /** Clock (epoch ms); injectable for tests. */
  now?: () => number;
}

export const DEFAULT_REGISTRY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_PER_FILE = 16;

interface Entry extends RegisteredUpload {
  owner: string;
  fingerprint: string;
}

const refId = (ref: UploadRef) => `${ref.key}\0${ref.uploadId}`;
const fileId = (owner: string, fingerprint: string) => `${owner}\0${fingerprint}`;

/** The bookkeeping shared by both implementations (synchronous, in memory). */
class Table {
  private readonly byRef = new Map<string, Entry>();
  private readonly byFile = new Map<string, Set<string>>();
  private readonly ttlMs: number;
  private readonly maxPerFile: number;
  readonly now: () => number;

  constructor(options: RegistryOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_REGISTRY_TTL_MS;
    this.maxPerFile = Math.max(1, options.maxPerFile ?? DEFAULT_MAX_PER_FILE);
    this.now = options.now ?? Date.now;
  }

  private expired(entry: Entry): boolean {
    return entry.initiated + this.ttlMs <= this.now();
  }

  private entriesOf(owner: string, fingerprint: string): Entry[] {
    const refs = this.byFile.get(fileId(owner, fingerprint)) ?? new Set<string>();
    return [...refs].flatMap((id) => this.byRef.get(id) ?? []);
  }

  add(entry: Entry): void {
    this.remove(entry);
    this.byRef.set(refId(entry), entry);
    const id = fileId(entry.owner, entry.fingerprint);
    const refs = this.byFile.get(id) ?? new Set<string>();
    refs.add(refId(entry));
    this.byFile.set(id, refs);
    const all = this.entriesOf(entry.owner, entry.fingerprint).sort((a, b) => a.initiated - b.initiated);
    for (const old of all.slice(0, Math.max(0, all.length - this.maxPerFile))) this.remove(old);
  }

  remove(ref: UploadRef): boolean {
    const entry = this.byRef.get(refId(ref));
    if (!entry) return false;
    this.byRef.delete(refId(ref));
    const id = fileId(entry.owner, entry.fingerprint);
    const refs = this.byFile.get(id);
    refs?.delete(refId(ref));
    if (refs?.size === 0) this.byFile.delete(id);
    return true;
  }

  /** Drops expired entries; true when something was dropped. */
  prune(): boolean {
    let changed = false;
    for (const entry of [...this.byRef.values()]) {
      if (this.expired(entry)) changed = this.remove(entry) || changed;
    }
    return changed;
  }

  newest(owner: string, fingerprint: string): RegisteredUpload | null {
    let best: Entry | undefined;
    for (const entry of this.entriesOf(owner, fingerprint)) {
      if (this.expired(entry)) continue;
      if (!best || entry.initiated >= best.initiated) best = entry;
    }
    return best ? { key: best.key, uploadId: best.uploadId, initiated: best.initiated } : null;
  }

  entries(): Entry[] {
    return [...this.byRef.values()];
  }
}

/** Entries live in this process only: lost on restart, not shared between instances. */
export function createMemoryRegistry(options: RegistryOptions = {}): UploadRegistry {
  const table = new Table(options);
  return {
    async remember(owner, fingerprint, upload) {
      table.prune();
      table.add({
        owner,
        fingerprint,
        key: upload.key,
        uploadId: upload.uploadId,
        initiated: upload.initiated,
      });
    },
    async find(owner, fingerprint) {
      return table.newest(owner, fingerprint);
    },
    async forget(ref) {
      table.remove(ref);
    },
  };
}

const FILE_VERSION = 1;

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.owner === 'string' &&
    typeof e.fingerprint === 'string' &&
    typeof e.key === 'string' &&
    typeof e.uploadId === 'string' &&
    typeof e.initiated === 'number' &&
    Number.isFinite(e.initiated)
  );
}

/**
 * Entries kept in a JSON file (`{"version": 1, "uploads": [...]}`), read once on first use and
 * rewritten atomically (temporary file, then rename) after every change, so a crash never leaves
 * half a file. One signer process per file: concurrent processes would overwrite each other's
 * changes (use a shared database behind the UploadRegistry interface for several instances).
 */
export function createFileRegistry(path: string, options: RegistryOptions = {}): UploadRegistry {
  const file = resolve(path);
  const table = new Table(options);
  let loaded: Promise<void> | undefined;
  // Every operation runs after the previous one: writes land in order, never interleaved.
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new Error(
        `The upload registry ${file} is not valid JSON; fix or delete it (SIGNER_UPLOAD_REGISTRY).`,
      );
    }
    const uploads = (data as { version?: unknown; uploads?: unknown } | null)?.uploads;
    if ((data as { version?: unknown } | null)?.version !== FILE_VERSION || !Array.isArray(uploads)) {
      throw new Error(
        `The upload registry ${file} is not a version ${FILE_VERSION} registry; fix or delete it (SIGNER_UPLOAD_REGISTRY).`,
      );
    }
    for (const entry of uploads) if (isEntry(entry)) table.add(entry);
  }

  async function save(): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body = `${JSON.stringify({ version: FILE_VERSION, uploads: table.entries() }, null, 1)}\n`;
    try {
      await writeFile(temporary, body, { mode: 0o600 });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  }

  function serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      loaded ??= load();
      try {
        await loaded;
      } catch (error) {
        loaded = undefined; // try reading again next time
        throw error;
      }
      return operation();
    });
    queue = run.catch(() => {});
    return run;
  }

  return {
    remember(owner, fingerprint, upload) {
      return serial(async () => {
        table.prune();
        table.add({
          owner,
          fingerprint,
          key: upload.key,
          uploadId: upload.uploadId,
          initiated: upload.initiated,
        });
        await save();
      });
    },
    find(owner, fingerprint) {
      return serial(async () => table.newest(owner, fingerprint));
    },
    forget(ref) {
      return serial(async () => {
        if (table.remove(ref)) await save();
      });
    },
  };
}

/** The registry SIGNER_UPLOAD_REGISTRY asks for; undefined for `none` (S3 listing only). */
export function createUploadRegistry(
  setting: UploadRegistrySetting | undefined,
  options: RegistryOptions = {},
): UploadRegistry | undefined {
  if (setting?.mode === 'memory') return createMemoryRegistry(options);
  if (setting?.mode === 'file') return createFileRegistry(setting.path, options);
  return undefined;
}
