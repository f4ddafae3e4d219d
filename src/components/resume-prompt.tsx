import { useId, useRef, useState } from 'react';
import {
  matchesRecord,
  pickFilesWithHandles,
  type ResumableUploadInfo,
  reopenRecordedFile,
  supportsFileSystemAccess,
  type UploadError,
} from '../engine/index';
import { formatBytes } from './format';
import { resolveMessages, type UploaderMessages } from './messages';
import { styles, sx } from './styles';

export interface ResumePromptProps {
  /** From `useResumableUploads` (minus the files already in the uploader). */
  uploads: readonly ResumableUploadInfo[];
  /** The file of `upload` was reopened or picked again, and it is the same file: upload it. */
  onResume(upload: ResumableUploadInfo, file: File, handle: unknown): void;
  /** Discard `upload` (abort it on S3, delete its record); a rejection is shown on its row. */
  onDiscard(upload: ResumableUploadInfo): Promise<unknown>;
  /** Restricts the picker like the uploader's input (e.g. "image/*,.pdf"). */
  accept?: string;
  /** Pick again through `showOpenFilePicker` where available (the handle is then kept). Default false. */
  useFileSystemAccess?: boolean;
  /** Reads out results (the uploader's live region). */
  announce?(text: string): void;
  messages?: Partial<UploaderMessages>;
  unstyled?: boolean;
  /** Clock for "last active ..." (default Date.now). */
  now?: () => number;
}

/**
 * "You have N unfinished uploads": each with its name, size, how far it got and when, a Resume
 * button (reopens the kept file after a permission prompt, or asks for the file again, which
 * must be the same file) and Discard.
 */
export function ResumePrompt(props: ResumePromptProps) {
  const { uploads, onResume, onDiscard, accept, announce, unstyled } = props;
  const m = resolveMessages(props.messages);
  const titleId = useId();
  const input = useRef<HTMLInputElement>(null);
  const section = useRef<HTMLElement>(null);
  const pending = useRef<ResumableUploadInfo | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  /** Uploads whose kept file could not be reopened: they are picked again instead. */
  const [pickInstead, setPickInstead] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const now = (props.now ?? Date.now)();

  const problem = (id: string, text: string | null) =>
    setProblems((current) => {
      const next = { ...current };
      if (text === null) delete next[id];
      else next[id] = text;
      return next;
    });
  const setBusyFor = (id: string, on: boolean) =>
    setBusy((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  // A row that goes away takes the focused button with it: focus moves to the drop zone. Looked up
  // before any await: the last row going away unmounts the prompt, and `section` with it.
  const focusTarget = () =>
    section.current?.closest('.s3u-root')?.querySelector<HTMLElement>('.s3u-dropzone') ?? null;

  const take = async (upload: ResumableUploadInfo, file: File, handle: unknown) => {
    const dropZone = focusTarget();
    if (!(await matchesRecord(file, upload))) {
      problem(upload.id, m.resumeMismatch(upload.name, file.name));
      return;
    }
    problem(upload.id, null);
    onResume(upload, file, handle);
    dropZone?.focus();
  };

  const resume = async (upload: ResumableUploadInfo) => {
    problem(upload.id, null);
    if (upload.hasHandle && !pickInstead.has(upload.id)) {
      const dropZone = focusTarget();
      const reopened = await reopenRecordedFile(upload);
      if (reopened.ok) {
        onResume(upload, reopened.file, reopened.handle);
        dropZone?.focus();
        return;
      }
      problem(
        upload.id,
        reopened.reason === 'changed'
          ? m.resumeMismatch(upload.name, upload.name)
          : reopened.reason === 'denied'
            ? m.resumeDenied(upload.name)
            : m.resumeUnreadable(upload.name),
      );
      setPickInstead((current) => new Set(current).add(upload.id));
      return;
    }
    if (props.useFileSystemAccess && supportsFileSystemAccess()) {
      const picked = await pickFilesWithHandles({ multiple: false, ...(accept ? { accept } : {}) });
      if (picked) {
        const [first] = picked;
        if (first) await take(upload, first.file, first.handle);
        return;
      }
    }
    pending.current = upload;
    input.current?.click();
  };

  const discard = async (upload: ResumableUploadInfo) => {
    const dropZone = focusTarget();
    setBusyFor(upload.id, true);
    try {
      await onDiscard(upload);
      announce?.(m.discarded(upload.name));
      dropZone?.focus();
    } catch (error) {
      problem(upload.id, m.discardFailed(upload.name, m.error(error as UploadError)));
    } finally {
      setBusyFor(upload.id, false);
    }
  };

  const button = (action: string, text: string, label: string, onClick: () => void, disabled: boolean) => (
    <button
      type="button"
      className="s3u-button"
      data-action={action}
      aria-label={label}
      aria-disabled={disabled || undefined}
      onClick={disabled ? undefined : onClick}
      style={sx(unstyled, styles.button)}
    >
      {text}
    </button>
  );

  return (
    <section
      ref={section}
      className="s3u-resume"
      aria-labelledby={titleId}
      style={sx(unstyled, styles.resume)}
    >
      <p id={titleId} className="s3u-resume-title" style={sx(unstyled, styles.resumeTitle)}>
        {m.unfinishedTitle(uploads.length)}
      </p>
      <ul className="s3u-resume-list" aria-labelledby={titleId} style={sx(unstyled, styles.list)}>
        {uploads.map((upload) => {
          const reopen = upload.hasHandle && !pickInstead.has(upload.id);
          const isBusy = busy.has(upload.id);
          return (
            <li
              key={upload.id}
              className="s3u-resume-item"
              data-locked-elsewhere={upload.lockedElsewhere || undefined}
              style={sx(unstyled, styles.item)}
            >
              <div className="s3u-item-header" style={sx(unstyled, styles.header)}>
                <span className="s3u-item-name" title={upload.name} style={sx(unstyled, styles.name)}>
                  {upload.name}
                </span>
                {upload.lockedElsewhere && (
                  <span className="s3u-item-status" style={sx(unstyled, styles.status)}>
                    {m.runningElsewhere}
                  </span>
                )}
              </div>
              <div className="s3u-item-meta" style={sx(unstyled, styles.meta)}>
                <span className="s3u-resume-size">{formatBytes(upload.size)}</span>
                <span className="s3u-resume-progress">
                  {m.unfinishedProgress(upload.percent, upload.bytesUploaded, upload.size)}
                </span>
                <span className="s3u-resume-activity">{m.lastActivity(upload.updatedAt, now)}</span>
              </div>
              {problems[upload.id] && (
                <p className="s3u-resume-problem" role="alert" style={sx(unstyled, styles.error)}>
                  {problems[upload.id]}
                </p>
              )}
              {!upload.lockedElsewhere && (
                <div className="s3u-item-actions" style={sx(unstyled, styles.actions)}>
                  {reopen
                    ? button(
                        'resume-upload',
                        m.resumeUpload,
                        m.resumeUploadLabel(upload.name),
                        () => void resume(upload),
                        isBusy,
                      )
                    : button(
                        'choose-again',
                        m.chooseAgain,
                        m.chooseAgainLabel(upload.name),
                        () => void resume(upload),
                        isBusy,
                      )}
                  {button(
                    'discard',
                    m.discard,
                    m.discardLabel(upload.name),
                    () => void discard(upload),
                    isBusy,
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <input
        ref={input}
        type="file"
        className="s3u-resume-input"
        hidden
        tabIndex={-1}
        aria-label={m.chooseAgain}
        accept={accept}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          const upload = pending.current;
          event.currentTarget.value = '';
          pending.current = null;
          if (file && upload) void take(upload, file, undefined);
        }}
      />
    </section>
  );
}
