import { beforeEach, describe, expect, it } from 'vitest';
import { idleBufferCount, readBlobChunks, resetByobStall } from './read-blob';

const MiB = 1024 * 1024;

function bytes(length: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) data[i] = (i * 31 + (i >> 12)) & 255;
  return data;
}

/** Byte equality without vitest's element-by-element diff (seconds for megabytes). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Everything `readBlobChunks` hands out, copied (each view is only valid during its call). */
async function readAll(blob: Blob, stallMs?: number) {
  const chunks: Uint8Array[] = [];
  await readBlobChunks(blob, (chunk) => chunks.push(chunk.slice()), stallMs);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return { out, chunks };
}

/** A Blob whose stream() is what `stream` makes; slice() is the real one. */
function blobWithStream(data: Uint8Array<ArrayBuffer>, stream: () => ReadableStream<Uint8Array>): Blob {
  const real = new Blob([data]);
  return {
    size: real.size,
    type: '',
    slice: (start?: number, end?: number) => real.slice(start, end),
    stream,
  } as unknown as Blob;
}

describe('readBlobChunks', () => {
  beforeEach(() => {
    resetByobStall();
  });

  it('reads a byte stream through one reused buffer of at most 1 MiB per read', async () => {
    const data = bytes(3 * MiB + 12345);
    const { out, chunks } = await readAll(new Blob([data]));
    expect(same(out, data)).toBe(true);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(MiB);
  });

  it('hands its buffer to the next blob instead of allocating 1 MiB per blob', async () => {
    const before = idleBufferCount();
    for (let i = 0; i < 5; i += 1) {
      const data = bytes(100_000 + i);
      expect(same((await readAll(new Blob([data]))).out, data)).toBe(true);
    }
    expect(idleBufferCount()).toBe(Math.max(before, 1));
    // Concurrent reads each need a buffer; no more than a few are kept afterwards.
    await Promise.all(Array.from({ length: 8 }, (_, i) => readAll(new Blob([bytes(50_000 + i)]))));
    expect(idleBufferCount()).toBe(4);
  });

  it('reads a stream that is not a byte stream with the default reader', async () => {
    const data = bytes(2 * MiB + 7);
    let pulls = 0;
    const blob = blobWithStream(data, () => {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls += 1;
          if (offset >= data.length) return controller.close();
          controller.enqueue(data.slice(offset, offset + 300_000));
          offset += 300_000;
        },
      });
    });
    const { out } = await readAll(blob);
    expect(same(out, data)).toBe(true);
    expect(pulls).toBeGreaterThan(7);
  });

  it('goes on with the default reader from where a stalled byte-stream read stopped', async () => {
    const data = bytes(3 * MiB);
    const delivered = MiB + MiB / 2;
    const blob = blobWithStream(data, () => {
      let offset = 0;
      return new ReadableStream({
        type: 'bytes',
        pull(controller) {
          if (offset >= delivered) return new Promise<void>(() => {}); // never answers
          const view = controller.byobRequest?.view as Uint8Array;
          const length = Math.min(view.byteLength, delivered - offset, MiB / 2);
          view.set(data.subarray(offset, offset + length));
          offset += length;
          controller.byobRequest?.respond(length);
        },
      });
    });
    const { out } = await readAll(blob, 50);
    expect(same(out, data)).toBe(true);
  });

  it('reads with the default reader only, once a byte-stream read has stalled', async () => {
    const data = bytes(MiB + 99);
    /** A byte stream whose BYOB reads never answer; default reads get the data. */
    const byobNeverAnswers = () =>
      new ReadableStream({
        type: 'bytes',
        pull(controller) {
          if (controller.byobRequest) return new Promise<void>(() => {});
          controller.enqueue(data.slice());
          controller.close();
        },
      });
    const first = await readAll(blobWithStream(data, byobNeverAnswers), 50);
    expect(same(first.out, data)).toBe(true);
    // With BYOB tried again, this read would wait a minute (the test's limit is 5 s).
    const second = await readAll(blobWithStream(data, byobNeverAnswers), 60_000);
    expect(same(second.out, data)).toBe(true);
  });
});
