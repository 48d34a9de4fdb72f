import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// Debian's Chromium; the flags keep it from reaching for the network this machine does not have.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  browser: Browser | BrowserContext;
  context: BrowserContext;
  close(): Promise<void>;
}

/** A real headless Chromium with a fresh profile, as the browser tests drive it. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'borgflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });

  return {
    browser: context,
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits until the app leaves the login page. */
export async function signIn(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId('login-username').locator('input').fill(username);
  await page.getByTestId('login-password').locator('input').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** Fills the password form a first sign-in leads to, and waits for the dashboard. */
export async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.getByTestId('password-rules').waitFor();
  await page.getByTestId('password-current').locator('input').fill(current);
  await page.getByTestId('password-new').locator('input').fill(next);
  await page.getByTestId('password-confirm').locator('input').fill(next);
  await page.getByTestId('password-submit').click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** Calls the API from inside the page, so the session cookie and the page's Origin go along. */
export async function callApi<T>(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  const answer = await page.evaluate(
    async ([verb, target, payload]) => {
      const response = await fetch(target, {
        method: verb,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      return { status: response.status, text: await response.text() };
    },
    [method, url, body] as const,
  );
  if (answer.status >= 400) throw new Error(`${method} ${url}: ${answer.status} ${answer.text}`);

  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}
