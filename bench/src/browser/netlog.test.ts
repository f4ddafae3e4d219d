import { describe, expect, it } from 'vitest';
import { parseNetLog } from './netlog';

const HEAD = '{"constants":{"logEventTypes":{"REQUEST_ALIVE":1},"timeTickOffset":"0"},\n"events": [\n';
const EVENT = '{"type":1,"phase":1,"time":"5","source":{"id":7}}';

describe('parseNetLog', () => {
  it('reads a NetLog Chromium closed', () => {
    expect(parseNetLog(`${HEAD}${EVENT}]}\n`)?.events).toHaveLength(1);
  });

  it('closes the NetLog of a Chromium that was killed (no closing brackets, a trailing comma)', () => {
    const log = parseNetLog(`${HEAD}${EVENT},\n${EVENT},\n`);
    expect(log?.events).toHaveLength(2);
    expect(log?.events[1]?.source.id).toBe(7);
  });

  it('gives null for a file cut inside an event', () => {
    expect(parseNetLog(`${HEAD}${EVENT},\n{"type":1,"pha`)).toBeNull();
  });
});
