// The IndexedDB edge: the only engine file that imports dexie. Exported from
// `src/engine/store/index.ts`, not from the engine's main entry, so apps that don't persist
// don't bundle it.
import { Dexie, type DexieOptions, type EntityTable, type ObservabilitySet } from 'dexie';
import {
  isUploadRecord,
  mergeParts,
  type RecordTouch,
  type ResumeStore,
  type StoredPart,
  type UploadRecord,
} from './types';

export const DEFAULT_DATABASE_NAME = 's3-multipart-uploader';

export interface DexieResumeStoreOptions {
  /** IndexedDB database name (default "s3-multipart-uploader"). */
  databaseName?: string;
  /** Another IndexedDB implementation (e.g. fake-indexeddb in tests); pass IDBKeyRange with it. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

type ResumeDatabase = Dexie & { uploads: EntityTable<UploadRecord, 'id'> };

/**
 * Schema history. Never edit a released version: add `db.version(N + 1).stores(...)` (with an
 * `.upgrade()` when records change shape) and keep the older declarations.
 *
 * v1: `uploads` keyed by `id` (the file fingerprint), indexed by signerId (list one signer's
 * uploads), updatedAt (most recent first) and expiresAt (housekeeping range query).
 */
function defineSchema(db: Dexie): void {
  db.version(1).stores({ uploads: 'id, signerId, updatedAt, expiresAt' });
}

/** Resumable uploads in IndexedDB through Dexie 4: survives reloads and browser restarts. */
export class DexieResumeStore implements ResumeStore {
  readonly db: ResumeDatabase;

  constructor(options: DexieResumeStoreOptions = {}) {
    const dexieOptions: DexieOptions = {};
    if (options.indexedDB) dexieOptions.indexedDB = options.indexedDB;
    if (options.IDBKeyRange) dexieOptions.IDBKeyRange = options.IDBKeyRange;
    this.db = new Dexie(options.databaseName ?? DEFAULT_DATABASE_NAME, dexieOptions) as ResumeDatabase;
    defineSchema(this.db);
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    const record = await this.db.uploads.get(id);
    return isUploadRecord(record) ? record : undefined;
  }

  async put(record: UploadRecord): Promise<void> {
    await this.db.uploads.put(record);
  }

  /** One readwrite transaction: read, merge, write. */
  addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch): Promise<boolean> {
    return this.db.transaction('rw', this.db.uploads, async () => {
      const record = await this.db.uploads.get(id);
      if (!record) return false;
      await this.db.uploads.put({ ...record, ...touch, parts: mergeParts(record.parts, parts) });
      return true;
    });
  }

  async remove(id: string): Promise<void> {
    await this.db.uploads.delete(id);
  }

  async list(): Promise<UploadRecord[]> {
    return (await this.db.uploads.toArray()).filter(isUploadRecord);
  }

  removeExpired(now: number): Promise<UploadRecord[]> {
    return this.db.transaction('rw', this.db.uploads, async () => {
      const expired = await this.db.uploads.where('expiresAt').belowOrEqual(now).toArray();
      await this.db.uploads.bulkDelete(expired.map((r) => r.id));
      return expired;
    });
  }

  /**
   * Calls `listener` after every committed write to the uploads table, in this tab or another one.
   * Dexie's `storagemutated` event, the ground liveQuery() is built on (liveQuery itself stays
   * silent when IndexedDB is injected rather than global, as with fake-indexeddb in tests).
   * Returns an unsubscribe function.
   */
  subscribe(listener: () => void): () => void {
    const prefix = `idb://${this.db.name}/uploads/`;
    const onMutated = (parts: ObservabilitySet) => {
      if (Object.keys(parts).some((part) => part.startsWith(prefix))) listener();
    };
    Dexie.on('storagemutated', onMutated);
    return () => Dexie.on('storagemutated').unsubscribe(onMutated);
  }

  /** Closes the connection (tests, or before deleting the database). */
  close(): void {
    this.db.close();
  }
}
