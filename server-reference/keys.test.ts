import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownerProblem } from './auth';
import {
  fingerprintId,
  isFingerprint,
  keyBelongsTo,
  keyIdSegment,
  MAX_NAME_BYTES,
  newObjectKey,
  ownerPrefix,
  ownerSegment,
  sanitizeName,
} from './keys';

describe('sanitizeName', () => {
  it('keeps ordinary and Unicode names readable', () => {
    expect(sanitizeName('report.pdf')).toBe('report.pdf');
    expect(sanitizeName('Привет мир.txt')).toBe('Привет мир.txt');
    expect(sanitizeName('日本語 ファイル.png')).toBe('日本語 ファイル.png');
    expect(sanitizeName('holiday 🏖️👨‍👩‍👧.jpg')).toBe('holiday 🏖️👨‍👩‍👧.jpg');
  });

  it('normalises to NFC', () => {
    expect(sanitizeName('cafe\u0301.txt')).toBe('caf\u00e9.txt');
  });

  it('keeps only the last path segment, with either separator', () => {
    expect(sanitizeName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeName('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg');
    expect(sanitizeName('dir/')).toBe('dir');
    expect(sanitizeName('/')).toBe('file');
  });

  it('removes .., leading dots and leading dashes', () => {
    expect(sanitizeName('..')).toBe('file');
    expect(sanitizeName('...')).toBe('file');
    expect(sanitizeName('.bashrc')).toBe('bashrc');
    expect(sanitizeName('-rf .txt')).toBe('rf .txt');
    expect(sanitizeName('. .. -x')).toBe('x');
    expect(sanitizeName('a..b.txt')).toBe('a.b.txt');
    expect(sanitizeName('x/..')).toBe('file');
  });

  it('strips control and invisible characters', () => {
    expect(sanitizeName('a\u0000b\nc\r\td\u007f.txt')).toBe('abcd.txt');
    // right-to-left override used to disguise "gpj.exe" as "exe.jpg"
    expect(sanitizeName('invoice\u202egpj.exe')).toBe('invoicegpj.exe');
    expect(sanitizeName('\ufeffzero\u200bwidth.txt')).toBe('zerowidth.txt');
    expect(sanitizeName('soft\u00adhyphen\u2028line.txt')).toBe('softhyphenline.txt');
  });

  it('drops unpaired surrogates (they cannot be encoded in a URL)', () => {
    expect(sanitizeName('a\ud800b.txt')).toBe('ab.txt');
    expect(sanitizeName('\udc00')).toBe('file');
    expect(() => encodeURIComponent(sanitizeName('x\ud83dy'))).not.toThrow();
  });

  it('replaces characters that are awkward in keys and URLs', () => {
    expect(sanitizeName('a?b#c%d*e:f"g<h>i|j.txt')).toBe('a_b_c_d_e_f_g_h_i_j.txt');
    expect(sanitizeName('  many   spaces  .txt ')).toBe('many spaces .txt');
  });

  it('falls back to "file" for empty or meaningless names', () => {
    expect(sanitizeName('')).toBe('file');
    expect(sanitizeName('   ')).toBe('file');
    expect(sanitizeName('\u0000\u0001')).toBe('file');
    expect(sanitizeName('___')).toBe('file');
  });

  it('limits the length in UTF-8 bytes without splitting characters, keeping the extension', () => {
    const long = `${'é'.repeat(300)}.tar`;
    const out = sanitizeName(long);
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(out.endsWith('.tar')).toBe(true);
    expect(out).toMatch(/^é+\.tar$/);
    const emoji = '😀'.repeat(100);
    const cut = sanitizeName(emoji);
    expect(Buffer.byteLength(cut, 'utf8')).toBe(MAX_NAME_BYTES);
    expect(cut).toBe('😀'.repeat(MAX_NAME_BYTES / 4));
    const noExt = 'x'.repeat(500);
    expect(sanitizeName(noExt)).toBe('x'.repeat(MAX_NAME_BYTES));
  });

  it('never cuts an emoji sequence in half', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes
    const cut = sanitizeName(`${'x'.repeat(190)}${family}`);
    expect(cut).toBe('x'.repeat(190));
    expect(sanitizeName(`${'x'.repeat(170)}${family}`)).toBe(`${'x'.repeat(170)}${family}`);
  });

  it('does not leave a dot run where the stem was cut before the extension', () => {
    const out = sanitizeName(`${'a'.repeat(195)}.b.tar`);
    expect(out).not.toMatch(/\.\./);
    expect(sanitizeName(out)).toBe(out);
  });

  it('always gives one safe, bounded, stable segment (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc
            .array(fc.constantFrom('.', '/', '\\', ' ', '-', 'a', 'é', '\u202e', '\u0000', '\ud800'), {
              maxLength: 40,
            })
            .map((chars) => chars.join('')),
        ),
        (hint) => {
          const name = sanitizeName(hint);
          expect(name.length).toBeGreaterThan(0);
          expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(MAX_NAME_BYTES);
          expect(name).not.toMatch(/[/\\]|\.\.|^[.\s-]|\s$/);
          expect(name).not.toMatch(/[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u);
          expect(() => encodeURIComponent(name)).not.toThrow();
          expect(name.normalize('NFC')).toBe(name);
          expect(sanitizeName(name)).toBe(name);
        },
      ),
      { seed: 20260506, numRuns: 600 },
    );
    // Fixed seed and run count: the time limit only guards against a slow, loaded CI machine.
  }, 30_000);
});

describe('object keys', () => {
  it('are uploads/<owner>/<yyyy-mm-dd>/<random id>/<name>', () => {
    const key = newObjectKey('alice', '../My File.txt', new Date('2026-03-04T23:59:59Z'));
    expect(key).toMatch(/^uploads\/alice\/2026-03-04\/[A-Za-z0-9_-]{16}\/My File\.txt$/);
    expect(newObjectKey('alice', 'a')).not.toBe(newObjectKey('alice', 'a'));
  });

  it('encode the owner as one segment that is never . or ..', () => {
    expect(ownerPrefix('a/b')).toBe('uploads/a%2Fb/');
    expect(ownerPrefix('alice.smith@example.com')).toBe('uploads/alice.smith%40example.com/');
    expect(newObjectKey('../x', 'f')).toMatch(/^uploads\/%2E%2E%2Fx\//);
    expect(ownerSegment('.')).toBe('%2E');
    expect(ownerSegment('..')).toBe('%2E%2E');
  });

  it('give different owners different prefixes, neither a prefix of the other (property)', () => {
    const owner = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((o) => !ownerProblem(o));
    fc.assert(
      fc.property(owner, owner, (a, b) => {
        fc.pre(a !== b);
        expect(ownerPrefix(a).startsWith(ownerPrefix(b))).toBe(false);
        const segment = ownerSegment(a);
        expect(segment).not.toMatch(/\//);
        expect(['.', '..']).not.toContain(segment);
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it('belong only to their owner', () => {
    const key = newObjectKey('alice', 'f.txt');
    expect(keyBelongsTo(key, 'alice')).toBe(true);
    expect(keyBelongsTo(key, 'bob')).toBe(false);
    expect(keyBelongsTo(key, 'ali')).toBe(false);
    expect(keyBelongsTo('uploads/alice/../bob/x', 'alice')).toBe(false);
    expect(keyBelongsTo('uploads/alicex/2026-01-01/id/f', 'alice')).toBe(false);
  });

  it('must have the shape the signer issues', () => {
    const id = 'AbCdEfGhIjKlMn_-';
    expect(keyBelongsTo(`uploads/alice/2026-01-01/${id}/f.txt`, 'alice')).toBe(true);
    for (const key of [
      'uploads/alice/x',
      `uploads/alice/2026-01-01/${id}/`,
      `uploads/alice/2026-01-01/${id}/..`,
      `uploads/alice/2026-01-01/${id}/.`,
      `uploads/alice/2026-01-01/${id}/a/b`,
      `uploads/alice/2026-01-01/short/f`,
      `uploads/alice/2026-1-01/${id}/f`,
      `uploads/alice/2026-01-01/${id}/f\u0000`,
      `uploads/alice/2026-01-01/${id}/f\ud800`,
      `uploads/alice/2026-01-01/${id}/${'€'.repeat(400)}`,
      `uploads/alice//2026-01-01/${id}/f`,
    ]) {
      expect(keyBelongsTo(key, 'alice'), JSON.stringify(key)).toBe(false);
    }
  });
});

describe('keys derived from a fingerprint', () => {
  const fp = 'a'.repeat(64);
  const other = `${'a'.repeat(63)}b`;

  it('give the same owner and file the same id on any day, and keep the key shape', () => {
    const monday = newObjectKey('alice', 'v.mp4', new Date('2026-03-02T10:00:00Z'), fp);
    const tuesday = newObjectKey('alice', 'renamed.mp4', new Date('2026-03-03T10:00:00Z'), fp);
    expect(monday).toMatch(/^uploads\/alice\/2026-03-02\/[A-Za-z0-9_-]{16}\/v\.mp4$/);
    expect(keyBelongsTo(monday, 'alice')).toBe(true);
    expect(keyIdSegment(monday, 'alice')).toBe(fingerprintId('alice', fp));
    expect(keyIdSegment(tuesday, 'alice')).toBe(fingerprintId('alice', fp));
    expect(newObjectKey('alice', 'v.mp4', new Date('2026-03-02T23:00:00Z'), fp)).toBe(monday);
  });

  it('give another owner or another file a different id', () => {
    expect(fingerprintId('alice', fp)).not.toBe(fingerprintId('bob', fp));
    expect(fingerprintId('alice', fp)).not.toBe(fingerprintId('alice', other));
    expect(fingerprintId('alice', fp)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(fingerprintId('alice', fp)).toBe(
      createHash('sha256').update(`alice\u0000${fp}`).digest('base64url').slice(0, 16),
    );
  });

  it('without a fingerprint stay random', () => {
    const a = keyIdSegment(newObjectKey('alice', 'f'), 'alice');
    const b = keyIdSegment(newObjectKey('alice', 'f'), 'alice');
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a).not.toBe(b);
  });

  it('accept only fingerprintFile output (64 lowercase hex digits)', () => {
    expect(isFingerprint(fp)).toBe(true);
    for (const bad of [
      '',
      'fp-1',
      'A'.repeat(64),
      'a'.repeat(63),
      'a'.repeat(65),
      `${'a'.repeat(63)}g`,
      64,
    ]) {
      expect(isFingerprint(bad), String(bad)).toBe(false);
    }
    expect(() => fingerprintId('alice', 'fp-1')).toThrow(/64 lowercase hex/);
    expect(() => newObjectKey('alice', 'f', new Date(), 'FP')).toThrow();
  });

  it('keyIdSegment reads only keys issued to that owner', () => {
    const key = newObjectKey('alice', 'f', new Date(), fp);
    expect(keyIdSegment(key, 'bob')).toBeUndefined();
    expect(keyIdSegment('uploads/alice/x', 'alice')).toBeUndefined();
  });
});
