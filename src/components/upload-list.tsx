import { useRef } from 'react';
import type { UploadQueueItem } from '../hooks/index';
import { resolveMessages, type UploaderMessages } from './messages';
import { styles, sx } from './styles';
import { UploadItem } from './upload-item';

export interface UploadListProps {
  items: readonly UploadQueueItem[];
  messages?: Partial<UploaderMessages>;
  /** Accessible name of the list (default: messages.listLabel). */
  label?: string;
  unstyled?: boolean;
}

/** The files of a useUploadQueue, each with its progress and actions. */
export function UploadList({ items, messages, label, unstyled }: UploadListProps) {
  const list = useRef<HTMLUListElement>(null);
  // Removing an item deletes the focused button: hand focus to a neighbour's last button, or
  // to the drop zone of the enclosing uploader, rather than letting it fall back to the page.
  const removeAndRefocus = (item: UploadQueueItem, index: number) => {
    const rows = list.current?.children;
    const neighbour = rows?.[index + 1] ?? rows?.[index - 1];
    const target =
      neighbour?.querySelector<HTMLElement>('.s3u-button:last-of-type') ??
      list.current?.closest('.s3u-root')?.querySelector<HTMLElement>('.s3u-dropzone');
    item.remove();
    target?.focus();
  };
  return (
    <ul
      ref={list}
      className="s3u-list"
      aria-label={label ?? resolveMessages(messages).listLabel}
      style={sx(unstyled, styles.list)}
    >
      {items.map((item, index) => (
        <UploadItem
          key={item.id}
          name={item.file.name}
          state={item}
          lockedElsewhere={item.lockedElsewhere}
          notice={item.notice}
          onPause={item.pause}
          onResume={item.resume}
          onCancel={item.cancel}
          onRetry={item.retry}
          onRemove={() => removeAndRefocus(item, index)}
          messages={messages}
          unstyled={unstyled}
        />
      ))}
    </ul>
  );
}
