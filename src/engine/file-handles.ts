// Browser edge for the File System Access API: pick files as handles, take handles from a drop,
// and reopen a recorded handle to resume without picking the file again. Where the API is missing
// (Firefox, Safari, Node) nothing here is used: files are picked or dropped again and matched by
// fingerprint. Globals are looked up at call time.
import { fingerprintFile } from './fingerprint';
import type { UploadRecord } from './store/types';

/** The part of `FileSystemFileHandle` used here. */
export interface FileHandleLike {
  kind?: string;
  name?: string;
  getFile(): Promise<File>;
  queryPermission?(descriptor: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
  requestPermission?(descriptor: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
}

export interface PickedFile {
  file: File;
  handle: FileHandleLike | null;
}

interface OpenFilePickerOptions {
  multiple?: boolean;
  excludeAcceptAllOption?: boolean;
  types?: Array<{ description?: string; accept: Record<string, string[]> }>;
}

type ShowOpenFilePicker = (options?: OpenFilePickerOptions) => Promise<FileHandleLike[]>;

function picker(): ShowOpenFilePicker | null {
  const fn = (globalThis as { showOpenFilePicker?: unknown }).showOpenFilePicker;
  return typeof fn === 'function' ? (fn as ShowOpenFilePicker) : null;
}

export function isFileHandle(value: unknown): value is FileHandleLike {
  return (
    typeof value === 'object' && value !== null && typeof (value as FileHandleLike).getFile === 'function'
  );
}

/** True where `showOpenFilePicker` exists (Chromium-based browsers, secure contexts). */
export function supportsFileSystemAccess(): boolean {
  return picker() !== null;
}

/**
 * True in a browser driven by automation (`navigator.webdriver`: Playwright, Puppeteer,
 * WebDriver). Their file-chooser interception can fill an `<input type=file>` but not
 * `showOpenFilePicker`, which it aborts: defaults turn the File System Access picker off there.
 */
export function isAutomatedBrowser(): boolean {
  return (globalThis as { navigator?: { webdriver?: unknown } }).navigator?.webdriver === true;
}

/**
 * The `<input accept>` syntax ("image/*,.pdf") as picker types: MIME types as they are,
 * extensions under application/octet-stream. Undefined when nothing is restricted.
 */
export function acceptToPickerTypes(accept: string | undefined): OpenFilePickerOptions['types'] {
  const tokens = (accept ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokens.length === 0) return undefined;
  const map: Record<string, string[]> = {};
  const extensions = tokens.filter((t) => t.startsWith('.'));
  for (const token of tokens) {
    if (/^[\w.+-]+\/[\w.+*-]+$/.test(token)) map[token] = [];
    else if (token === extensions[0]) map['application/octet-stream'] = extensions;
  }
  return Object.keys(map).length > 0 ? [{ accept: map }] : undefined;
}

/**
 * Opens the File System Access picker. Resolves with the files and their handles, [] when the
 * user closed the picker, or null where the picker is missing or refused (use an `<input>`).
 */
export async function pickFilesWithHandles(
  options: { multiple?: boolean; accept?: string } = {},
): Promise<PickedFile[] | null> {
  const show = picker();
  if (!show) return null;
  const types = acceptToPickerTypes(options.accept);
  let handles: FileHandleLike[];
  try {
    handles = await show({ multiple: options.multiple ?? false, ...(types ? { types } : {}) });
  } catch (error) {
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    // Closed by the user: nothing picked. Aborted by an automation tool intercepting file choosers
    // ("Intercepted by Page.setInterceptFileChooserDialog()"): use the input, which it can fill.
    if (name === 'AbortError' && !/intercept/i.test(String(message))) return [];
    return null; // SecurityError in a cross-origin frame, TypeError on types the browser refuses
  }
  return Promise.all(handles.map(async (handle) => ({ file: await handle.getFile(), handle })));
}

/**
 * Starts reading the handles of a drop. Call it synchronously inside the `drop` event (the data
 * is gone after it); resolves with one handle (or null) per dropped file, in the order of
 * `dataTransfer.files`.
 */
export function handlesFromDrop(dataTransfer: DataTransfer | null | undefined): Promise<Array<unknown>> {
  const items = dataTransfer?.items ? Array.from(dataTransfer.items) : [];
  const pending = items
    .filter((item) => item.kind === 'file')
    .map((item) => {
      const get = (item as { getAsFileSystemHandle?: () => Promise<unknown> }).getAsFileSystemHandle;
      if (typeof get !== 'function') return Promise.resolve(null);
      return get.call(item).then(
        (handle) => ((handle as { kind?: string } | null)?.kind === 'file' ? handle : null),
        () => null,
      );
    });
  return Promise.all(pending);
}

export type ReopenResult =
  | { ok: true; file: File; handle: FileHandleLike }
  | {
      ok: false;
      /** no-handle: nothing recorded; denied: permission refused; unreadable: moved or deleted; changed: not the same file any more. */
      reason: 'no-handle' | 'denied' | 'unreadable' | 'changed';
      error?: unknown;
    };

/**
 * Reopens the file of a record through its stored handle: asks for read permission (the browser
 * prompts; call it from a click), reads the file and checks it is still the same (fingerprint).
 */
export async function reopenRecordedFile(record: Pick<UploadRecord, 'id' | 'handle'>): Promise<ReopenResult> {
  const handle = record.handle;
  if (!isFileHandle(handle)) return { ok: false, reason: 'no-handle' };
  try {
    let permission = (await handle.queryPermission?.({ mode: 'read' })) ?? 'granted';
    if (permission !== 'granted')
      permission = (await handle.requestPermission?.({ mode: 'read' })) ?? 'denied';
    if (permission !== 'granted') return { ok: false, reason: 'denied' };
  } catch (error) {
    return { ok: false, reason: 'denied', error };
  }
  let file: File;
  try {
    file = await handle.getFile();
  } catch (error) {
    return { ok: false, reason: 'unreadable', error };
  }
  if (!(await matchesRecord(file, record))) return { ok: false, reason: 'changed' };
  return { ok: true, file, handle };
}

/** True when `file` is the file of `record` (same fingerprint: name, size, type, date, content samples). */
export async function matchesRecord(file: File, record: Pick<UploadRecord, 'id'>): Promise<boolean> {
  try {
    return (await fingerprintFile(file)) === record.id;
  } catch {
    return false;
  }
}
