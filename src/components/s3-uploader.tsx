import type { CSSProperties } from 'react';
import { type QueueOptions, useUploadQueue } from '../hooks/index';
import { DropZone } from './drop-zone';
import { LiveRegion } from './live-region';
import { resolveMessages, type UploaderMessages } from './messages';
import { styles, sx } from './styles';
import { UploadList } from './upload-list';
import { useAnnouncements } from './use-announcements';

export interface S3UploaderProps extends QueueOptions {
  /** Replaces some of the English strings (see defaultMessages). */
  messages?: Partial<UploaderMessages>;
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  /** Drops the inline styles, to style through the s3u-* class names alone. */
  unstyled?: boolean;
  className?: string;
  style?: CSSProperties;
}

/** Drop zone + file picker + list of uploads, on useUploadQueue. */
export function S3Uploader(props: S3UploaderProps) {
  const { messages, accept, multiple, disabled, unstyled, className, style, ...options } = props;
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
  return (
    <div
      className={className ? `s3u-root ${className}` : 's3u-root'}
      style={{ ...sx(unstyled, styles.root), ...style }}
    >
      <DropZone
        onFiles={queue.add}
        accept={accept}
        multiple={multiple}
        disabled={disabled}
        messages={m}
        unstyled={unstyled}
      />
      {queue.items.length > 0 && <UploadList items={queue.items} messages={m} unstyled={unstyled} />}
      <LiveRegion messages={announcements} />
    </div>
  );
}
