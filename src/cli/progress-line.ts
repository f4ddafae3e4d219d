import type { UploadState } from '../engine/upload-state';

const MB = 1_000_000;

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/** One terminal line: bar, percent, bytes, speed, ETA, parts and status. */
export function progressLine(state: UploadState, width = 24): string {
  const filled = Math.round((state.percent / 100) * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const bytes = `${(state.bytesUploaded / MB).toFixed(1)}/${(state.bytesTotal / MB).toFixed(1)} MB`;
  const speed = `${(state.speed / MB).toFixed(1)} MB/s`;
  const parts = state.partsTotal > 1 ? ` parts ${state.partsCompleted}/${state.partsTotal}` : '';
  const retries = state.retries > 0 ? ` retries ${state.retries}` : '';
  return `[${bar}] ${state.percent.toFixed(1).padStart(5)}% ${bytes} ${speed} ETA ${formatEta(state.etaSeconds)}${parts}${retries} ${state.status}`;
}
