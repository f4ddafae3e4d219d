import type { CSSProperties } from 'react';

// Inline styles so the components look right without a stylesheet and render the same on the
// server. Every value reads a CSS custom property (--s3u-*) with a fallback: set those to theme.
// Longhands only: shorthands holding var() are expanded unreliably by some DOMs.
// To style through the s3u-* class names instead, pass `unstyled` (inline styles would win).

const text = 'var(--s3u-text, #1f2937)';
const muted = 'var(--s3u-muted, #4b5563)';
const accent = 'var(--s3u-accent, #1d4ed8)';
const border = 'var(--s3u-border, #6b7280)';
const radius = 'var(--s3u-radius, 8px)';

export const styles = {
  root: {
    display: 'grid',
    gap: '0.75rem',
    fontFamily: 'var(--s3u-font, system-ui, -apple-system, "Segoe UI", sans-serif)',
    fontSize: 'var(--s3u-font-size, 0.875rem)',
    color: text,
  },
  dropZone: {
    display: 'block',
    width: '100%',
    boxSizing: 'border-box',
    padding: 'var(--s3u-dropzone-padding, 2rem 1rem)',
    borderWidth: '2px',
    borderStyle: 'dashed',
    borderColor: border,
    borderRadius: radius,
    background: 'var(--s3u-dropzone-bg, #f9fafb)',
    color: text,
    font: 'inherit',
    textAlign: 'center',
    cursor: 'pointer',
  },
  dropZoneActive: {
    borderColor: accent,
    background: 'var(--s3u-dropzone-active-bg, #eff6ff)',
  },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: '0.5rem' },
  item: {
    display: 'grid',
    gap: '0.375rem',
    padding: '0.75rem',
    borderWidth: '1px',
    borderStyle: 'solid',
    borderColor: 'var(--s3u-item-border, #d1d5db)',
    borderRadius: radius,
    background: 'var(--s3u-item-bg, #ffffff)',
  },
  header: { display: 'flex', justifyContent: 'space-between', gap: '0.5rem', alignItems: 'baseline' },
  name: { fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 },
  status: { color: muted, flexShrink: 0 },
  meta: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: '0.75rem',
    color: muted,
    fontVariantNumeric: 'tabular-nums',
  },
  error: { color: 'var(--s3u-error, #b91c1c)', margin: 0 },
  notice: { color: muted, margin: 0 },
  resume: {
    display: 'grid',
    gap: '0.5rem',
    padding: '0.75rem',
    borderWidth: '1px',
    borderStyle: 'solid',
    borderColor: 'var(--s3u-resume-border, #f59e0b)',
    borderRadius: radius,
    background: 'var(--s3u-resume-bg, #fffbeb)',
  },
  resumeTitle: { fontWeight: 600, margin: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: '0.5rem' },
  button: {
    padding: '0.25rem 0.75rem',
    borderWidth: '1px',
    borderStyle: 'solid',
    borderColor: border,
    borderRadius: 'var(--s3u-button-radius, 6px)',
    background: 'var(--s3u-button-bg, #ffffff)',
    color: text,
    font: 'inherit',
    cursor: 'pointer',
  },
  track: {
    height: 'var(--s3u-bar-height, 0.5rem)',
    borderRadius: '999px',
    background: 'var(--s3u-track, #e5e7eb)',
    overflow: 'hidden',
  },
  bar: { height: '100%', background: accent, transition: 'width 0.2s linear' },
  barDone: { background: 'var(--s3u-success, #15803d)' },
  barError: { background: 'var(--s3u-error, #b91c1c)' },
  /** Read by screen readers, invisible on screen. */
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    padding: 0,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
} satisfies Record<string, CSSProperties>;

/** The inline style unless the component is unstyled. */
export function sx(unstyled: boolean | undefined, ...parts: Array<CSSProperties | false | undefined>) {
  if (unstyled) return undefined;
  return Object.assign({}, ...parts) as CSSProperties;
}
