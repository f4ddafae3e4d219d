import type { CSSProperties } from 'react';
import { isAutomatedBrowser, supportsFileSystemAccess } from '../engine/index';
import {
  type QueueOptions,
  resumeEnabled,
  resumeSignerId,
  useResumableUploads,
  useUploadQueue,
} from '../hooks/index';
import { DropZone } from './drop-zone';
import { LiveRegion } from './live-region';
import { resolveMessages, type UploaderMessages } from './messages';
import { ResumePrompt } from './resume-prompt';
import { styles, sx } from './styles';
import { UploadList } from './upload-list';
import { useAnnouncements } from './use-announcements';

export interface S3UploaderProps extends QueueOptions {
  /** Replaces some of the English strings (see defaultMessages). */
  messages?: Partial<UploaderMessages>;
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  /**
   * Pick files through `showOpenFilePicker` and take dropped files as handles where the browser
   * has the File System Access API, keeping each handle with the upload's record, so that an
   * unfinished upload resumes after a restart with one click and a permission prompt instead of
   * picking the file again. Default: on where available when uploads are resumable, except in
   * automated browsers (`navigator.webdriver`: Playwright and the like can fill a file input but
   * not this picker).
   */
  useFileSystemAccess?: boolean;
  /** Hides the "you have unfinished uploads" prompt (default: shown when uploads are resumable). */
  hideUnfinished?: boolean;
  /** Drops the inline styles, to style through the s3u-* class names alone. */
  unstyled?: boolean;
  className?: string;
  style?: CSSProperties;
}

/**
 * Drop zone + file picker + list of uploads, on useUploadQueue; with resumable uploads, a
 * "you have N unfinished uploads" prompt (useResumableUploads) to resume or discard them.
 */
export function S3Uploader(props: S3UploaderProps) {
  const {
    messages,
    accept,
    multiple,
    disabled,
    unstyled,
    className,
    style,
    useFileSystemAccess,
    hideUnfinished,
    ...options
  } = props;
  const m = resolveMessages(messages);
  const { messages: announcements, announce } = useAnnouncements();
  const queue = useUploadQueue({
    ...options,
    onComplete(result, file, id) {
      announce(m.completed(file.name));
      options.onComplete?.(result, file, id);
    },
    onError(error, file, id) {
      announce(m.failed(file.name, m.error(error)));
      options.onError?.(error, file, id);
    },
  });
  const resumable = resumeEnabled(options);
  const resumeOption = typeof options.resume === 'object' ? options.resume : {};
  const unfinished = useResumableUploads({
    enabled: resumable && !hideUnfinished,
    signerId: resumeSignerId(options),
    signer: options.signer,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(resumeOption.store ? { store: resumeOption.store } : {}),
    ...(resumeOption.locks === undefined ? {} : { locks: resumeOption.locks }),
  });
  // Changes what the pickers do, not what is rendered: server and client markup stay the same.
  const fileSystemAccess = () =>
    (useFileSystemAccess ?? (resumable && !isAutomatedBrowser())) && supportsFileSystemAccess();
  const inQueue = new Set(queue.items.map((item) => item.fingerprint).filter(Boolean));
  const prompt = unfinished.uploads.filter((upload) => !inQueue.has(upload.id));

  const addFiles = (files: File[], handles?: ReadonlyArray<unknown>) => {
    if (!handles?.some(Boolean)) {
      queue.add(files);
      return;
    }
    files.forEach((file, index) => {
      const handle = handles[index];
      queue.add([file], handle ? { handle } : undefined);
    });
  };

  return (
    <div
      className={className ? `s3u-root ${className}` : 's3u-root'}
      style={{ ...sx(unstyled, styles.root), ...style }}
    >
      {prompt.length > 0 && (
        <ResumePrompt
          uploads={prompt}
          onResume={(upload, file, handle) =>
            queue.add([file], { fingerprint: upload.id, ...(handle ? { handle } : {}) })
          }
          onDiscard={(upload) => unfinished.discard(upload.id)}
          accept={accept}
          useFileSystemAccess={fileSystemAccess()}
          announce={announce}
          messages={m}
          unstyled={unstyled}
        />
      )}
      <DropZone
        onFiles={addFiles}
        accept={accept}
        multiple={multiple}
        disabled={disabled}
        useFileSystemAccess={fileSystemAccess()}
        messages={m}
        unstyled={unstyled}
      />
      {queue.items.length > 0 && <UploadList items={queue.items} messages={m} unstyled={unstyled} />}
      <LiveRegion messages={announcements} />
    </div>
  );
}
