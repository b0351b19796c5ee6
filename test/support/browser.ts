// Headless Chromium (Debian's package) driven by playwright-core; axe-core checks pages for accessibility.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: install the Debian package chromium (.ci/run does)`);
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.2 A and AA, as axe-core tags them (2.2 adds AA rules such as the size of targets). */
export const wcag22 = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * The WCAG 2.1 A/AA violations (or those of `tags`, e.g. `wcag22`) axe-core finds on the current page, as
 * "rule: target" lines. axe is evaluated through the DevTools protocol, not added as an inline <script>: Tessera's
 * CSP refuses inline scripts, and a test that weakened it to run axe would no longer test the page people get.
 */
export async function accessibilityViolations(
  page: Page,
  tags: readonly string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
): Promise<string[]> {
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} } })`,
  )) as { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> };
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}
