import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcesses, type AppProcesses } from '../helpers/app-processes';
import {
  callApi,
  changePassword,
  launchBrowser,
  signIn,
  type TestBrowser,
} from '../helpers/browser';

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const ADMIN_PASSWORD = 'a steady keyboard passphrase 77';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
// borg init and one small backup through Temporal take seconds each on two cores.
const RUN_TIMEOUT_MS = 60_000;
/** WCAG AA for body text. */
const MIN_CONTRAST = 4.5;

/** Roles a person operates; each needs a name that a screen reader can announce. */
const CONTROL_ROLES = new Set([
  'button',
  'checkbox',
  'combobox',
  'link',
  'listbox',
  'menuitem',
  'option',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
]);
/** Roles that tell assistive technology nothing about what a focusable element does. */
const ROLELESS = new Set(['generic', 'none', 'presentation']);

// Runs in the page on the element behind an accessibility node. Kept as text so that no
// transpiler helper ends up inside a function Chromium parses on its own.
const INSPECT_ELEMENT = `function () {
  const element = this.nodeType === 1 ? this : this.parentElement;
  if (!element) return { description: '(no element)', isInTabOrder: false };
  const classes = [...element.classList].slice(0, 2).map((name) => '.' + name).join('');
  const owner = element.closest('[data-testid]');
  const text = (element.textContent || '').trim().slice(0, 40);
  const box = element.getBoundingClientRect();
  // Focus traps put invisible, aria-hidden guards around a dialog that send focus back inside.
  const isFocusGuard = element.getAttribute('aria-hidden') === 'true' && box.width === 0;
  return {
    description: '<' + element.tagName.toLowerCase() + classes + '>' +
      (owner ? ' in [data-testid=' + owner.getAttribute('data-testid') + ']' : '') +
      (text ? ' "' + text + '"' : ''),
    isInTabOrder: element.tabIndex >= 0 && !isFocusGuard,
  };
}`;

interface InspectedElement {
  description: string;
  isInTabOrder: boolean;
}

async function inspect(cdp: CDPSession, backendNodeId?: number): Promise<InspectedElement> {
  if (backendNodeId === undefined) return { description: '(no DOM node)', isInTabOrder: false };
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId });
  if (!object.objectId) return { description: '(detached node)', isInTabOrder: false };
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId,
    functionDeclaration: INSPECT_ELEMENT,
    returnByValue: true,
  });

  return result.value as InspectedElement;
}

/**
 * Reads Chromium's own accessibility tree and lists what a screen reader user would stumble
 * over: controls without a name, elements in the Tab order without a role, and a page without
 * exactly one level-1 heading and one main landmark.
 */
async function accessibilityProblems(page: Page, where: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const shown = nodes.filter((node) => !node.ignored);
    const hasProperty = (node: (typeof nodes)[number], name: string, value: unknown) =>
      node.properties?.some((property) => property.name === name && property.value.value === value);
    const problems: string[] = [];
    for (const node of shown) {
      const role = String(node.role?.value ?? '');
      const name = String(node.name?.value ?? '').trim();
      if (CONTROL_ROLES.has(role) && !name) {
        const element = await inspect(cdp, node.backendDOMNodeId);
        problems.push(`${where}: ${role} without a name: ${element.description}`);
      } else if (ROLELESS.has(role) && hasProperty(node, 'focusable', true)) {
        const element = await inspect(cdp, node.backendDOMNodeId);
        if (element.isInTabOrder) {
          problems.push(`${where}: focusable element without a role: ${element.description}`);
        }
      }
    }
    const headings = shown.filter(
      (node) => node.role?.value === 'heading' && hasProperty(node, 'level', 1),
    ).length;
    if (headings !== 1) problems.push(`${where}: ${headings} level-1 headings instead of one`);
    const mains = shown.filter((node) => node.role?.value === 'main').length;
    if (mains !== 1) problems.push(`${where}: ${mains} main landmarks instead of one`);

    return problems;
  } finally {
    await cdp.detach();
  }
}

/** The WCAG contrast ratio of the first `selector` against the background it is drawn on. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page.evaluate((target) => {
    const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = channels(color).map((value) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const element = document.querySelector(target);
    if (!element) throw new Error(`nothing matches ${target}`);
    let background = 'rgb(255, 255, 255)';
    for (let node: Element | null = element; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      const alpha = channels(color)[3];
      if (alpha === undefined || alpha > 0.9) {
        background = color;
        break;
      }
    }
    const [light, dark] = [luminance(getComputedStyle(element).color), luminance(background)].sort(
      (a, b) => b - a,
    );
    return (light + 0.05) / (dark + 0.05);
  }, selector);
}

/** Waits for the transitions a click started (menus, dialogs), not for endless spinners. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

async function waitForRunToFinish(page: Page, runId: string): Promise<string> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const { status } = await callApi<{ status: string }>(page, 'GET', `/api/runs/${runId}`);
    if (!['queued', 'running'].includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('accessibility of the web UI', () => {
  let app: AppProcesses;
  let browser: TestBrowser;
  let page: Page;
  let repositoryId: string;
  let planId: string;
  let runId: string;
  let archivePage: string;
  const signInProblems: string[] = [];

  /** Opens a route and waits until its lazy chunk and its first requests are done. */
  async function open(route: string): Promise<void> {
    await page.goto(`${app.baseUrl}${route}`);
    await page.locator('main').waitFor();
    await page.waitForLoadState('networkidle');
  }

  async function openDialog(testId: string): Promise<void> {
    await page.getByTestId(testId).click();
    await page.getByRole('dialog').waitFor();
  }

  async function closeDialog(): Promise<void> {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  }

  // Starts the real API and worker, signs in, and makes one backup so every page has content.
  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppProcesses(), launchBrowser()]);
    const sourceDir = path.join(app.dataDir, 'source');
    await mkdir(path.join(sourceDir, 'documents'), { recursive: true });
    await writeFile(path.join(sourceDir, 'documents', 'notes.txt'), 'kept for the record\n');
    await mkdir(path.join(app.dataDir, 'repositories'), { recursive: true });

    page = await browser.context.newPage();
    await page.goto(app.baseUrl);
    await page.getByTestId('login-submit').waitFor();
    signInProblems.push(...(await accessibilityProblems(page, '/login')));
    await signIn(page, app.baseUrl, 'admin', 'admin123');
    await page.getByTestId('password-rules').waitFor();
    signInProblems.push(...(await accessibilityProblems(page, '/password (first sign-in)')));
    await changePassword(page, 'admin123', ADMIN_PASSWORD);

    const repository = await callApi<{ id: string }>(page, 'POST', '/api/repositories', {
      name: 'local-main',
      location: path.join(app.dataDir, 'repositories', 'main'),
      encryption: 'repokey-blake2',
      passphrase: 'a long enough repository passphrase',
      mode: 'create',
    });
    repositoryId = repository.id;
    const plan = await callApi<{ id: string }>(page, 'POST', '/api/plans', {
      name: 'documents',
      repositoryId,
      sources: [sourceDir],
      schedule: { cron: '30 2 * * *', timezone: 'UTC' },
    });
    planId = plan.id;
    const { run } = await callApi<{ run: { id: string } }>(
      page,
      'POST',
      `/api/plans/${planId}/run`,
    );
    runId = run.id;
    const status = await waitForRunToFinish(page, runId);
    if (status !== 'succeeded') throw new Error(`the first backup ended ${status}`);
    const { archives } = await callApi<{ archives: { name: string }[] }>(
      page,
      'GET',
      `/api/repositories/${repositoryId}/archives`,
    );
    archivePage = `/repositories/${repositoryId}/archives/${encodeURIComponent(archives[0].name)}`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('names every control and gives every page one h1 and one main landmark', async () => {
    const problems = [...signInProblems];
    for (const route of [
      '/',
      '/repositories',
      `/repositories/${repositoryId}`,
      archivePage,
      `/repositories/${repositoryId}/compare`,
      '/plans',
      `/plans/${planId}`,
      '/runs',
      `/runs/${runId}`,
      '/ssh-keys',
      '/notifications',
      '/users',
      '/tokens',
      '/audit',
      '/about',
      '/password',
      '/no-such-page',
    ]) {
      await open(route);
      problems.push(...(await accessibilityProblems(page, route)));
    }

    expect(problems).toEqual([]);
  });

  it('names every field of the repository wizard and of the repository dialogs', async () => {
    const problems: string[] = [];
    await open('/repositories/new');
    await page.getByTestId('repository-name').locator('input').fill('remote');
    const location = page.getByTestId('repository-location').locator('input');
    await location.fill('ssh://borg@backup.example.com:22/./main');
    await page.getByTestId('repository-ssh-key').waitFor();
    problems.push(...(await accessibilityProblems(page, 'wizard, SSH location')));
    await location.fill(path.join(app.dataDir, 'repositories', 'second'));
    await page.getByTestId('repository-next').click();
    await page.getByTestId('repository-passphrase').waitFor();
    problems.push(...(await accessibilityProblems(page, 'wizard, encryption step')));

    await open(`/repositories/${repositoryId}`);
    for (const action of ['backup-now', 'check', 'prune', 'rotate-key', 'delete']) {
      await openDialog(`repository-${action}`);
      problems.push(...(await accessibilityProblems(page, `repository ${action} dialog`)));
      await closeDialog();
    }
    await openDialog('repository-check');
    await page.getByTestId('check-scope').click();
    await page.locator('.n-base-select-option', { hasText: 'Repository only' }).click();
    await page.getByLabel('Stop after (minutes, optional)').waitFor();
    problems.push(...(await accessibilityProblems(page, 'repository check dialog, time limit')));
    await closeDialog();

    expect(problems).toEqual([]);
  });

  it('names every field of the plan editor, its folder picker and the restore panel', async () => {
    const problems: string[] = [];
    await open('/plans/new');
    const repositorySelect = page.getByRole('combobox', { name: 'Repository', exact: true });
    await repositorySelect.click();
    await page.getByRole('option', { name: 'local-main' }).waitFor();
    problems.push(...(await accessibilityProblems(page, 'plan editor, repository menu open')));
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(async () => {
        const active = await repositorySelect.getAttribute('aria-activedescendant');
        return active ? page.locator(`#${active}`).getAttribute('role') : null;
      })
      .toBe('option');
    await page.keyboard.press('Escape');
    await expect.poll(() => repositorySelect.getAttribute('aria-expanded')).toBe('false');
    await page.getByTestId('plan-hook-add').click();
    await page.getByTestId('retention-preset').getByText('Custom').click();
    await page.getByTestId('retention-keepDaily').waitFor();
    problems.push(...(await accessibilityProblems(page, 'plan editor, hook and custom retention')));
    await page.getByTestId('plan-source-browse').click();
    await page.getByTestId('filesystem-entries').waitFor();
    problems.push(...(await accessibilityProblems(page, 'plan editor, folder picker')));
    await closeDialog();

    await open(archivePage);
    await page.getByTestId('archive-items').locator('tbody .n-checkbox').first().click();
    await page.getByTestId('restore-selection').waitFor();
    problems.push(...(await accessibilityProblems(page, 'archive browser with a selection')));

    expect(problems).toEqual([]);
  });

  it('names every field of the SSH key, notification, user and token dialogs', async () => {
    const problems: string[] = [];
    for (const [route, opener] of [
      ['/ssh-keys', 'ssh-key-add'],
      ['/notifications', 'notification-add'],
      ['/users', 'user-add'],
      ['/tokens', 'token-add'],
    ] as const) {
      await open(route);
      await openDialog(opener);
      problems.push(...(await accessibilityProblems(page, `${route} dialog`)));
      if (route === '/ssh-keys') {
        await page.getByRole('dialog').getByText('Import a private key').click();
        await page.getByTestId('ssh-key-private').waitFor();
        problems.push(...(await accessibilityProblems(page, `${route} dialog, import`)));
      }
      await closeDialog();
    }

    expect(problems).toEqual([]);
  });

  it('lets Tab reach the main navigation right after the skip link', async () => {
    await open('/runs');
    const focused = () =>
      page.evaluate(() => ({
        isInNavigation: document.activeElement?.closest('nav[aria-label="Main"]') != null,
        text: document.activeElement?.textContent?.trim() ?? '',
      }));

    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ isInNavigation: false, text: 'Skip to the content' });
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ isInNavigation: true, text: 'Dashboard' });
  });

  it('keeps a closed phone menu out of the Tab order, and Escape closes an open one', async () => {
    await page.setViewportSize(PHONE);
    try {
      await open('/runs');
      const isInNavigation = () =>
        page.evaluate(() => document.activeElement?.closest('nav[aria-label="Main"]') != null);
      for (let press = 0; press < 6; press += 1) {
        await page.keyboard.press('Tab');
        expect(await isInNavigation(), `Tab ${press + 1} stays out of the closed menu`).toBe(false);
      }
      await page.getByTestId('menu-toggle').click();
      await page.getByTestId('nav-dashboard').waitFor();
      await settle(page);
      await page.screenshot({
        path: path.join(SCREENSHOTS, 'phone-menu.png'),
        animations: 'disabled',
      });
      await page.getByTestId('menu-toggle').focus();
      let reached = false;
      for (let press = 0; press < 8 && !reached; press += 1) {
        await page.keyboard.press('Shift+Tab');
        reached = await isInNavigation();
      }
      expect(reached, 'Shift+Tab from the menu button reaches the open menu').toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => isInNavigation()).toBe(false);
      const toggle = page.getByTestId('menu-toggle');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  it('fits every page and the folder picker into a phone screen', async () => {
    const overflowing: string[] = [];
    await page.setViewportSize(PHONE);
    try {
      for (const route of [
        '/',
        `/repositories/${repositoryId}`,
        archivePage,
        '/plans/new',
        '/runs',
        `/runs/${runId}`,
        '/notifications',
        '/users',
      ]) {
        await open(route);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > PHONE.width) overflowing.push(`${route} is ${width}px wide`);
        if (route === `/repositories/${repositoryId}`) {
          await settle(page);
          await page.screenshot({
            path: path.join(SCREENSHOTS, 'phone-repository-detail.png'),
            animations: 'disabled',
          });
        }
      }
      await open('/plans/new');
      await page.getByTestId('plan-source-browse').click();
      await page.getByTestId('filesystem-entries').waitFor();
      await settle(page);
      await page.screenshot({
        path: path.join(SCREENSHOTS, 'phone-folder-picker.png'),
        animations: 'disabled',
      });
      const picker = await page.getByRole('dialog').boundingBox();
      if (!picker || picker.x < 0 || picker.x + picker.width > PHONE.width) {
        overflowing.push(`the folder picker spans ${JSON.stringify(picker)}`);
      }
      await closeDialog();
    } finally {
      await page.setViewportSize(DESKTOP);
    }

    expect(overflowing).toEqual([]);
  });

  it('keeps headings and links readable in the light and the dark theme', async () => {
    const contrasts: Record<string, number> = {};
    try {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await open('/');
        await expect
          .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
          .toBe(scheme);
        contrasts[`${scheme} heading`] = await contrastOf(page, 'main h1');
        contrasts[`${scheme} link`] = await contrastOf(page, 'main a');
        if (scheme === 'dark') {
          await open(`/plans/${planId}`);
          await settle(page);
          await page.screenshot({
            path: path.join(SCREENSHOTS, 'dark-plan-form.png'),
            animations: 'disabled',
          });
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }

    const tooFaint = Object.entries(contrasts).filter(([, ratio]) => ratio < MIN_CONTRAST);
    expect(tooFaint, JSON.stringify(contrasts)).toEqual([]);
  });
});
