// Debian's Chromium (never a downloaded browser) driven by playwright-core, writing a NetLog (the
// bench counts S3 requests from it). Every run gets a new incognito context: its own network
// context, so no warm connections or cached preflights carry over from the previous contender.
import { type Browser, chromium } from 'playwright-core';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-client-side-phishing-detection',
  '--disable-features=OptimizationHints,MediaRouter,Translate',
  // Nothing but 127.0.0.1 (and localhost, a second S3 hostname) resolves: no DNS query or request can leave the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

export async function launchChromium(executablePath: string, netLogPath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...FLAGS, `--log-net-log=${netLogPath}`, '--net-log-capture-mode=Default'],
  });
}
