import { styles, sx } from './styles';

export interface ProgressBarProps {
  /** 0–100. */
  value: number;
  /** Accessible name, e.g. "Upload of photo.jpg". */
  label: string;
  /** Spoken value, e.g. "42%, 3.1 MB of 7.4 MB". */
  valueText: string;
  tone?: 'active' | 'done' | 'error';
  unstyled?: boolean;
  className?: string;
}

export function ProgressBar({
  value,
  label,
  valueText,
  tone = 'active',
  unstyled,
  className,
}: ProgressBarProps) {
  const percent = Math.max(0, Math.min(100, value));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.floor(percent)}
      aria-valuetext={valueText}
      className={className ? `s3u-progress ${className}` : 's3u-progress'}
      data-tone={tone}
      style={sx(unstyled, styles.track)}
    >
      <div
        className="s3u-progress-bar"
        style={{
          width: `${percent}%`,
          ...sx(unstyled, styles.bar, tone === 'done' && styles.barDone, tone === 'error' && styles.barError),
        }}
      />
    </div>
  );
}
