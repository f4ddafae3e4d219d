import { mergeParts, type RecordTouch, type ResumeStore, type StoredPart, type UploadRecord } from './types';

/** A deep copy of a record; its `handle` (a FileSystemFileHandle, or a test's stand-in) is kept as it is. */
function copy(record: UploadRecord): UploadRecord {
  if (!('handle' in record)) return structuredClone(record);
  const { handle, ...rest } = record;
  return { ...structuredClone(rest), handle };
}

/**
 * Records in memory: for SSR (no IndexedDB), tests, and apps that only need resume within one
 * page life. Records are copied in and out, as a real store would, so callers cannot alias them.
 */
export class MemoryResumeStore implements ResumeStore {
  private readonly records = new Map<string, UploadRecord>();
  private readonly listeners = new Set<() => void>();

  async get(id: string): Promise<UploadRecord | undefined> {
    const record = this.records.get(id);
    return record ? copy(record) : undefined;
  }

  async put(record: UploadRecord): Promise<void> {
    this.records.set(record.id, copy(record));
    this.changed();
  }

  async addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch): Promise<boolean> {
    const record = this.records.get(id);
    if (!record) return false;
    this.records.set(id, { ...record, ...touch, parts: mergeParts(record.parts, parts) });
    this.changed();
    return true;
  }

  async remove(id: string): Promise<void> {
    if (this.records.delete(id)) this.changed();
  }

  async list(): Promise<UploadRecord[]> {
    return [...this.records.values()].map(copy);
  }

  async removeExpired(now: number): Promise<UploadRecord[]> {
    const expired = [...this.records.values()].filter((r) => r.expiresAt <= now);
    for (const record of expired) this.records.delete(record.id);
    if (expired.length > 0) this.changed();
    return expired;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
