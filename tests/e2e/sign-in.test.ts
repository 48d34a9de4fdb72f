import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcesses, type AppProcesses } from '../helpers/app-processes';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

describe('signing in for the first time', () => {
  let app: AppProcesses;
  let browser: TestBrowser;

  // Starts the real API and worker processes and a real Chromium.
  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppProcesses(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('forces the default administrator to choose a new password, then shows the dashboard', async () => {
    const page = await browser.context.newPage();
    await page.goto(app.baseUrl);

    await page.getByTestId('login-username').locator('input').fill('admin');
    await page.getByTestId('login-password').locator('input').fill('admin123');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in.png'), animations: 'disabled' });
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('password-rules').isVisible()).toBe(true);
    await page.getByTestId('password-current').locator('input').fill('admin123');
    await page.getByTestId('password-new').locator('input').fill('a sturdy new passphrase 42');
    await page.getByTestId('password-confirm').locator('input').fill('a sturdy new passphrase 42');
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'password-change.png'),
      animations: 'disabled',
    });
    await page.getByTestId('password-submit').click();

    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe('/');
    const me: unknown = await page.evaluate(async () => (await fetch('/api/auth/me')).text());
    expect(JSON.parse(me as string)).toMatchObject({
      user: { username: 'admin', mustChangePassword: false },
    });
  });
});
