import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkerHasher, warmSharedHasher } from './worker-hasher';

/** Stands in for a Web Worker: records the blobs it is given and answers when the test says. */
class FakeWorker {
  static all: FakeWorker[] = [];
  onmessage: ((event: { data: { md5?: string; error?: string } }) => void) | null = null;
  readonly received: Blob[] = [];
  constructor(readonly url: string) {
    FakeWorker.all.push(this);
  }
  postMessage(message: { blob: Blob }): void {
    this.received.push(message.blob);
  }
  /** Answers the blob this worker holds with its text as the "MD5". */
  async answer(): Promise<void> {
    const blob = this.received[this.received.length - 1] as Blob;
    this.onmessage?.({ data: { md5: `md5:${await blob.text()}` } });
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('worker hasher', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeWorker.all = [];
  });

  it('gives each worker one blob at a time, in the order asked, to whichever is free', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const hash = createWorkerHasher({ workers: 2, workerUrl: 'md5-worker.js' });
    const results = ['1', '2', '3', '4'].map((text) => hash(new Blob([text])));
    await flush();
    const [a, b] = FakeWorker.all as [FakeWorker, FakeWorker];
    expect(FakeWorker.all).toHaveLength(2);
    // Two workers, two blobs out; 3 and 4 wait instead of piling onto a busy worker.
    expect(await Promise.all([a, b].map((w) => Promise.all(w.received.map((blob) => blob.text()))))).toEqual([
      ['1'],
      ['2'],
    ]);
    await b.answer();
    await flush();
    expect(await (b.received[1] as Blob).text()).toBe('3');
    expect(a.received).toHaveLength(1);
    await a.answer();
    await flush();
    expect(await (a.received[1] as Blob).text()).toBe('4');
    await a.answer();
    await b.answer();
    expect(await Promise.all(results)).toEqual(['md5:1', 'md5:2', 'md5:3', 'md5:4']);
  });

  it('rejects with the worker error, and the worker takes the next blob', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const hash = createWorkerHasher({ workers: 1, workerUrl: 'md5-worker.js' });
    const first = hash(new Blob(['x']));
    const second = hash(new Blob(['y']));
    await flush();
    const worker = FakeWorker.all[0] as FakeWorker;
    worker.onmessage?.({ data: { error: 'NotReadableError: the file changed' } });
    await expect(first).rejects.toThrow('NotReadableError');
    await flush();
    await worker.answer();
    expect(await second).toBe('md5:y');
  });

  it('hashes in-process where Worker does not exist', async () => {
    vi.stubGlobal('Worker', undefined);
    // MD5("abc"), base64.
    expect(await createWorkerHasher()(new Blob(['abc']))).toBe('kAFQmDzST7DWlj99KOF/cg==');
  });

  it('warmSharedHasher gives each shared worker an empty job, so they start before the first part', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    warmSharedHasher(2);
    // The shared hasher loads its built-in worker script first (a dynamic import).
    await vi.waitFor(() => expect(FakeWorker.all).toHaveLength(2));
    await vi.waitFor(() =>
      expect(FakeWorker.all.map((w) => w.received.map((blob) => blob.size))).toEqual([[0], [0]]),
    );
  });
});
