import { describe, expect, it } from 'vitest';
import { type CheckResult, formatReport, formatReportJson, makeReport } from './doctor-report';

const target = { signer: 'http://127.0.0.1:8787/api/uploads', origin: 'https://app.example.com' };

const passing: CheckResult[] = [
  { id: 'signer-reachable', status: 'pass', message: 'GET …/time answered in 3 ms.' },
  { id: 'signer-cors', status: 'pass', message: 'The signer allows POST.' },
];

describe('doctor report', () => {
  it('prints one ✓ line per passing check and a summary', () => {
    const report = makeReport(passing);
    expect(report.ok).toBe(true);
    expect(formatReport(report, target)).toBe(
      [
        's3mu doctor: signer http://127.0.0.1:8787/api/uploads, browser origin https://app.example.com',
        '',
        '✓ Signer reachable: GET …/time answered in 3 ms.',
        '✓ Signer CORS: The signer allows POST.',
        '',
        'All 2 checks passed: browsers at https://app.example.com can upload through this signer.',
        '',
      ].join('\n'),
    );
  });

  it('prints fixes under failures and warnings, indented, each shared fix once, and skipped checks', () => {
    const cors = 'Allow PUT in the bucket CORS (cors.json):\n{\n  "CORSRules": []\n}';
    const report = makeReport(
      [
        ...passing,
        { id: 'clock-skew', status: 'warn', message: 'The clock is 9.0 s ahead.', fix: 'Use NTP.' },
        { id: 's3-cors-preflight', status: 'fail', message: 'No ACAO.', fix: cors },
        { id: 'etag-exposed', status: 'fail', message: 'ETag hidden.', fix: cors },
        { id: 'part-stored', status: 'pass', message: 'Part 1 stored.', fix: 'never printed' },
      ],
      [{ id: 'cleanup', reason: 'no test upload was created' }],
    );
    expect(report.ok).toBe(false);
    const text = formatReport(report, target);
    expect(text).toContain(
      [
        '! Clock: The clock is 9.0 s ahead.',
        '    fix: Use NTP.',
        '✗ Bucket CORS preflight: No ACAO.',
        '    fix: Allow PUT in the bucket CORS (cors.json):',
        '         {',
        '           "CORSRules": []',
        '         }',
        '✗ ETag exposed: ETag hidden.',
        '    fix: the same as for Bucket CORS preflight above.',
        '✓ Part stored: Part 1 stored.',
        '- Cleanup: not checked (no test upload was created).',
        '',
        '2 of 7 checks failed, 1 warning, 1 not checked. Apply the fixes above and run s3mu doctor again.',
      ].join('\n'),
    );
    expect(text).not.toContain('never printed');
  });

  it('counts a run with warnings only as ok', () => {
    const report = makeReport([
      ...passing,
      { id: 'auth', status: 'warn', message: 'No token needed.', fix: 'Set SIGNER_AUTH_TOKENS.' },
    ]);
    expect(report.ok).toBe(true);
    expect(formatReport(report, target)).toContain('No check failed (1 warning)');
  });

  it('prints one JSON object with id, status, message and fix (only when not passing)', () => {
    const report = makeReport([
      { id: 'signer-reachable', status: 'pass', message: 'ok', fix: 'dropped' },
      { id: 'auth', status: 'fail', message: 'refused', fix: 'Pass --token.' },
    ]);
    const out = formatReportJson(report);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toEqual({
      ok: false,
      checks: [
        { id: 'signer-reachable', status: 'pass', message: 'ok' },
        { id: 'auth', status: 'fail', message: 'refused', fix: 'Pass --token.' },
      ],
      skipped: [],
    });
  });
});
