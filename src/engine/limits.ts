// S3's multipart limits. S3-compatible stores differ, so every one is overridable.

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface PartLimits {
  /** Smallest allowed part except the last (S3: 5 MiB). */
  minPartSize: number;
  /** Largest allowed part (S3: 5 GiB). */
  maxPartSize: number;
  /** Most parts in one upload (S3: 10,000). */
  maxParts: number;
}

export const S3_LIMITS: PartLimits = {
  minPartSize: 5 * MiB,
  maxPartSize: 5 * GiB,
  maxParts: 10_000,
};

/** Largest object the limits allow: 10,000 × 5 GiB ≈ 48.8 TiB on S3. */
export function maxObjectSize(limits: PartLimits): number {
  return limits.maxParts * limits.maxPartSize;
}
