import type { UploadError, UploadStatus } from '../engine/index';
import { formatAgo, formatBytes, formatDuration } from './format';

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
  /** Status of a file another tab is uploading: this one waits and takes over if that tab goes away. */
  lockedElsewhere: string;
  /** Shown under a file: what happened to its earlier upload (the engine's notices are English). */
  notice(text: string): string;
  /** Label of the "resume your unfinished uploads" prompt. */
  unfinishedTitle(count: number): string;
  /** How far an unfinished upload got. */
  unfinishedProgress(percent: number, bytesUploaded: number, bytesTotal: number): string;
  /** When an unfinished upload last made progress (epoch ms; `now` for relative wording). */
  lastActivity(at: number, now: number): string;
  /** An unfinished upload running in another tab right now. */
  runningElsewhere: string;
  // The `...Label`s below name the buttons too: each must contain its button's visible text
  // (WCAG 2.5.3, speech users say what they see) and the file name.
  /** Resume button of an unfinished upload whose file the browser kept (a permission prompt may follow). */
  resumeUpload: string;
  resumeUploadLabel(name: string): string;
  /** Resume button of an unfinished upload whose file must be picked again. */
  chooseAgain: string;
  chooseAgainLabel(name: string): string;
  discard: string;
  discardLabel(name: string): string;
  /** The file picked to resume `name` is another file (or `name` changed since). */
  resumeMismatch(name: string, pickedName: string): string;
  /** Reading the kept file was refused at the permission prompt. */
  resumeDenied(name: string): string;
  /** The kept file could not be opened (moved, renamed or deleted). */
  resumeUnreadable(name: string): string;
  /** Announced when an unfinished upload was discarded / could not be. */
  discarded(name: string): string;
  discardFailed(name: string, reason: string): string;
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
  lockedElsewhere: 'Uploading in another tab',
  notice: (text) => text,
  unfinishedTitle: (count) =>
    count === 1 ? 'You have 1 unfinished upload' : `You have ${count} unfinished uploads`,
  unfinishedProgress: (percent, done, total) =>
    `${Math.floor(percent)}% uploaded (${formatBytes(done)} of ${formatBytes(total)})`,
  lastActivity: (at, now) => `last active ${formatAgo(now - at)}`,
  runningElsewhere: 'Uploading in another tab',
  resumeUpload: 'Resume',
  resumeUploadLabel: (name) => `Resume the upload of ${name}`,
  chooseAgain: 'Choose file again',
  chooseAgainLabel: (name) => `Choose file again: ${name}`,
  discard: 'Discard',
  discardLabel: (name) => `Discard the unfinished upload of ${name}`,
  resumeMismatch: (name, picked) =>
    picked === name
      ? `This ${name} is not the file whose upload was started: it changed since (content or date). Choose the unchanged file, or discard this upload.`
      : `${picked} is not ${name}. Choose ${name}, unchanged, to resume its upload.`,
  resumeDenied: (name) => `Permission to read ${name} was not given. Choose the file again to resume.`,
  resumeUnreadable: (name) =>
    `${name} can no longer be opened (moved, renamed or deleted?). Choose it again to resume.`,
  discarded: (name) => `The unfinished upload of ${name} was discarded.`,
  discardFailed: (name, reason) => `The upload of ${name} could not be discarded: ${reason}`,
};

export function resolveMessages(messages?: Partial<UploaderMessages>): UploaderMessages {
  return messages ? { ...defaultMessages, ...messages } : defaultMessages;
}
