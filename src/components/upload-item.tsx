import { useLayoutEffect, useRef } from 'react';
import type { UploadState } from '../engine/index';
import { resolveMessages, type UploaderMessages } from './messages';
import { ProgressBar } from './progress-bar';
import { styles, sx } from './styles';

export interface UploadItemProps {
  name: string;
  state: UploadState;
  /** Another tab is uploading this file: this one waits (only Cancel, to stop waiting, is offered). */
  lockedElsewhere?: boolean;
  /** Something to tell about the file's earlier upload (shown under it). */
  notice?: string | null;
  /** A button is shown for each handler given, when the upload's status allows that action. */
  onPause?(): void;
  onResume?(): void;
  onCancel?(): void;
  onRetry?(): void;
  onRemove?(): void;
  messages?: Partial<UploaderMessages>;
  unstyled?: boolean;
}

const CAN_PAUSE = ['preparing', 'uploading', 'completing', 'offline'];
const FINAL = ['completed', 'cancelled'];

/** One file: name, status, progress bar, percent, speed, ETA, error text and actions. */
export function UploadItem(props: UploadItemProps) {
  const { name, state, unstyled, lockedElsewhere, notice } = props;
  const m = resolveMessages(props.messages);
  const { status } = state;
  const tone = status === 'completed' ? 'done' : status === 'error' ? 'error' : 'active';
  // A focused button that goes away (Pause when the upload completes) would drop the keyboard
  // focus to the page: hand it to the button now in the first slot (Remove) instead.
  const actions = useRef<HTMLDivElement>(null);
  const slots = useRef<(HTMLButtonElement | null)[]>([null, null]);
  const focusLost = useRef(false);
  const slotRef = (slot: number) => (element: HTMLButtonElement | null) => {
    const previous = slots.current[slot];
    if (element === null && previous && previous === previous.ownerDocument.activeElement) {
      focusLost.current = true;
    }
    slots.current[slot] = element;
  };
  useLayoutEffect(() => {
    if (!focusLost.current) return;
    focusLost.current = false;
    const box = actions.current;
    const active = box?.ownerDocument.activeElement;
    if (box && (active === null || active === box.ownerDocument.body)) {
      box.querySelector<HTMLElement>('button')?.focus();
    }
  });
  const button = (
    slot: number,
    action: string,
    text: string,
    label: string,
    onClick: (() => void) | undefined,
  ) =>
    onClick ? (
      <button
        ref={slotRef(slot)}
        type="button"
        className="s3u-button"
        data-action={action}
        aria-label={label}
        // aria-disabled rather than disabled: a disabled button drops the keyboard focus.
        aria-disabled={status === 'cancelling' || undefined}
        onClick={status === 'cancelling' ? undefined : onClick}
        style={sx(unstyled, styles.button)}
      >
        {text}
      </button>
    ) : null;

  // Two fixed slots, so that the button pressed stays focused when its action changes
  // (Pause becomes Resume, Cancel becomes Remove) instead of focus falling back to the page.
  const primary = lockedElsewhere
    ? null
    : status === 'paused'
      ? button(0, 'resume', m.resume, m.resumeLabel(name), props.onResume)
      : status === 'error'
        ? button(0, 'retry', m.retry, m.retryLabel(name), props.onRetry)
        : CAN_PAUSE.includes(status)
          ? button(0, 'pause', m.pause, m.pauseLabel(name), props.onPause)
          : null;
  const secondary = FINAL.includes(status)
    ? button(1, 'remove', m.remove, m.removeLabel(name), props.onRemove)
    : button(1, 'cancel', m.cancel, m.cancelLabel(name), props.onCancel);

  return (
    <li
      className="s3u-item"
      data-status={status}
      data-locked-elsewhere={lockedElsewhere || undefined}
      style={sx(unstyled, styles.item)}
    >
      <div className="s3u-item-header" style={sx(unstyled, styles.header)}>
        <span className="s3u-item-name" title={name} style={sx(unstyled, styles.name)}>
          {name}
        </span>
        <span className="s3u-item-status" style={sx(unstyled, styles.status)}>
          {lockedElsewhere ? m.lockedElsewhere : m.status(status)}
        </span>
      </div>
      <ProgressBar
        value={state.percent}
        label={m.progressLabel(name)}
        valueText={m.progressText(state.percent, state.bytesUploaded, state.bytesTotal)}
        tone={tone}
        unstyled={unstyled}
      />
      <div className="s3u-item-meta" style={sx(unstyled, styles.meta)}>
        <span className="s3u-item-percent">{m.percent(state.percent)}</span>
        {state.speed > 0 && <span className="s3u-item-speed">{m.speed(state.speed)}</span>}
        {state.etaSeconds !== null && <span className="s3u-item-eta">{m.eta(state.etaSeconds)}</span>}
      </div>
      {notice && (
        <p className="s3u-item-notice" style={sx(unstyled, styles.notice)}>
          {m.notice(notice)}
        </p>
      )}
      {status === 'error' && (
        <p className="s3u-item-error" style={sx(unstyled, styles.error)}>
          {m.error(state.error)}
        </p>
      )}
      {/* Cancelled, but S3 could not abort the upload: say what is left behind. */}
      {status === 'cancelled' && state.error && (
        <p className="s3u-item-notice" style={sx(unstyled, styles.notice)}>
          {m.error(state.error)}
        </p>
      )}
      <div ref={actions} className="s3u-item-actions" style={sx(unstyled, styles.actions)}>
        {primary}
        {secondary}
      </div>
    </li>
  );
}
