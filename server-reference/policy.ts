// Upload policy helpers: which declared content types the signer accepts (SIGNER_ALLOWED_TYPES).

// RFC 6838 restricted-name: what a MIME type and subtype may be made of.
const NAME = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';
const MEDIA_TYPE = new RegExp(`^(${NAME})/(${NAME})$`);
const PATTERN = new RegExp(`^(?:\\*/\\*|${NAME}/\\*|${NAME}/${NAME})$`);

/**
 * The `type/subtype` of a declared Content-Type, lower-cased and without parameters
 * (`Text/Plain; charset=utf-8` → `text/plain`), or undefined when it is not a media type.
 */
export function mediaTypeOf(type: string): string | undefined {
  const essence = (type.split(';', 1)[0] ?? '').trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : undefined;
}

/**
 * Parses SIGNER_ALLOWED_TYPES: comma-separated `type/subtype` or `type/*` patterns (or the catch-all
 * `*` + `/*`), case insensitive, e.g. `image/*,application/pdf`. An empty list allows every type.
 */
export function parseTypePatterns(raw: string): { patterns: string[]; problems: string[] } {
  const patterns: string[] = [];
  const problems: string[] = [];
  for (const entry of raw.split(',')) {
    const pattern = entry.trim().toLowerCase();
    if (pattern === '') continue;
    if (!PATTERN.test(pattern)) {
      problems.push(
        `SIGNER_ALLOWED_TYPES entries must look like image/*, application/pdf or */*, got "${entry.trim()}".`,
      );
      continue;
    }
    if (!patterns.includes(pattern)) patterns.push(pattern);
  }
  return { patterns, problems };
}

/**
 * Whether a declared type is allowed by `patterns` (undefined or empty: everything, including an
 * empty type). With patterns, an empty or unparsable type is refused: the object would otherwise
 * be stored without a type the policy could vouch for.
 */
export function typeAllowed(type: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  const essence = mediaTypeOf(type);
  if (essence === undefined) return false;
  const major = essence.slice(0, essence.indexOf('/'));
  return patterns.some((p) => p === '*/*' || p === essence || p === `${major}/*`);
}
