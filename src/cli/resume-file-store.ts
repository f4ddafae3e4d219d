import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadedPart } from '../engine/types';

/** What the CLI keeps between runs to continue a multipart upload (one JSON file per file fingerprint). */
export interface ResumeRecord {
  version: 1;
  signer: string;
  fingerprint: string;
  path: string;
  size: number;
  lastModified: number;
  key: string;
  uploadId: string;
  partSize: number;
  parts: UploadedPart[];
  updatedAt: number;
}

/**
 * A JSON-file store. Writes are atomic (temp file + rename) so a kill mid-write leaves the
 * previous record, and batched by the caller so a fast upload does not write per part.
 */
export class ResumeFileStore {
  constructor(private readonly dir: string) {}

  private file(fingerprint: string): string {
    return join(this.dir, `${fingerprint}.json`);
  }

  async load(fingerprint: string): Promise<ResumeRecord | null> {
    try {
      const record = JSON.parse(await readFile(this.file(fingerprint), 'utf8')) as ResumeRecord;
      return record.version === 1 && record.fingerprint === fingerprint ? record : null;
    } catch {
      return null; // missing or unreadable: start afresh
    }
  }

  async save(record: ResumeRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(record.fingerprint);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, target);
  }

  async remove(fingerprint: string): Promise<void> {
    await rm(this.file(fingerprint), { force: true });
  }
}
