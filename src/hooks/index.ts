// React hooks over the engine: thin useSyncExternalStore adapters, no upload logic.
export type { QueueProgress } from './queue-progress';
export type { QueueOptions, QueueSnapshot, UploadQueueItem } from './queue-store';
export { defaultResumeStore, resumeEnabled, resumeSignerId } from './resume-options';
export type { FileOptions, ResumeOptions, UploaderOptions } from './types';
export { type MultipartUploadResult, useMultipartUpload } from './use-multipart-upload';
export {
  type ResumableUploadsOptions,
  type ResumableUploadsResult,
  useResumableUploads,
} from './use-resumable-uploads';
export { type UploadQueueResult, useUploadQueue } from './use-upload-queue';
