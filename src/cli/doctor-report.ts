// The result of `s3mu doctor` and its two renderings: a checklist for people, one JSON object for
// scripts. Nothing here talks to the network (doctor-checks.ts does; doctor.ts runs them in order).

export type CheckStatus = 'pass' | 'warn' | 'fail';

export type CheckId =
  | 'signer-reachable'
  | 'signer-cors'
  | 'auth'
  | 'clock-skew'
  | 'test-upload'
  | 's3-cors-preflight'
  | 's3-put'
  | 'etag-exposed'
  | 'part-stored'
  | 'part-hosts'
  | 'cleanup';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** One line: what was observed. */
  message: string;
  /** What to change, when the check did not pass (may span lines, e.g. a CORS configuration). */
  fix?: string;
}

/** A check that could not run because one it depends on failed. */
export interface SkippedCheck {
  id: CheckId;
  reason: string;
}

export interface DoctorReport {
  /** True when no check failed (warnings allowed). */
  ok: boolean;
  checks: CheckResult[];
  skipped: SkippedCheck[];
}

export const CHECK_TITLES: Record<CheckId, string> = {
  'signer-reachable': 'Signer reachable',
  'signer-cors': 'Signer CORS',
  auth: 'Authentication',
  'clock-skew': 'Clock',
  'test-upload': 'Test upload started',
  's3-cors-preflight': 'Bucket CORS preflight',
  's3-put': 'Part PUT to S3',
  'etag-exposed': 'ETag exposed',
  'part-stored': 'Part stored',
  'part-hosts': 'Other part hosts',
  cleanup: 'Cleanup',
};

export const STATUS_SYMBOLS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗' };

export function makeReport(checks: CheckResult[], skipped: SkippedCheck[] = []): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'fail') && skipped.length === 0, checks, skipped };
}

/** Continuation lines of a multi-line text, indented under its first line. */
function indent(text: string, first: string, rest: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `${first}${line}` : line === '' ? '' : `${rest}${line}`))
    .join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The checklist: one `✓`/`!`/`✗` line per check, a `fix:` under each that did not pass, a summary. */
export function formatReport(report: DoctorReport, target: { signer: string; origin: string }): string {
  const lines = [`s3mu doctor: signer ${target.signer}, browser origin ${target.origin}`, ''];
  // Several checks can share one fix (the bucket's CORS configuration): print it once.
  const printed = new Map<string, CheckId>();
  for (const check of report.checks) {
    lines.push(`${STATUS_SYMBOLS[check.status]} ${CHECK_TITLES[check.id]}: ${check.message}`);
    if (!check.fix || check.status === 'pass') continue;
    const first = printed.get(check.fix);
    if (first) {
      lines.push(`    fix: the same as for ${CHECK_TITLES[first]} above.`);
    } else {
      printed.set(check.fix, check.id);
      lines.push(indent(check.fix, '    fix: ', '         '));
    }
  }
  for (const skip of report.skipped) {
    lines.push(`- ${CHECK_TITLES[skip.id]}: not checked (${skip.reason}).`);
  }
  lines.push('');
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const total = report.checks.length + report.skipped.length;
  if (report.ok) {
    lines.push(
      warned === 0
        ? `All ${total} checks passed: browsers at ${target.origin} can upload through this signer.`
        : `No check failed (${plural(warned, 'warning')}): browsers at ${target.origin} can upload through this signer; see the ! items.`,
    );
  } else {
    const parts = [`${failed} of ${total} checks failed`];
    if (warned > 0) parts.push(plural(warned, 'warning'));
    if (report.skipped.length > 0) parts.push(`${report.skipped.length} not checked`);
    lines.push(`${parts.join(', ')}. Apply the fixes above and run s3mu doctor again.`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--json`: one object, `{ok, checks: [{id, status, message, fix?}], skipped: [{id, reason}]}`. */
export function formatReportJson(report: DoctorReport): string {
  const checks = report.checks.map(({ id, status, message, fix }) =>
    fix !== undefined && status !== 'pass' ? { id, status, message, fix } : { id, status, message },
  );
  return `${JSON.stringify({ ok: report.ok, checks, skipped: report.skipped })}\n`;
}
