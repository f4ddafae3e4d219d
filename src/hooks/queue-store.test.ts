import { afterEach, describe, expect, it, vi } from 'vitest';
import { queueProgress } from './queue-progress';
import { type QueueOptions, QueueStore } from './queue-store';
import { createTestUploader, makeFile } from './test-kit';

vi.mock('./queue-progress', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./queue-progress')>();
  return { ...actual, queueProgress: vi.fn(actual.queueProgress) };
});

afterEach(() => {
  vi.mocked(queueProgress).mockClear();
});

const statuses = (store: QueueStore) => store.getSnapshot().items.map((item) => item.status);

function run(options: QueueOptions, files: File[]) {
  const store = new QueueStore(options);
  store.add(files);
  const done = () =>
    vi.waitFor(() => expect(statuses(store).every((s) => s === 'completed')).toBe(true), {
      timeout: 10_000,
    });
  return { store, done };
}

describe('QueueStore', () => {
  it('does O(1) work per event: waiting files are not looked at whenever another one changes', async () => {
    const kit = createTestUploader();
    const count = 200;
    const { store, done } = run(
      { ...kit.options, maxConcurrentUploads: 3 },
      Array.from({ length: count }, (_, i) => makeFile(`f${i}.bin`, 1024)),
    );
    const reads = store.getSnapshot().items.map((item) => vi.spyOn(item.session, 'getState'));
    await done();
    const total = reads.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    // Each file's own events read its state a few times; a scan of the queue per event would
    // read every waiting file's state (tens of thousands of reads here).
    expect(total).toBeLessThan(20 * count);
  });

  it('builds the snapshot when it is read, not on every event', async () => {
    const kit = createTestUploader();
    let completed = 0;
    const calls = () => vi.mocked(queueProgress).mock.calls.length;
    const { store } = run(
      { ...kit.options, maxConcurrentUploads: 2, onComplete: () => completed++ },
      Array.from({ length: 20 }, (_, i) => makeFile(`f${i}.bin`, 2048)),
    );
    const before = calls();
    await vi.waitFor(() => expect(completed).toBe(20));
    expect(calls()).toBe(before);
    const snapshot = store.getSnapshot();
    expect(snapshot.percent).toBe(100);
    expect(store.getSnapshot()).toBe(snapshot);
    expect(calls()).toBe(before + 1);
  });

  it('starts small and large files in order, each class up to its own limit', async () => {
    const kit = createTestUploader();
    kit.hold();
    const small = (name: string) => makeFile(name, 1024);
    const large = (name: string) => makeFile(name, 2048);
    const { store, done } = run({ ...kit.options, singlePutThreshold: 1024 }, [
      large('l1'),
      small('s1'),
      large('l2'),
      large('l3'),
      large('l4'),
      small('s2'),
    ]);
    const waiting = () => statuses(store).map((s) => s === 'idle');
    expect(waiting()).toEqual([false, false, false, false, true, false]);
    // A file that is no longer small takes a place among the large ones.
    store.setOptions({ ...kit.options, singlePutThreshold: 512 });
    store.remove(store.getSnapshot().items[0]?.id as string);
    expect(waiting()).toEqual([false, false, false, true, false]);
    kit.release();
    await done();
  });
});
