import type { UploadError, UploadStatus } from '../engine/index';
import { formatBytes, formatDuration } from './format';

/** Every string the components show or announce. Pass a partial object as `messages` to replace some. */
export interface UploaderMessages {
  dropZone: string;
  /** Shown while files are dragged over the drop zone. */
  dropZoneActive: string;
  listLabel: string;
  status(status: UploadStatus): string;
  pause: string;
  resume: string;
  cancel: string;
  retry: string;
  remove: string;
  /** Accessible names of the buttons: they must contain the visible text and the file name. */
  pauseLabel(name: string): string;
  resumeLabel(name: string): string;
  cancelLabel(name: string): string;
  retryLabel(name: string): string;
  removeLabel(name: string): string;
  /** Accessible name of a file's progress bar. */
  progressLabel(name: string): string;
  /** Spoken value of a progress bar (aria-valuetext). */
  progressText(percent: number, bytesUploaded: number, bytesTotal: number): string;
  percent(percent: number): string;
  speed(bytesPerSecond: number): string;
  eta(seconds: number): string;
  /** Announced (aria-live) when a file is uploaded / fails. */
  completed(name: string): string;
  failed(name: string, reason: string): string;
  /** The text shown for an error; the engine's messages are written for people. */
  error(error: UploadError | null): string;
}

const STATUS: Record<UploadStatus, string> = {
  idle: 'Waiting',
  preparing: 'Preparing',
  uploading: 'Uploading',
  paused: 'Paused',
  offline: 'Offline, waiting for the network',
  completing: 'Finishing',
  completed: 'Uploaded',
  cancelling: 'Cancelling',
  cancelled: 'Cancelled',
  error: 'Failed',
};

export const defaultMessages: UploaderMessages = {
  dropZone: 'Drop files here or choose files',
  dropZoneActive: 'Drop to upload',
  listLabel: 'Uploads',
  status: (status) => STATUS[status],
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel',
  retry: 'Retry',
  remove: 'Remove',
  pauseLabel: (name) => `Pause ${name}`,
  resumeLabel: (name) => `Resume ${name}`,
  cancelLabel: (name) => `Cancel ${name}`,
  retryLabel: (name) => `Retry ${name}`,
  removeLabel: (name) => `Remove ${name}`,
  progressLabel: (name) => `Upload of ${name}`,
  progressText: (percent, done, total) =>
    `${Math.floor(percent)}%, ${formatBytes(done)} of ${formatBytes(total)}`,
  percent: (percent) => `${Math.floor(percent)}%`,
  speed: (bytesPerSecond) => `${formatBytes(bytesPerSecond)}/s`,
  eta: (seconds) => `${formatDuration(seconds)} left`,
  completed: (name) => `${name} uploaded.`,
  failed: (name, reason) => `${name} failed: ${reason}`,
  error: (error) => error?.message ?? 'The upload failed.',
};

export function resolveMessages(messages?: Partial<UploaderMessages>): UploaderMessages {
  return messages ? { ...defaultMessages, ...messages } : defaultMessages;
}
