import { randomBytes } from 'node:crypto';

// The signer, not the browser, chooses object keys:
//   uploads/<owner>/<yyyy-mm-dd>/<random id>/<sanitised name>
// The owner segment lets every later operation check that the key belongs to the caller.

/** Longest sanitised file name, in UTF-8 bytes (S3 keys may be 1,024 bytes in all). */
export const MAX_NAME_BYTES = 200;

const FALLBACK_NAME = 'file';

// C0/C1 controls, and format characters that can disguise a name (bidi overrides/isolates,
// zero-width spaces, BOM). Zero-width joiner U+200D stays: emoji sequences need it.
const INVISIBLE = /[\p{Cc}\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;
// Characters AWS advises against in keys, or that mean something in URLs and shells.
const AWKWARD = /["#%*:<>?\\^`{|}[\]~]/g;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts `s` to at most `maxBytes` UTF-8 bytes without splitting a code point. */
function truncateUtf8(s: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * Turns a client's file name hint into a safe, readable last key segment: keeps only the part
 * after the last `/` or `\`, removes control and invisible characters, `..` and leading dots,
 * replaces characters awkward in keys with `_`, and caps it at MAX_NAME_BYTES bytes (keeping the
 * extension when it can). Unicode letters, digits and emoji stay as they are (NFC-normalised).
 */
export function sanitizeName(hint: string): string {
  let name = hint.normalize('NFC').replace(INVISIBLE, '');
  const segments = name.split(/[/\\]+/).filter((s) => s.trim() !== '');
  name = segments.at(-1) ?? '';
  name = name
    .replace(/\.{2,}/g, '.')
    .replace(AWKWARD, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (name === '' || /^[._ -]*$/.test(name)) return FALLBACK_NAME;
  if (utf8Length(name) <= MAX_NAME_BYTES) return name;

  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  if (ext !== '' && utf8Length(ext) <= 16) {
    const stem = truncateUtf8(name.slice(0, dot), MAX_NAME_BYTES - utf8Length(ext)).trimEnd();
    return `${stem}${ext}`;
  }
  return truncateUtf8(name, MAX_NAME_BYTES).trimEnd();
}

/** The key prefix of everything `owner` uploads; `owner` is percent-encoded so it is one segment. */
export function ownerPrefix(owner: string): string {
  return `uploads/${encodeURIComponent(owner)}/`;
}

/** True when `key` is under `owner`'s prefix (and has no `..` segment that could escape it). */
export function keyBelongsTo(key: string, owner: string): boolean {
  return key.startsWith(ownerPrefix(owner)) && !key.split('/').includes('..');
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A fresh key for a new upload by `owner`. */
export function newObjectKey(owner: string, nameHint: string, now: Date = new Date()): string {
  const id = randomBytes(12).toString('base64url');
  return `${ownerPrefix(owner)}${isoDay(now)}/${id}/${sanitizeName(nameHint)}`;
}
