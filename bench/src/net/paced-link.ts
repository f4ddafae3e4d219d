// One direction of an emulated link: bytes leave `from`, queue behind each other at `rate`
// (serialisation at the bottleneck), and reach `to` `delayMs` later (propagation). When more than
// `highWater` bytes are on the link, `from` is paused, like a full TCP window.
import type { Socket } from 'node:net';

const SLICE = 16 * 1024;

interface InFlight {
  at: number;
  bytes: Buffer;
}

export class PacedLink {
  private readonly queue: InFlight[] = [];
  private head = 0;
  private linkFreeAt = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;
  bytes = 0;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly bytesPerSecond: number,
    private readonly delayMs: number,
    private readonly highWater: number,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
    from.on('end', () => {
      this.ended = true;
      this.flush();
    });
  }

  private push(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length; offset += SLICE) {
      const bytes = chunk.subarray(offset, offset + SLICE);
      const now = performance.now();
      this.linkFreeAt = Math.max(now, this.linkFreeAt) + (bytes.length / this.bytesPerSecond) * 1000;
      this.queue.push({ at: this.linkFreeAt + this.delayMs, bytes });
      this.queuedBytes += bytes.length;
    }
    if (this.queuedBytes > this.highWater) this.from.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const next = this.queue[this.head];
    if (!next) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, next.at - performance.now()),
    );
  }

  private flush(): void {
    const now = performance.now();
    while (this.head < this.queue.length && (this.queue[this.head] as InFlight).at <= now) {
      const { bytes } = this.queue[this.head] as InFlight;
      this.head += 1;
      this.queuedBytes -= bytes.length;
      this.bytes += bytes.length;
      if (!this.to.destroyed) this.to.write(bytes);
    }
    if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.queuedBytes <= this.highWater / 2 && this.from.isPaused()) this.from.resume();
    if (this.head >= this.queue.length && this.ended) {
      if (!this.to.destroyed) this.to.end();
      return;
    }
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
