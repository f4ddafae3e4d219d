// Authentication is a hook: request → owner id (the key prefix `uploads/<owner>/`), or null to
// refuse with 401. The built-in strategy is static bearer tokens (SIGNER_AUTH_TOKENS); sessions,
// JWTs or an API gateway plug in through the same hook (see server-reference/README.md).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ownerSegment } from './keys';

/**
 * Who is calling: an owner id, or null when the credentials are missing or wrong (→ 401).
 * Runs in an `onRequest` hook, before the body is read: use headers or cookies only. Throw for
 * an outage of the identity backend (→ 500, logged), never for bad credentials.
 */
export type Authenticate = (request: FastifyRequest) => string | null | Promise<string | null>;

/** One `token:owner` pair of SIGNER_AUTH_TOKENS. */
export interface TokenGrant {
  token: string;
  owner: string;
}

export const MIN_TOKEN_LENGTH = 16;
export const MAX_TOKEN_LENGTH = 512;
export const MAX_OWNER_LENGTH = 128;
const MAX_OWNER_SEGMENT_BYTES = 256;
/** The owner of every request when SIGNER_AUTH=none (local development only). */
export const ANONYMOUS_OWNER = 'anonymous';

// RFC 6750 b64token: what may follow "Bearer " in an Authorization header.
const TOKEN_CHARS = /^[A-Za-z0-9\-._~+/]+=*$/;
// No controls, format characters (bidi overrides, zero-width…), line/paragraph separators, and no
// unpaired surrogates (with /u a lone surrogate is a Cs code point; encodeURIComponent throws on it).
const OWNER_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * Why `owner` cannot be an owner id, or undefined when it can. Owner ids end up percent-encoded
 * in object keys (keys.ts), so any readable text works: e-mail addresses, UUIDs, `auth0|123`.
 */
export function ownerProblem(owner: unknown): string | undefined {
  if (typeof owner !== 'string') return 'an owner id must be a string';
  if (owner === '') return 'an owner id must not be empty';
  if (owner.length > MAX_OWNER_LENGTH) return `an owner id must be at most ${MAX_OWNER_LENGTH} characters`;
  if (owner.trim() !== owner) return 'an owner id must not start or end with spaces';
  if (OWNER_FORBIDDEN.test(owner)) {
    return 'an owner id must not contain control, invisible or unpaired surrogate characters';
  }
  // Keys are at most 1,024 bytes: keep the percent-encoded owner segment well below that.
  if (ownerSegment(owner).length > MAX_OWNER_SEGMENT_BYTES) {
    return `an owner id must be at most ${MAX_OWNER_SEGMENT_BYTES} bytes once percent-encoded`;
  }
  return undefined;
}

/**
 * Parses SIGNER_AUTH_TOKENS: `token:owner,token:owner` (spaces around entries ignored). Tokens are
 * RFC 6750 b64token characters, at least MIN_TOKEN_LENGTH long, each used once; an owner may have
 * several tokens (rotation). Problems name the entry by position, never echo a token.
 */
export function parseAuthTokens(raw: string): { grants: TokenGrant[]; problems: string[] } {
  const grants: TokenGrant[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const entries = raw.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    if (entry === '') return;
    const where = `SIGNER_AUTH_TOKENS entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} must be token:owner (no ":" found).`);
      return;
    }
    const token = entry.slice(0, colon).trim();
    const owner = entry.slice(colon + 1).trim();
    if (!TOKEN_CHARS.test(token)) {
      problems.push(`${where}: the token may only use A-Z a-z 0-9 - . _ ~ + / (and trailing =).`);
    } else if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
      problems.push(
        `${where}: the token must be ${MIN_TOKEN_LENGTH}–${MAX_TOKEN_LENGTH} characters long (e.g. \`openssl rand -hex 24\`).`,
      );
    } else if (seen.has(token)) {
      problems.push(`${where}: this token is already used by an earlier entry.`);
    }
    const bad = ownerProblem(owner);
    if (bad) problems.push(`${where}: ${bad}.`);
    if (!bad && TOKEN_CHARS.test(token) && !seen.has(token)) {
      seen.add(token);
      if (token.length >= MIN_TOKEN_LENGTH && token.length <= MAX_TOKEN_LENGTH) grants.push({ token, owner });
    }
  });
  if (grants.length === 0 && problems.length === 0) {
    problems.push('SIGNER_AUTH_TOKENS has no token:owner entry.');
  }
  return { grants, problems };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_TOKEN_LENGTH + 32) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  return token !== undefined && TOKEN_CHARS.test(token) ? token : undefined;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The SIGNER_AUTH_TOKENS strategy: `Authorization: Bearer <token>` → the token's owner. Every
 * configured token is compared, in constant time, against the SHA-256 of the presented one (equal
 * lengths, no early exit), so timing reveals neither a token nor how much of it matched.
 */
export function bearerTokenAuth(grants: readonly TokenGrant[]): Authenticate {
  if (grants.length === 0) throw new Error('bearerTokenAuth needs at least one token:owner grant.');
  for (const { owner } of grants) {
    const bad = ownerProblem(owner);
    if (bad) throw new Error(`bearerTokenAuth: ${bad}.`);
  }
  const table = grants.map(({ token, owner }) => ({ hash: digest(token), owner }));
  return (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return null;
    const presented = digest(token);
    let owner: string | null = null;
    for (const entry of table) {
      if (timingSafeEqual(entry.hash, presented)) owner = entry.owner;
    }
    return owner;
  };
}

/** Everyone is ANONYMOUS_OWNER: SIGNER_AUTH=none, for local development only. */
export const anonymousAuth: Authenticate = () => ANONYMOUS_OWNER;
