import { type DragEvent, useRef, useState } from 'react';
import { resolveMessages, type UploaderMessages } from './messages';
import { styles, sx } from './styles';

export interface DropZoneProps {
  onFiles(files: File[]): void;
  /** The file input's accept attribute (e.g. "image/*,.pdf"); not enforced on dropped files. */
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  messages?: Partial<UploaderMessages>;
  unstyled?: boolean;
  className?: string;
}

/**
 * A native button that opens the file picker (Enter, Space or click) and accepts dropped files:
 * keyboard users get the picker, mouse users get both, with one tab stop.
 */
export function DropZone({
  onFiles,
  accept,
  multiple = true,
  disabled,
  messages,
  unstyled,
  className,
}: DropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const m = resolveMessages(messages);
  const take = (list: FileList | null | undefined) => {
    const files = list ? Array.from(list) : [];
    if (files.length > 0) onFiles(multiple ? files : files.slice(0, 1));
  };
  const over = (event: DragEvent) => {
    // Without preventDefault the browser refuses the drop (and would open the file instead).
    event.preventDefault();
    if (!disabled) setDragging(true);
  };
  return (
    <>
      <button
        type="button"
        className={`s3u-dropzone${dragging ? ' s3u-dropzone--active' : ''}${className ? ` ${className}` : ''}`}
        disabled={disabled}
        onClick={() => input.current?.click()}
        onDragEnter={over}
        onDragOver={over}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (!disabled) take(event.dataTransfer?.files);
        }}
        style={sx(unstyled, styles.dropZone, dragging && styles.dropZoneActive)}
      >
        {dragging ? m.dropZoneActive : m.dropZone}
      </button>
      <input
        ref={input}
        type="file"
        className="s3u-file-input"
        hidden
        tabIndex={-1}
        // Never shown; labelled anyway for DOMs that do not treat `hidden` as display:none.
        aria-label={m.dropZone}
        accept={accept}
        multiple={multiple}
        onChange={(event) => {
          take(event.currentTarget.files);
          // Cleared so that choosing the same file again still fires a change.
          event.currentTarget.value = '';
        }}
      />
    </>
  );
}
