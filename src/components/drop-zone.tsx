import { type DragEvent, useRef, useState } from 'react';
import { handlesFromDrop, pickFilesWithHandles, supportsFileSystemAccess } from '../engine/index';
import { resolveMessages, type UploaderMessages } from './messages';
import { styles, sx } from './styles';

export interface DropZoneProps {
  /**
   * Called with the chosen or dropped files and, where the browser gives them (File System Access
   * API), each file's FileSystemFileHandle (null where there is none).
   */
  onFiles(files: File[], handles?: ReadonlyArray<unknown>): void;
  /** The file input's accept attribute (e.g. "image/*,.pdf"); not enforced on dropped files. */
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  /**
   * Open files through `showOpenFilePicker` and take dropped files as handles where the browser
   * has the File System Access API, so they can be reopened later without picking them again.
   * Default false; falls back to the file input wherever the API is missing.
   */
  useFileSystemAccess?: boolean;
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
  useFileSystemAccess = false,
  messages,
  unstyled,
  className,
}: DropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const m = resolveMessages(messages);
  const take = (files: File[], handles?: ReadonlyArray<unknown>) => {
    if (files.length === 0) return;
    if (multiple) onFiles(files, handles);
    else onFiles(files.slice(0, 1), handles?.slice(0, 1));
  };
  const open = async () => {
    if (useFileSystemAccess && supportsFileSystemAccess()) {
      const picked = await pickFilesWithHandles({ multiple, ...(accept ? { accept } : {}) });
      if (picked) {
        if (picked.length > 0)
          onFiles(
            picked.map((p) => p.file),
            picked.map((p) => p.handle),
          );
        return;
      }
    }
    input.current?.click();
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
        onClick={() => void open()}
        onDragEnter={over}
        onDragOver={over}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (disabled) return;
          const dropped = event.dataTransfer?.files;
          const files = dropped ? Array.from(dropped) : [];
          if (!useFileSystemAccess) {
            take(files);
            return;
          }
          // Both read now: the drop's data is gone once the event returns.
          void handlesFromDrop(event.dataTransfer).then(
            (handles) => take(files, handles),
            () => take(files),
          );
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
          take(Array.from(event.currentTarget.files ?? []));
          // Cleared so that choosing the same file again still fires a change.
          event.currentTarget.value = '';
        }}
      />
    </>
  );
}
