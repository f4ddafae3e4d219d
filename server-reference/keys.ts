import { createHash, randomBytes } from 'node:crypto';

// The signer, not the browser, chooses object keys:
//   uploads/<owner>/<yyyy-mm-dd>/<id>/<sanitised name>
// The owner segment lets every later operation check that the key belongs to the caller. The id
// is random, or derived from the owner and the file's fingerprint when the client gives one, so
// the same owner's unfinished upload of the same file can be found again by listing S3.

/** Longest sanitised file name, in UTF-8 bytes (S3 keys may be 1,024 bytes in all). */
export const MAX_NAME_BYTES = 200;
/** S3's limit on a whole key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const FALLBACK_NAME = 'file';

// C0/C1 controls, unpaired surrogates (with /u a lone surrogate is a Cs code point), the
// non-characters U+FFFE/U+FFFF, and format characters that can disguise a name (bidi
// overrides/isolates/marks, zero-width spaces, BOM, interlinear annotations). Zero-width joiner
// U+200D and the tag characters U+E0020–E007F stay: emoji sequences and subdivision flags need them.
const INVISIBLE =
  /[\p{Cc}\p{Cs}\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]/gu;
// Characters AWS advises against in keys, or that mean something in URLs and shells.
const AWKWARD = /["#%*:<>?\\^`{|}[\]~]/g;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Cuts `s` to at most `maxBytes` UTF-8 bytes between grapheme clusters (an emoji family or a
 * letter with its accents stays whole); a first cluster longer than that is cut by code point.
 */
function truncateUtf8(s: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(s)) {
    const n = utf8Length(segment);
    if (used + n > maxBytes) {
      if (out !== '') return out;
      for (const ch of segment) {
        const m = utf8Length(ch);
        if (used + m > maxBytes) break;
        out += ch;
        used += m;
      }
      return out;
    }
    out += segment;
    used += n;
  }
  return out;
}

function clean(hint: string): string {
  let name = hint.normalize('NFC').replace(INVISIBLE, '');
  const segments = name.split(/[/\\]+/).filter((s) => s.trim() !== '');
  name = segments.at(-1) ?? '';
  return name
    .replace(/\.{2,}/g, '.')
    .replace(AWKWARD, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s-]+/, '')
    .trim();
}

function shorten(name: string): string {
  if (utf8Length(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  if (ext !== '' && utf8Length(ext) <= 16) {
    const stem = truncateUtf8(name.slice(0, dot), MAX_NAME_BYTES - utf8Length(ext)).replace(/[\s.]+$/, '');
    if (stem !== '') return `${stem}${ext}`;
  }
  return truncateUtf8(name, MAX_NAME_BYTES).trimEnd();
}

/**
 * Turns a client's file name hint into a safe, readable last key segment: keeps only the part
 * after the last `/` or `\`, removes control and invisible characters, `..`, and leading dots,
 * spaces and dashes, replaces characters awkward in keys with `_`, and caps it at MAX_NAME_BYTES
 * bytes (keeping the extension when it can). Unicode letters, digits and emoji stay as they are
 * (NFC-normalised). Idempotent: a sanitised name sanitises to itself.
 */
export function sanitizeName(hint: string): string {
  let name = hint;
  // Cutting can expose a new edge (a trailing dot before the extension, a leading space…):
  // clean until stable; two rounds suffice in practice, four bound it.
  for (let round = 0; round < 4; round++) {
    const next = shorten(clean(name));
    if (next === name) break;
    name = next;
  }
  if (name === '' || /^[._ -]*$/.test(name)) return FALLBACK_NAME;
  return name;
}

/**
 * The key segment of `owner`: percent-encoded (so `/`, `%` and non-ASCII cannot split or fake a
 * segment) with leading dots encoded too, so no owner becomes `.` or `..`. Injective: different
 * owners never share a prefix. Owners must pass auth.ts's ownerProblem (no lone surrogates).
 */
export function ownerSegment(owner: string): string {
  return encodeURIComponent(owner).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length));
}

/** The key prefix of everything `owner` uploads. */
export function ownerPrefix(owner: string): string {
  return `uploads/${ownerSegment(owner)}/`;
}

// <yyyy-mm-dd>/<id>/<name>, as newObjectKey writes them.
const KEY_TAIL = /^\d{4}-\d{2}-\d{2}\/([A-Za-z0-9_-]{16})\/([^/]+)$/;
const KEY_FORBIDDEN = /[\p{Cc}\p{Cs}]/u;

/**
 * True when `key` has the shape of a key this signer issued to `owner`: under `owner`'s prefix,
 * then a date, a random id and one name segment (not `.` or `..`), no control characters, at most
 * MAX_KEY_BYTES bytes. Anything else — someone else's key, `uploads/alice/../bob/x`, a key under
 * the caller's prefix that the signer never hands out — is refused.
 */
export function keyBelongsTo(key: string, owner: string): boolean {
  const prefix = ownerPrefix(owner);
  if (!key.startsWith(prefix) || KEY_FORBIDDEN.test(key) || utf8Length(key) > MAX_KEY_BYTES) return false;
  const name = KEY_TAIL.exec(key.slice(prefix.length))?.[2];
  return name !== undefined && name !== '.' && name !== '..';
}

/** The id segment of a key issued to `owner` (see keyBelongsTo), or undefined for any other key. */
export function keyIdSegment(key: string, owner: string): string | undefined {
  if (!keyBelongsTo(key, owner)) return undefined;
  return KEY_TAIL.exec(key.slice(ownerPrefix(owner).length))?.[1];
}

/** What the engine's fingerprintFile returns: SHA-256 as 64 lowercase hex digits. */
export const FINGERPRINT_PATTERN = '^[0-9a-f]{64}$';
const FINGERPRINT = new RegExp(FINGERPRINT_PATTERN);

export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT.test(value);
}

/**
 * The id segment of `owner`'s uploads of the file with `fingerprint`: the first 16 characters of
 * base64url(SHA-256(owner + NUL + fingerprint)), 96 bits. The same owner and file always get the
 * same id (whatever the day or the signer instance), another owner a different one; the id does
 * not reveal the fingerprint.
 */
export function fingerprintId(owner: string, fingerprint: string): string {
  if (!isFingerprint(fingerprint))
    throw new Error('fingerprintId: the fingerprint must be 64 lowercase hex digits');
  return createHash('sha256').update(`${owner}\0${fingerprint}`, 'utf8').digest('base64url').slice(0, 16);
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A fresh key for a new upload by `owner`: its id is random, or `fingerprintId(owner, fingerprint)`
 * when a fingerprint is given (then uploads of the same file by the same owner on the same day
 * share the key; S3 keeps their multipart uploads apart by uploadId).
 */
export function newObjectKey(
  owner: string,
  nameHint: string,
  now: Date = new Date(),
  fingerprint?: string,
): string {
  const id =
    fingerprint === undefined ? randomBytes(12).toString('base64url') : fingerprintId(owner, fingerprint);
  return `${ownerPrefix(owner)}${isoDay(now)}/${id}/${sanitizeName(nameHint)}`;
}
