// Resolves the hooks' `resume` option into what a ResumableSession needs. The default store is
// created on first use, in the browser, never at import or during a server render.

import type { ResumeStore, SessionResumeOptions } from '../engine/index';
import { lazyDefaultResumeStore } from '../engine/store/lazy-default-store';
import type { UploaderOptions } from './types';

let defaultStore: ResumeStore | null = null;

/**
 * The page's default store (IndexedDB through Dexie, memory where IndexedDB is missing), created
 * once and loaded with its first use, so that Dexie is not part of the hooks' initial bundle.
 */
export function defaultResumeStore(): ResumeStore {
  defaultStore ??= lazyDefaultResumeStore();
  return defaultStore;
}

function inBrowser(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined';
}

/** Whether uploads of these options are resumable (pure: creates nothing). */
export function resumeEnabled(options: Pick<UploaderOptions, 'resume' | 'signer'>): boolean {
  const { resume } = options;
  if (resume === false) return false;
  if (resume === true || typeof resume === 'object') return true;
  return typeof options.signer === 'string' && inBrowser();
}

/** The record owner: the option, else the signer URL, else "signer" for a Signer object. */
export function resumeSignerId(options: Pick<UploaderOptions, 'resume' | 'signer'>): string {
  const explicit = typeof options.resume === 'object' ? options.resume.signerId : undefined;
  return explicit ?? (typeof options.signer === 'string' ? options.signer : 'signer');
}

/** The session's resume options, or null when uploads are not resumable. */
export function resolveResume(options: UploaderOptions): SessionResumeOptions | null {
  if (!resumeEnabled(options)) return null;
  const given = typeof options.resume === 'object' ? options.resume : {};
  const resolved: SessionResumeOptions = {
    store: given.store ?? defaultResumeStore(),
    signerId: resumeSignerId(options),
  };
  if (given.ttlMs !== undefined) resolved.ttlMs = given.ttlMs;
  if (given.flushIntervalMs !== undefined) resolved.flushIntervalMs = given.flushIntervalMs;
  if (given.locks !== undefined) resolved.locks = given.locks;
  return resolved;
}
