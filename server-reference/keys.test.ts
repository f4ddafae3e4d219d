import { describe, expect, it } from 'vitest';
import { keyBelongsTo, MAX_NAME_BYTES, newObjectKey, ownerPrefix, sanitizeName } from './keys';

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

  it('removes .. and leading dots', () => {
    expect(sanitizeName('..')).toBe('file');
    expect(sanitizeName('...')).toBe('file');
    expect(sanitizeName('.bashrc')).toBe('bashrc');
    expect(sanitizeName('a..b.txt')).toBe('a.b.txt');
    expect(sanitizeName('x/..')).toBe('file');
  });

  it('strips control and invisible characters', () => {
    expect(sanitizeName('a\u0000b\nc\r\td\u007f.txt')).toBe('abcd.txt');
    // right-to-left override used to disguise "gpj.exe" as "exe.jpg"
    expect(sanitizeName('invoice\u202egpj.exe')).toBe('invoicegpj.exe');
    expect(sanitizeName('\ufeffzero\u200bwidth.txt')).toBe('zerowidth.txt');
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
});

describe('object keys', () => {
  it('are uploads/<owner>/<yyyy-mm-dd>/<random id>/<name>', () => {
    const key = newObjectKey('alice', '../My File.txt', new Date('2026-03-04T23:59:59Z'));
    expect(key).toMatch(/^uploads\/alice\/2026-03-04\/[A-Za-z0-9_-]{16}\/My File\.txt$/);
    expect(newObjectKey('alice', 'a')).not.toBe(newObjectKey('alice', 'a'));
  });

  it('encode the owner as one segment', () => {
    expect(ownerPrefix('a/b')).toBe('uploads/a%2Fb/');
    expect(newObjectKey('../x', 'f')).toMatch(/^uploads\/\.\.%2Fx\//);
  });

  it('belong only to their owner', () => {
    const key = newObjectKey('alice', 'f.txt');
    expect(keyBelongsTo(key, 'alice')).toBe(true);
    expect(keyBelongsTo(key, 'bob')).toBe(false);
    expect(keyBelongsTo(key, 'ali')).toBe(false);
    expect(keyBelongsTo('uploads/alice/../bob/x', 'alice')).toBe(false);
    expect(keyBelongsTo('uploads/alicex/2026-01-01/id/f', 'alice')).toBe(false);
  });
});
