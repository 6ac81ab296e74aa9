/**
 * Debian's Chromium for browser tests, through playwright-core (which downloads no browser).
 *
 * Suites declared with {@link describeWithChromium} are skipped, with the reason in their name, when
 * `/usr/bin/chromium` is missing, unless `MEPHISTO_TEST_REQUIRE_CHROMIUM=1` (CI), in which case they
 * run and fail on launch with a message saying what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const REQUIRED = process.env.MEPHISTO_TEST_REQUIRE_CHROMIUM === '1';
const PRESENT = existsSync(CHROMIUM_PATH);

/** `describe`, or `describe.skip` naming the reason when Chromium is absent and not required. */
export function describeWithChromium(name: string, body: () => void): void {
  if (PRESENT || REQUIRED) {
    describe(name, body);
    return;
  }
  describe.skip(
    `${name} [skipped: no Chromium at ${CHROMIUM_PATH}; install Debian's chromium package, ` +
      'or set MEPHISTO_TEST_REQUIRE_CHROMIUM=1 to make this a failure]',
    body,
  );
}

/** Starts a headless Chromium; close it when done. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `MEPHISTO_TEST_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM_PATH} ` +
        "(install Debian's chromium package)",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records a page's console errors and uncaught exceptions, so a test can fail on any it did not
 * expect: `allow` a pattern for the errors a test causes on purpose (a refused request logs one).
 */
export class ConsoleErrors {
  readonly errors: string[] = [];
  readonly #allowed: RegExp[] = [];

  constructor(page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.#record(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      this.#record(`uncaught: ${error.message}`);
    });
  }

  allow(pattern: RegExp): void {
    this.#allowed.push(pattern);
  }

  #record(text: string): void {
    if (!this.#allowed.some((pattern) => pattern.test(text))) this.errors.push(text);
  }
}
