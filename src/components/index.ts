// Accessible, themable upload UI built only on the hooks.
export { DropZone, type DropZoneProps } from './drop-zone';
export { formatAgo, formatBytes, formatDuration } from './format';
export { LiveRegion, type LiveRegionProps } from './live-region';
export { defaultMessages, type UploaderMessages } from './messages';
export { ProgressBar, type ProgressBarProps } from './progress-bar';
export { ResumePrompt, type ResumePromptProps } from './resume-prompt';
export { S3Uploader, type S3UploaderProps } from './s3-uploader';
export { UploadItem, type UploadItemProps } from './upload-item';
export { UploadList, type UploadListProps } from './upload-list';
