import type { UploadState } from '../engine/index';
import { RUNNING } from './statuses';

export interface QueueProgress {
  /** Sums over every file not cancelled. */
  bytesUploaded: number;
  bytesTotal: number;
  /** 0–100 over all those bytes. */
  percent: number;
  /** Bytes per second, all files together. */
  speed: number;
  /** Seconds left at the current speed, or null until known. */
  etaSeconds: number | null;
  /** True while any file is preparing, uploading, completing or waiting for the network. */
  isUploading: boolean;
}

/** Overall progress of a queue, from the files' engine states. */
export function queueProgress(states: readonly UploadState[]): QueueProgress {
  let bytesUploaded = 0;
  let bytesTotal = 0;
  let speed = 0;
  let isUploading = false;
  let counted = 0;
  let completed = 0;
  for (const state of states) {
    if (state.status === 'cancelled') continue;
    counted += 1;
    if (state.status === 'completed') completed += 1;
    bytesUploaded += state.bytesUploaded;
    bytesTotal += state.bytesTotal;
    speed += state.speed;
    if (RUNNING.includes(state.status)) isUploading = true;
  }
  const percent =
    bytesTotal > 0
      ? Math.min(100, (bytesUploaded / bytesTotal) * 100)
      : counted > 0 && completed === counted
        ? 100
        : 0;
  const etaSeconds = speed > 0 && isUploading ? (bytesTotal - bytesUploaded) / speed : null;
  return { bytesUploaded, bytesTotal, percent, speed, etaSeconds, isUploading };
}
