import { mergeParts, type RecordTouch, type ResumeStore, type StoredPart, type UploadRecord } from './types';

/**
 * Records in memory: for SSR (no IndexedDB), tests, and apps that only need resume within one
 * page life. Records are copied in and out, as a real store would, so callers cannot alias them.
 */
export class MemoryResumeStore implements ResumeStore {
  private readonly records = new Map<string, UploadRecord>();

  async get(id: string): Promise<UploadRecord | undefined> {
    const record = this.records.get(id);
    return record ? structuredClone(record) : undefined;
  }

  async put(record: UploadRecord): Promise<void> {
    this.records.set(record.id, structuredClone(record));
  }

  async addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch): Promise<boolean> {
    const record = this.records.get(id);
    if (!record) return false;
    this.records.set(id, { ...record, ...touch, parts: mergeParts(record.parts, parts) });
    return true;
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
  }

  async list(): Promise<UploadRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  async removeExpired(now: number): Promise<UploadRecord[]> {
    const expired = [...this.records.values()].filter((r) => r.expiresAt <= now);
    for (const record of expired) this.records.delete(record.id);
    return expired;
  }
}
