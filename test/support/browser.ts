import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium; CI installs it through `.ci/run`. Never a downloaded browser: there is no CDN here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No browser at ${CHROMIUM_PATH}: run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

export interface OpenedPage {
  page: Page;
  /** Every request the page made, as `METHOD url`. */
  requests: string[];
  /** Requests the page made to hosts other than the API's: a page that needs nothing external makes none. */
  external: string[];
  /** Console errors and CSP violations the page reported. */
  errors: string[];
}

/** One headless Chromium per test file; `open()` gives a fresh context (own storage) per test. */
export function useBrowser() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  return {
    async open(baseUrl: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      const origin = new URL(baseUrl).origin;
      const requests: string[] = [];
      const external: string[] = [];
      const errors: string[] = [];
      page.on('request', (req) => {
        const url = req.url();
        requests.push(`${req.method()} ${url}`);
        if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('about:')) external.push(url);
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      return { page, requests, external, errors };
    },
  };
}
