// Reads a Blob chunk by chunk for hashing. Where Blob.stream() is a byte stream (Chromium, Node),
// a BYOB reader fills one reused 1 MiB buffer: in Chromium that reads a file 2–4x faster than the
// default reader, which allocates a new chunk per read, and with the buffer handed from blob to
// blob it leaves almost no garbage (the two MD5 workers' heap: 4 MiB instead of 142 over a 256 MiB
// upload, 5 MiB instead of 207 over 1 GiB).
// Elsewhere, and from the first read that stalls, the default reader takes over where it stopped.
// A stall is not hypothetical: in Chromium 156 a BYOB loop over a few hundred 8 MiB slices of one
// file, in a worker with nothing else scheduled, stopped for good (in each of 6 runs); with a
// timer pending during each read, as here, it did not happen in 3,000 slices.

const BUFFER_BYTES = 1024 * 1024;
/**
 * Buffers back from finished reads, for the next blob: a new 1 MiB buffer per blob was 1 GB of
 * allocations for 1,000 files of 100 KiB, which made hashing them slower than the default reader.
 * Kept few: concurrent reads (in-process hashing) allocate their own beyond these.
 */
const idleBuffers: ArrayBuffer[] = [];
const IDLE_BUFFERS_MAX = 4;
/** A read of at most 1 MiB from a local file takes milliseconds; one this slow is treated as stuck. */
export const STALL_MS = 10_000;

type ByobReader = ReadableStreamBYOBReader;

/** Set by the first stall: this context reads with the default reader from then on. */
let byobStalled = false;

/** For tests: forget an earlier stall. */
export function resetByobStall(): void {
  byobStalled = false;
}

/** For tests: buffers waiting for the next read. */
export function idleBufferCount(): number {
  return idleBuffers.length;
}

function byobReader(stream: ReadableStream<Uint8Array>): ByobReader | null {
  try {
    return stream.getReader({ mode: 'byob' });
  } catch {
    stream.cancel().catch(() => {});
    return null; // not a byte stream (older Safari and Firefox): the default reader reads it
  }
}

const STALLED = Symbol('stalled');

function withinStall<T>(read: Promise<T>, stallMs: number): Promise<T | typeof STALLED> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => {
    timer = setTimeout(() => resolve(STALLED), stallMs);
  });
  return Promise.race([read, stalled]).finally(() => clearTimeout(timer));
}

/** Bytes handed to `onChunk` before the end, or before a read stalled (then the caller goes on). */
async function readByob(
  reader: ByobReader,
  onChunk: (bytes: Uint8Array) => void,
  stallMs: number,
): Promise<{ read: number; done: boolean }> {
  let buffer = idleBuffers.pop() ?? new ArrayBuffer(BUFFER_BYTES);
  let read = 0;
  for (;;) {
    const result = await withinStall(reader.read(new Uint8Array(buffer)), stallMs);
    if (result === STALLED) {
      byobStalled = true;
      reader.cancel().catch(() => {});
      return { read, done: false };
    }
    if (result.done) {
      // The stream hands the buffer back with the end (a zero-length view over it).
      const back = result.value?.buffer;
      if (
        back instanceof ArrayBuffer &&
        back.byteLength === BUFFER_BYTES &&
        idleBuffers.length < IDLE_BUFFERS_MAX
      )
        idleBuffers.push(back);
      return { read, done: true };
    }
    onChunk(result.value);
    read += result.value.byteLength;
    buffer = result.value.buffer as ArrayBuffer; // the same memory, handed back by the stream
  }
}

async function readDefault(blob: Blob, onChunk: (bytes: Uint8Array) => void): Promise<void> {
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

/** Calls `onChunk` with the bytes of `blob` in order (each view is valid only during the call). */
export async function readBlobChunks(
  blob: Blob,
  onChunk: (bytes: Uint8Array) => void,
  stallMs = STALL_MS,
): Promise<void> {
  const reader = byobStalled ? null : byobReader(blob.stream());
  if (!reader) return readDefault(blob, onChunk);
  const { read, done } = await readByob(reader, onChunk, stallMs);
  if (!done) await readDefault(blob.slice(read), onChunk);
}
