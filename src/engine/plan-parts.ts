import { UploadError } from './errors';
import { MiB, maxObjectSize, type PartLimits, S3_LIMITS } from './limits';

export interface PartPlan {
  size: number;
  partSize: number;
  partCount: number;
}

export interface PartRange {
  partNumber: number;
  start: number;
  end: number;
}

/** Part sizes are rounded up to whole MiB so plans stay readable and stable across versions. */
const ALIGN = MiB;

/**
 * Chooses the part size for a file: the preferred size, grown just enough that the file fits in
 * `maxParts` parts. Throws FILE_TOO_LARGE / INVALID_OPTIONS with what to change.
 */
export function planParts(
  size: number,
  preferredPartSize = 8 * MiB,
  limits: PartLimits = S3_LIMITS,
): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new UploadError('INVALID_OPTIONS', `File size must be a non-negative integer, got ${size}.`);
  }
  if (limits.minPartSize <= 0 || limits.maxPartSize < limits.minPartSize || limits.maxParts < 1) {
    throw new UploadError(
      'INVALID_OPTIONS',
      'Part limits are inconsistent: need 0 < minPartSize <= maxPartSize and maxParts >= 1.',
    );
  }
  if (
    !Number.isSafeInteger(preferredPartSize) ||
    preferredPartSize < limits.minPartSize ||
    preferredPartSize > limits.maxPartSize
  ) {
    throw new UploadError(
      'INVALID_OPTIONS',
      `partSize ${preferredPartSize} is outside the store's limits (${limits.minPartSize}–${limits.maxPartSize} bytes); choose a size in that range.`,
    );
  }
  const max = maxObjectSize(limits);
  if (size > max) {
    throw new UploadError(
      'FILE_TOO_LARGE',
      `The file is ${size} bytes but the store accepts at most ${max} bytes in one object (${limits.maxParts} parts of ${limits.maxPartSize} bytes). Split the file or raise the store limits.`,
    );
  }
  let partSize = preferredPartSize;
  const needed = Math.ceil(size / limits.maxParts);
  if (needed > partSize) {
    // Grow to whole MiB when that still fits the limit; otherwise the exact minimum that fits.
    const aligned = Math.ceil(needed / ALIGN) * ALIGN;
    partSize = aligned <= limits.maxPartSize ? aligned : needed;
  }
  const partCount = size === 0 ? 0 : Math.ceil(size / partSize);
  return { size, partSize, partCount };
}

/** Byte range [start, end) of a 1-based part number. */
export function partRange(plan: PartPlan, partNumber: number): PartRange {
  const start = (partNumber - 1) * plan.partSize;
  return { partNumber, start, end: Math.min(start + plan.partSize, plan.size) };
}
