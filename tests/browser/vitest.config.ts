import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import ConformanceSummary from '@mempool/conformance/summary';

// Debian's chromium package (apt-get install -y chromium); browser downloads are not used.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  throw new Error(
    `browser test: no Chromium at ${executablePath}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH; ` +
      'the browser run is not skipped silently.',
  );
}

export default defineConfig({
  // Cross-origin isolation, so the page has SharedArrayBuffer: @mempool/collections' queue needs it,
  // and the backends' shared allocators are then checked in Chromium as well.
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    reporters: ['default', new ConformanceSummary()],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
