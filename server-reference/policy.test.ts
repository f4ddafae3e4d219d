import { describe, expect, it } from 'vitest';
import { mediaTypeOf, parseTypePatterns, typeAllowed } from './policy';

describe('parseTypePatterns', () => {
  it('reads exact types, wildcards and the catch-all, lower-cased and de-duplicated', () => {
    expect(parseTypePatterns(' image/* , Application/PDF,, */*, image/*, application/vnd.ms-excel ')).toEqual(
      {
        patterns: ['image/*', 'application/pdf', '*/*', 'application/vnd.ms-excel'],
        problems: [],
      },
    );
  });

  it('an empty value means no restriction', () => {
    expect(parseTypePatterns('')).toEqual({ patterns: [], problems: [] });
    expect(parseTypePatterns(' , ')).toEqual({ patterns: [], problems: [] });
  });

  it.each([
    'image',
    '*/png',
    'image/',
    '/pdf',
    'image/**',
    'text/plain; charset=utf-8',
    'image/ png',
    'imäge/png',
  ])('refuses %j', (raw) => {
    const { patterns, problems } = parseTypePatterns(raw);
    expect(patterns).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/^SIGNER_ALLOWED_TYPES entries must look like/)]);
  });
});

describe('mediaTypeOf', () => {
  it('keeps type/subtype, lower-cased, without parameters', () => {
    expect(mediaTypeOf('Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(mediaTypeOf('image/svg+xml')).toBe('image/svg+xml');
  });

  it('is undefined for things that are not media types', () => {
    for (const type of ['', 'text', 'text/', '/x', 'a/b/c', 'text/pl ain', '*/*']) {
      expect(mediaTypeOf(type), type).toBeUndefined();
    }
  });
});

describe('typeAllowed', () => {
  const patterns = ['image/*', 'application/pdf'];

  it('allows everything without patterns', () => {
    expect(typeAllowed('', undefined)).toBe(true);
    expect(typeAllowed('anything', [])).toBe(true);
  });

  it('matches exact types and major-type wildcards, ignoring case and parameters', () => {
    expect(typeAllowed('image/png', patterns)).toBe(true);
    expect(typeAllowed('IMAGE/JPEG', patterns)).toBe(true);
    expect(typeAllowed('application/pdf; x=1', patterns)).toBe(true);
    expect(typeAllowed('application/pdfx', patterns)).toBe(false);
    expect(typeAllowed('text/html', patterns)).toBe(false);
    expect(typeAllowed('imagex/png', patterns)).toBe(false);
  });

  it('refuses empty and unparsable types when a policy is set, unless */* is listed', () => {
    expect(typeAllowed('', patterns)).toBe(false);
    expect(typeAllowed('image', patterns)).toBe(false);
    expect(typeAllowed('text/html', ['*/*'])).toBe(true);
    expect(typeAllowed('', ['*/*'])).toBe(false);
  });
});
