// The behaviour every ResumeStore shares; each store's test file runs it.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ResumeStore } from '../../src/engine/store/types';
import { sampleRecord } from './resume-helpers';

const part = (partNumber: number, etag = `"e${partNumber}"`, size = 8) => ({ partNumber, etag, size });

export function describeStoreContract(
  name: string,
  makeStore: () => Promise<ResumeStore> | ResumeStore,
): void {
  describe(`${name}: ResumeStore contract`, () => {
    let store: ResumeStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('returns undefined for an unknown id', async () => {
      expect(await store.get('nope')).toBeUndefined();
    });

    it('stores and returns a copy of a record', async () => {
      const record = sampleRecord({ parts: [part(1)] });
      await store.put(record);
      const read = await store.get(record.id);
      expect(read).toEqual(record);
      (read as typeof record).parts.push(part(2));
      expect((await store.get(record.id))?.parts).toEqual([part(1)]);
    });

    it('put replaces the record with the same id', async () => {
      await store.put(sampleRecord({ uploadId: 'first' }));
      await store.put(sampleRecord({ uploadId: 'second' }));
      expect((await store.get('a1b2c3'))?.uploadId).toBe('second');
      expect(await store.list()).toHaveLength(1);
    });

    it('addParts merges by part number (later wins), sorts, and refreshes the timestamps', async () => {
      await store.put(sampleRecord({ parts: [part(3), part(1)] }));
      const ok = await store.addParts('a1b2c3', [part(2), part(3, '"new"')], { updatedAt: 5, expiresAt: 10 });
      expect(ok).toBe(true);
      const record = await store.get('a1b2c3');
      expect(record?.parts).toEqual([part(1), part(2), part(3, '"new"')]);
      expect(record).toMatchObject({ updatedAt: 5, expiresAt: 10 });
    });

    it('addParts never resurrects a removed record', async () => {
      await store.put(sampleRecord());
      await store.remove('a1b2c3');
      expect(await store.addParts('a1b2c3', [part(1)], { updatedAt: 1, expiresAt: 2 })).toBe(false);
      expect(await store.get('a1b2c3')).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('keeps concurrent addParts batches (no lost update)', async () => {
      await store.put(sampleRecord());
      await Promise.all(
        [1, 2, 3, 4, 5, 6].map((n) => store.addParts('a1b2c3', [part(n)], { updatedAt: n, expiresAt: 100 })),
      );
      expect((await store.get('a1b2c3'))?.parts.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('removes a record; removing an unknown id is fine', async () => {
      await store.put(sampleRecord());
      await store.remove('a1b2c3');
      await store.remove('a1b2c3');
      expect(await store.get('a1b2c3')).toBeUndefined();
    });

    it('lists every record', async () => {
      await store.put(sampleRecord({ id: 'one' }));
      await store.put(sampleRecord({ id: 'two' }));
      expect((await store.list()).map((r) => r.id).sort()).toEqual(['one', 'two']);
    });

    it('removeExpired deletes records with expiresAt <= now and returns them', async () => {
      await store.put(sampleRecord({ id: 'old', expiresAt: 100 }));
      await store.put(sampleRecord({ id: 'edge', expiresAt: 200 }));
      await store.put(sampleRecord({ id: 'fresh', expiresAt: 201 }));
      const removed = await store.removeExpired(200);
      expect(removed.map((r) => r.id).sort()).toEqual(['edge', 'old']);
      expect((await store.list()).map((r) => r.id)).toEqual(['fresh']);
      expect(await store.removeExpired(200)).toEqual([]);
    });
  });
}
