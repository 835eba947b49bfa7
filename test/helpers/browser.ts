import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Chromium, driven by playwright-core (see ../shared/docs/machine-notes.md). */
export const CHROMIUM = '/usr/bin/chromium';

/** A headless persistent context in a temp profile; `close()` also removes the profile. */
// biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
export async function launchChromium(): Promise<{ context: any; close(): Promise<void> }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'pw-'));
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
