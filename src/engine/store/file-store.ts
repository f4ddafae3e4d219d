// Node only (imports node:fs): the s3mu CLI's store. Keep it out of browser entry points; import
// it from this file directly.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  isUploadRecord,
  mergeParts,
  type RecordTouch,
  type ResumeStore,
  type StoredPart,
  type UploadRecord,
} from './types';

const SUFFIX = '.upload.json';

/**
 * One JSON file per record in `dir`. Writes are atomic (temp file + rename), so a kill mid-write
 * leaves the previous record; unreadable or foreign files are ignored. Writes from this instance
 * are serialized so a read-modify-write (`addParts`) never interleaves with another.
 */
export class FileResumeStore implements ResumeStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  private path(id: string): string {
    // Fingerprints are hex; anything else is encoded so an id can never escape the directory.
    return join(this.dir, `${encodeURIComponent(id).replace(/\./g, '%2E')}${SUFFIX}`);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async read(path: string): Promise<UploadRecord | undefined> {
    try {
      const value: unknown = JSON.parse(await readFile(path, 'utf8'));
      return isUploadRecord(value) ? value : undefined;
    } catch {
      return undefined; // missing or unreadable: as if absent
    }
  }

  private async write(record: UploadRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.path(record.id);
    const temp = `${target}.${process.pid}.${randomUUID()}.tmp`;
    try {
      // A FileSystemFileHandle has no JSON form: records on disk never carry one.
      const { handle: _handle, ...plain } = record;
      await writeFile(temp, JSON.stringify(plain));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw error;
    }
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    const record = await this.read(this.path(id));
    return record?.id === id ? record : undefined;
  }

  put(record: UploadRecord): Promise<void> {
    return this.serialized(() => this.write(record));
  }

  addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch): Promise<boolean> {
    return this.serialized(async () => {
      const record = await this.get(id);
      if (!record) return false;
      await this.write({ ...record, ...touch, parts: mergeParts(record.parts, parts) });
      return true;
    });
  }

  /** Deletes the record and any temp file a killed process left behind for it. */
  remove(id: string): Promise<void> {
    return this.serialized(async () => {
      const target = this.path(id);
      await rm(target, { force: true });
      const prefix = `${basename(target)}.`;
      const names = await readdir(this.dir).catch(() => [] as string[]);
      await Promise.all(
        names
          .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
          .map((n) => rm(join(this.dir, n), { force: true })),
      );
    });
  }

  async list(): Promise<UploadRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const records = await Promise.all(
      names.filter((n) => n.endsWith(SUFFIX)).map((n) => this.read(join(this.dir, n))),
    );
    return records.filter((r): r is UploadRecord => r !== undefined);
  }

  removeExpired(now: number): Promise<UploadRecord[]> {
    return this.serialized(async () => {
      const expired = (await this.list()).filter((r) => r.expiresAt <= now);
      await Promise.all(expired.map((r) => rm(this.path(r.id), { force: true })));
      return expired;
    });
  }
}
