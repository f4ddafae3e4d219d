import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS_OWNER,
  anonymousAuth,
  bearerToken,
  bearerTokenAuth,
  MAX_OWNER_LENGTH,
  ownerProblem,
  parseAuthTokens,
} from './auth';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb-._~+/=';

function request(authorization?: string): FastifyRequest {
  return { headers: authorization === undefined ? {} : { authorization } } as FastifyRequest;
}

describe('parseAuthTokens', () => {
  it('reads token:owner pairs, ignoring blanks and spaces around entries', () => {
    expect(parseAuthTokens(` ${A}:alice ,, ${B}:bob@example.com ,`)).toEqual({
      grants: [
        { token: A, owner: 'alice' },
        { token: B, owner: 'bob@example.com' },
      ],
      problems: [],
    });
  });

  it('keeps everything after the first colon as the owner', () => {
    expect(parseAuthTokens(`${A}:auth0|user:42`).grants).toEqual([{ token: A, owner: 'auth0|user:42' }]);
  });

  it('allows several tokens per owner but not the same token twice', () => {
    expect(parseAuthTokens(`${A}:alice,${B}:alice`).grants).toHaveLength(2);
    const { grants, problems } = parseAuthTokens(`${A}:alice,${A}:bob`);
    expect(grants).toEqual([{ token: A, owner: 'alice' }]);
    expect(problems).toEqual([expect.stringMatching(/entry 2: this token is already used/)]);
  });

  it.each([
    ['no colon', A, /no ":"/],
    ['short token', 'abc:alice', /16/],
    ['token with a space', 'aaaaaaaa aaaaaaaaa:alice', /may only use/],
    ['token with a comma-free but illegal char', 'aaaaaaaaaaaaaaaa!:alice', /may only use/],
    ['token longer than 512', `${'a'.repeat(513)}:alice`, /512/],
    ['empty owner', `${A}:`, /must not be empty/],
    ['owner with a control char', `${A}:al\u0007ice`, /control/],
    ['owner with a bidi override', `${A}:al\u202eice`, /control, invisible/],
    ['owner too long', `${A}:${'x'.repeat(MAX_OWNER_LENGTH + 1)}`, /at most 128/],
    ['owner too long once encoded', `${A}:${'語'.repeat(100)}`, /percent-encoded/],
  ])('refuses %s, naming the entry and not the token', (_label, raw, message) => {
    const { grants, problems } = parseAuthTokens(raw);
    expect(grants).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SIGNER_AUTH_TOKENS entry 1/);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('aaaaaaaa');
  });

  it('an empty list is a problem', () => {
    expect(parseAuthTokens(' , ').problems).toEqual([expect.stringMatching(/no token:owner entry/)]);
  });
});

describe('ownerProblem', () => {
  it('accepts readable ids', () => {
    for (const owner of ['alice', 'bob@example.com', 'auth0|5f1', '..', 'Zoë', '山田', 'a/b', '%2F']) {
      expect(ownerProblem(owner), owner).toBeUndefined();
    }
  });

  it('refuses empty, padded, invisible and malformed ids', () => {
    for (const owner of ['', ' alice', 'alice ', 'a\nb', 'a\u200bb', '\ud800', 'x\udc00', 42, null]) {
      expect(ownerProblem(owner), JSON.stringify(owner)).toEqual(expect.any(String));
    }
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, case-insensitive scheme', () => {
    expect(bearerToken(`Bearer ${A}`)).toBe(A);
    expect(bearerToken(`bearer  ${A}`)).toBe(A);
    expect(bearerToken(`BEARER ${B}`)).toBe(B);
  });

  it('ignores other schemes, garbage and oversized headers', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${A}`,
      `Bearer ${A} extra`,
      `Bearer ${A}\u0000`,
      `Bearer ä${A}`,
      `Bearer ${'a'.repeat(600)}`,
    ]) {
      expect(bearerToken(header), JSON.stringify(header)).toBeUndefined();
    }
  });
});

describe('bearerTokenAuth', () => {
  const auth = bearerTokenAuth([
    { token: A, owner: 'alice' },
    { token: B, owner: 'bob' },
  ]);

  it('maps each token to its owner', async () => {
    expect(await auth(request(`Bearer ${A}`))).toBe('alice');
    expect(await auth(request(`Bearer ${B}`))).toBe('bob');
  });

  it('refuses missing, wrong, truncated and extended tokens', async () => {
    for (const header of [undefined, 'Bearer x', `Bearer ${A.slice(1)}`, `Bearer ${A}a`, `Basic ${A}`]) {
      expect(await auth(request(header)), String(header)).toBeNull();
    }
  });

  it('refuses to be built without grants or with an unusable owner', () => {
    expect(() => bearerTokenAuth([])).toThrow(/at least one/);
    expect(() => bearerTokenAuth([{ token: A, owner: '' }])).toThrow(/empty/);
  });

  it('anonymousAuth lets everyone in as anonymous', async () => {
    expect(await anonymousAuth(request())).toBe(ANONYMOUS_OWNER);
  });
});
