import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcesses, type AppProcesses } from '../helpers/app-processes';
import {
  callApi,
  changePassword,
  launchBrowser,
  signIn,
  type TestBrowser,
} from '../helpers/browser';
import { startSshd } from '../helpers/sshd';

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const ADMIN_PASSWORD = 'a sturdy new passphrase 42';
const VIEWER_PASSWORD = 'a patient viewer passphrase 7';

// borg and the worker need seconds per step; a run in this file finishes well within this.
const RUN_TIMEOUT_MS = 90_000;

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** Reloads first, so the toasts of the clicks that led here do not cover the page's heading. */
async function shootWithoutToasts(page: Page, name: string): Promise<void> {
  await page.reload();
  await page.getByTestId('run-status').first().waitFor();
  await shoot(page, name);
}

/** `SHA256:…` of a public key, as ssh-keygen prints it on the server. */
async function fingerprintOf(publicKey: string, dir: string): Promise<string> {
  const file = path.join(dir, 'fingerprinted.pub');
  await writeFile(file, `${publicKey}\n`);
  const { stdout } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]);
  return stdout.split(' ')[1];
}

async function runStatus(page: Page): Promise<string> {
  const text = await page.getByTestId('run-status').first().textContent();
  return (text ?? '').trim();
}

async function confirmDialog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Yes' }).click();
}

async function writeRandomFile(file: string, sizeBytes: number): Promise<void> {
  const stream = createWriteStream(file);
  const chunkBytes = 4 * 1024 * 1024;
  for (let written = 0; written < sizeBytes; written += chunkBytes) {
    if (!stream.write(randomBytes(chunkBytes))) {
      await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
  }
  stream.end();
  await finished(stream);
}

describe('backing up and restoring through the web UI', () => {
  let app: AppProcesses;
  let browser: TestBrowser;
  let page: Page;
  let sourceDir: string;
  let repositoryId: string;
  let planId: string;
  /** The first backup of `documents`; the archive compare page starts from its archive. */
  let firstBackupRunId: string;
  /** A failed run nobody retried yet: an operator would see a retry button on it. */
  let unretriedFailedRunId: string;
  const original = randomBytes(256 * 1024);

  // Starts the real API and worker processes, a real Chromium, and signs the administrator in.
  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppProcesses(), launchBrowser()]);
    sourceDir = path.join(app.dataDir, 'source');
    await mkdir(path.join(sourceDir, 'documents'), { recursive: true });
    await writeFile(path.join(sourceDir, 'documents', 'report.bin'), original);
    await writeFile(path.join(sourceDir, 'notes.txt'), 'kept for the record\n');
    await mkdir(path.join(app.dataDir, 'repositories'), { recursive: true });
    await mkdir(path.join(app.dataDir, 'restores'), { recursive: true });

    page = await browser.context.newPage();
    await signIn(page, app.baseUrl, 'admin', 'admin123');
    await changePassword(page, 'admin123', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  // Repository creation runs `borg init`, and the backup itself runs through Temporal and borg.
  it('creates a repository and a plan, and a manual run of the plan succeeds', async () => {
    // Nothing set up yet: the dashboard's call to action.
    await page.getByTestId('dashboard-empty').waitFor();
    await shoot(page, 'dashboard-empty');
    await page.goto(`${app.baseUrl}/repositories/new`);

    await page.getByTestId('repository-name').locator('input').fill('local-main');
    const location = path.join(app.dataDir, 'repositories', 'main');
    await page.getByTestId('repository-location').locator('input').fill(location);
    await page.getByTestId('repository-next').click();
    await expect
      .poll(() => page.getByTestId('repository-encryption').textContent())
      .toContain('repokey-blake2');
    await page.getByTestId('repository-generate-passphrase').click();
    const passphrase = await page
      .getByTestId('repository-passphrase')
      .locator('input')
      .inputValue();
    expect(passphrase.length).toBeGreaterThanOrEqual(12);
    await page.getByTestId('repository-passphrase-saved').click();
    await shoot(page, 'repository-wizard');
    await page.getByTestId('repository-next').click();
    await page.getByTestId('repository-submit').click();
    await page.getByTestId('repository-done').click({ timeout: 30_000 });
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/repositories\/[0-9A-Z]+$/);
    repositoryId = new URL(page.url()).pathname.split('/').pop()!;

    await page.goto(`${app.baseUrl}/plans/new`);
    await page.getByTestId('plan-name').locator('input').fill('documents');
    await page.getByTestId('plan-repository').click();
    await page.getByText('local-main', { exact: true }).last().click();
    await page.getByTestId('plan-source-browse').click();
    await page.getByRole('button', { name: app.dataDir, exact: true }).click();
    await page.getByRole('button', { name: `Add ${sourceDir}`, exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('filesystem-entries').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('plan-sources').textContent()).toContain(sourceDir);
    await shoot(page, 'plan-form');
    await page.getByTestId('plan-save').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/plans\/[0-9A-Z]+$/);
    planId = new URL(page.url()).pathname.split('/').pop()!;

    await page.getByTestId('plan-run-now').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\//);
    await expect.poll(() => runStatus(page), { timeout: RUN_TIMEOUT_MS }).toBe('succeeded');
    firstBackupRunId = new URL(page.url()).pathname.split('/').pop()!;
    const progress = page.getByTestId('run-progress');
    await expect
      .poll(() => progress.getByRole('progressbar').getAttribute('aria-valuenow'))
      .toBe('100');
    expect(await progress.textContent()).toContain('100%');
    // The source holds report.bin (256 KiB) and notes.txt.
    expect((await progress.getByTestId('run-progress-files').textContent())?.trim()).toBe('2');
    expect((await progress.getByTestId('run-progress-bytes').textContent())?.trim()).toMatch(
      /^[1-9][\d.,]* kB$/,
    );
    await shootWithoutToasts(page, 'run');
  }, 150_000);

  // A restore is a Temporal run of its own that extracts with borg.
  it('restores a file picked in the archive browser byte for byte', async () => {
    await page.goto(`${app.baseUrl}/repositories/${repositoryId}`);
    await page.getByTestId('archive-link').first().click();
    await expect.poll(() => new URL(page.url()).pathname).toContain('/archives/');

    for (const part of path.join(sourceDir, 'documents').split('/').filter(Boolean)) {
      await page
        .getByTestId('archive-folder')
        .filter({ hasText: `${part}/` })
        .first()
        .click();
    }
    const row = page.getByTestId('archive-items').locator('tr', { hasText: 'report.bin' });
    await row.locator('.n-checkbox').click();
    // The target comes from the folder picker: a new folder, named after the archive, under the
    // restore root.
    const restoreRoot = path.join(app.dataDir, 'restores');
    await page.getByTestId('restore-target-browse').click();
    await page.getByRole('button', { name: restoreRoot, exact: true }).click();
    await page.getByTestId('restore-target-new-folder').click();
    await page.getByTestId('filesystem-entries').waitFor({ state: 'detached' });
    const target = await page.getByTestId('restore-target').locator('input').inputValue();
    expect(path.dirname(target)).toBe(restoreRoot);
    await shoot(page, 'archive-browser');
    await page.getByTestId('restore-submit').click();

    const status = page.getByTestId('restore-run').getByTestId('run-status');
    await expect
      .poll(async () => (await status.textContent())?.trim(), {
        timeout: RUN_TIMEOUT_MS,
      })
      .toBe('succeeded');
    const restored = await readFile(path.join(target, sourceDir, 'documents', 'report.bin'));
    expect(restored.equals(original)).toBe(true);
  }, 150_000);

  it('finds a file anywhere in the archive by name and opens its folder', async () => {
    await page.goto(`${app.baseUrl}/repositories/${repositoryId}`);
    await page.getByTestId('archive-link').first().click();
    await expect.poll(() => new URL(page.url()).pathname).toContain('/archives/');

    await page.getByRole('textbox', { name: 'Search the whole archive by name' }).fill('REPORT');
    const row = page.getByTestId('archive-items').locator('tr', { hasText: 'report.bin' });
    await row.waitFor();
    await expect
      .poll(() => page.getByTestId('archive-search-summary').textContent())
      .toContain('1 found');
    await shoot(page, 'archive-search');
    await row.getByTestId('archive-result-folder').click();

    await expect
      .poll(() => page.getByTestId('archive-breadcrumb').textContent())
      .toContain('documents');
    await expect.poll(() => page.getByTestId('archive-search-summary').count()).toBe(0);
  }, 60_000);

  // Writing 300 MB of random data and letting borg start on it takes a while on two cores.
  it('cancels a long backup from the run page', async () => {
    const bigDir = path.join(app.dataDir, 'big');
    await mkdir(bigDir);
    await writeRandomFile(path.join(bigDir, 'noise.bin'), 300 * 1024 * 1024);
    const plan = await callApi<{ id: string }>(page, 'POST', '/api/plans', {
      name: 'slow',
      repositoryId,
      sources: [bigDir],
      compression: 'zstd,15',
    });

    await page.goto(`${app.baseUrl}/plans/${plan.id}`);
    await page.getByTestId('plan-run-now').click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await page.getByTestId('run-cancel').click();
    await confirmDialog(page);

    await expect.poll(() => runStatus(page), { timeout: RUN_TIMEOUT_MS }).toBe('canceled');
    expect(await page.getByTestId('run-cancel').count()).toBe(0);
  }, 150_000);

  it('retries a failed backup as a new run linked to the failed one', async () => {
    const plan = await callApi<{ id: string }>(page, 'POST', '/api/plans', {
      name: 'refused',
      repositoryId,
      sources: [sourceDir],
      hooks: [{ name: 'gate', when: 'before', command: 'exit 1', onFailure: 'fail' }],
    });

    await page.goto(`${app.baseUrl}/plans/${plan.id}`);
    await page.getByTestId('plan-run-now').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\//);
    const failedId = new URL(page.url()).pathname.split('/').pop()!;
    await expect.poll(() => runStatus(page), { timeout: RUN_TIMEOUT_MS }).toBe('failed');
    await page.getByTestId('run-retry').click();

    await expect.poll(() => new URL(page.url()).pathname).not.toContain(failedId);
    const retryId = new URL(page.url()).pathname.split('/').pop()!;
    const run = await callApi<{ retryOf: string | null }>(page, 'GET', `/api/runs/${retryId}`);
    expect(run.retryOf).toBe(failedId);

    // The gate hook still refuses, so the retry fails too, and nobody has retried it yet.
    await expect.poll(() => runStatus(page), { timeout: RUN_TIMEOUT_MS }).toBe('failed');
    await page.getByTestId('run-retry').waitFor();
    expect(await page.getByTestId('run-error-message').textContent()).not.toBe('');
    expect(await page.getByTestId('run-steps').textContent()).toContain('Hook gate');
    unretriedFailedRunId = retryId;
    await shootWithoutToasts(page, 'run-failed');
  }, 150_000);

  // The wizard's connection test, host-key approval and `borg init` over a real sshd on loopback.
  it('creates a repository on an SSH server once its host key is approved', async () => {
    const sshdDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-e2e-sshd-'));
    const sshd = await startSshd(sshdDir);
    try {
      const allowedDir = path.join(sshdDir, 'borg');
      await mkdir(allowedDir);
      const key = await callApi<{ id: string; publicKey: string }>(page, 'POST', '/api/ssh-keys', {
        name: 'offsite-key',
        type: 'ed25519',
      });
      // The line comes from the SSH keys page, restricted to the folder typed there, exactly as a
      // person would copy it to the server.
      await page.goto(`${app.baseUrl}/ssh-keys`);
      const card = page.getByTestId('ssh-key').filter({ hasText: 'offsite-key' });
      const line = card.getByTestId('ssh-key-authorized');
      expect(await line.textContent()).toContain('/path/to/repositories');
      await card.getByTestId('ssh-key-folder').locator('input').fill(allowedDir);
      await expect
        .poll(() => line.textContent())
        .toContain(`borg serve --restrict-to-path ${allowedDir}"`);
      expect(await line.textContent()).toContain(key.publicKey.trim());
      await sshd.setAuthorizedKeys([((await line.textContent()) ?? '').trim()]);

      await page.goto(`${app.baseUrl}/repositories/new`);
      await page.getByTestId('repository-name').locator('input').fill('offsite');
      await page
        .getByTestId('repository-location')
        .locator('input')
        .fill(`ssh://root@127.0.0.1:${sshd.port}${allowedDir}/repo`);
      await page.getByTestId('repository-ssh-key').click();
      await page.locator('.n-base-select-option', { hasText: 'offsite-key' }).click();
      await page.getByTestId('repository-test-connection').click();
      const shown = page.getByTestId('repository-host-fingerprint');
      await shown.waitFor({ timeout: 30_000 });
      const fingerprint = ((await shown.textContent()) ?? '').trim();
      expect(fingerprint).toBe(await fingerprintOf(sshd.hostPublicKey, sshdDir));
      await page.getByTestId('repository-approve-host-key').click();
      await shoot(page, 'repository-wizard-ssh');
      await page.getByTestId('repository-next').click();
      await page.getByTestId('repository-generate-passphrase').click();
      await page.getByTestId('repository-passphrase-saved').click();
      await page.getByTestId('repository-next').click();
      await page.getByTestId('repository-submit').click();
      await page.getByTestId('repository-done').click({ timeout: 60_000 });

      await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/repositories\/[0-9A-Z]+$/);
      const created = await callApi<{ hostKeyFingerprint: string | null }>(
        page,
        'GET',
        `/api/repositories/${new URL(page.url()).pathname.split('/').pop()}`,
      );
      expect(created.hostKeyFingerprint).toBe(fingerprint);
    } finally {
      await sshd.stop();
      await rm(sshdDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('adds a notification channel, lists it masked and reports a test it could not deliver', async () => {
    await page.goto(`${app.baseUrl}/notifications`);
    await page.getByTestId('notification-add').click();
    await page.getByTestId('notification-name').locator('input').fill('Operations hook');
    // Port 9 (discard) on loopback: nothing listens, so the test message cannot be delivered.
    await page
      .getByTestId('notification-url')
      .locator('input')
      .fill('json://127.0.0.1:9/hooks?token=e2e-hook-secret-5f1d');
    await page.getByTestId('notification-submit').click();

    const row = page.getByTestId('notifications-table').locator('tr', {
      hasText: 'Operations hook',
    });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('e2e-hook-secret-5f1d');
    // The table names the events the way the form does, not by their ids.
    expect(await row.textContent()).toContain('Run failed');
    expect(await row.textContent()).not.toContain('run.failed');
    await row.getByTestId('notification-test').click();
    await expect
      .poll(() => page.getByText('The test message failed').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await page.getByText('Test message sent').count()).toBe(0);
  }, 60_000);

  // By now every page holds something a viewer could act on if a button leaked: plans, archives,
  // a failed run nobody retried, an SSH key and a notification channel.
  it('shows a viewer no buttons that start, stop or change anything', async () => {
    await callApi(page, 'POST', '/api/users', {
      username: 'watcher',
      password: VIEWER_PASSWORD,
      role: 'viewer',
    });
    const viewerBrowser = await launchBrowser();
    try {
      const viewer = await viewerBrowser.context.newPage();
      await signIn(viewer, app.baseUrl, 'watcher', VIEWER_PASSWORD);
      if (new URL(viewer.url()).pathname === '/password') {
        await changePassword(viewer, VIEWER_PASSWORD, `${VIEWER_PASSWORD} renewed`);
      }

      await viewer.goto(`${app.baseUrl}/plans`);
      await viewer.getByTestId('plan-link').first().waitFor();
      expect(await viewer.getByTestId('plan-add').count()).toBe(0);
      expect(await viewer.getByTestId('plan-run-now').count()).toBe(0);
      const toggles = await viewer.getByTestId('plan-toggle').all();
      expect(toggles.length).toBeGreaterThan(0);
      for (const toggle of toggles) {
        expect(await toggle.getAttribute('class')).toContain('n-switch--disabled');
      }

      await viewer.goto(`${app.baseUrl}/plans/${planId}`);
      await viewer.getByTestId('plan-name').waitFor();
      for (const action of ['plan-run-now', 'plan-save', 'plan-delete']) {
        expect(await viewer.getByTestId(action).count()).toBe(0);
      }

      await viewer.goto(`${app.baseUrl}/repositories/${repositoryId}`);
      await viewer.getByTestId('archives-table').waitFor();
      for (const action of ['check', 'prune', 'compact', 'delete', 'backup-now']) {
        expect(await viewer.getByTestId(`repository-${action}`).count()).toBe(0);
      }
      expect(await viewer.getByTestId('archive-delete').count()).toBe(0);

      // A viewer may browse an archive, but neither restore from it nor download out of it.
      await viewer.getByTestId('archive-link').first().click();
      await viewer.getByTestId('archive-folder').first().waitFor();
      expect(await viewer.getByTestId('restore-panel').count()).toBe(0);
      expect(await viewer.getByTestId('archive-download').count()).toBe(0);
      expect(await viewer.getByRole('checkbox', { name: /^Select / }).count()).toBe(0);

      await viewer.goto(`${app.baseUrl}/runs/${unretriedFailedRunId}`);
      await viewer.getByTestId('run-error').waitFor();
      expect(await runStatus(viewer)).toBe('failed');
      for (const command of ['cancel', 'retry', 'resume', 'skip', 'abort']) {
        expect(await viewer.getByTestId(`run-${command}`).count()).toBe(0);
      }

      await viewer.goto(`${app.baseUrl}/ssh-keys`);
      await viewer.getByTestId('ssh-key').first().waitFor();
      expect(await viewer.getByTestId('ssh-key-add').count()).toBe(0);
      expect(await viewer.getByTestId('ssh-key-delete').count()).toBe(0);

      await viewer.goto(`${app.baseUrl}/notifications`);
      await viewer
        .getByTestId('notifications-table')
        .locator('tr', { hasText: 'Operations hook' })
        .waitFor();
      for (const action of ['add', 'test', 'edit', 'delete']) {
        expect(await viewer.getByTestId(`notification-${action}`).count()).toBe(0);
      }
    } finally {
      await viewerBrowser.close();
    }
  }, 60_000);

  it('creates an API token, shows it once, and the token then signs a script in', async () => {
    await page.goto(`${app.baseUrl}/tokens`);
    await page.getByTestId('token-add').click();
    await page.getByTestId('token-name').locator('input').fill('nightly script');
    await page.getByTestId('token-submit').click();
    const secret = (await page.getByTestId('token-secret').textContent())?.trim() ?? '';

    expect(secret).toMatch(/^bfl_/);
    const me = await fetch(`${app.baseUrl}/api/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(me.status).toBe(200);
    expect((await me.json()) as { user: { username: string } }).toMatchObject({
      user: { username: 'admin' },
    });
  }, 60_000);

  it('renders the remaining pages', async () => {
    // A second archive with more data gives the size charts a line to draw.
    await writeFile(path.join(sourceDir, 'documents', 'appendix.bin'), randomBytes(512 * 1024));
    const { run } = await callApi<{ run: { id: string } }>(
      page,
      'POST',
      `/api/plans/${planId}/run`,
    );
    await expect
      .poll(
        async () => (await callApi<{ status: string }>(page, 'GET', `/api/runs/${run.id}`)).status,
        {
          timeout: RUN_TIMEOUT_MS,
        },
      )
      .toBe('succeeded');

    // Someone the admin added who has not signed in yet: the users page shows the difference.
    await callApi(page, 'POST', '/api/users', {
      username: 'newcomer',
      password: 'a first password to replace 3',
      role: 'operator',
    });

    for (const [route, name] of [
      ['/plans', 'plans'],
      ['/runs', 'runs'],
      ['/repositories', 'repositories'],
      ['/notifications', 'notifications'],
      ['/tokens', 'tokens'],
      ['/users', 'users'],
      ['/audit', 'audit-log'],
      ['/about', 'about'],
      [`/repositories/${repositoryId}`, 'repository-detail'],
    ] as const) {
      await page.goto(`${app.baseUrl}${route}`);
      await expect.poll(() => page.getByTestId('load-error').count()).toBe(0);
      await shoot(page, name);
    }

    await page.goto(`${app.baseUrl}/about`);
    await expect
      .poll(() => page.getByTestId('about-temporal-version').textContent())
      .toMatch(/\d+\.\d+/);

    await page.goto(`${app.baseUrl}/users`);
    const newcomer = page.getByTestId('users-table').locator('tr', { hasText: 'newcomer' });
    expect(await newcomer.textContent()).toContain('must change at next sign-in');

    // With a folder typed in, the authorized_keys line is ready to paste.
    await page.goto(`${app.baseUrl}/ssh-keys`);
    await page.getByTestId('ssh-key-folder').first().locator('input').fill('/srv/borg');
    await expect
      .poll(() => page.getByTestId('ssh-key-authorized').first().textContent())
      .toContain('--restrict-to-path /srv/borg"');
    await shoot(page, 'ssh-keys');

    // The two backups of `documents`, ticked in the archive list the way a person compares them.
    const archiveOf = async (runId: string) =>
      (await callApi<{ stats: { archive: string } }>(page, 'GET', `/api/runs/${runId}`)).stats
        .archive;
    const older = await archiveOf(firstBackupRunId);
    const newer = await archiveOf(run.id);
    await page.goto(`${app.baseUrl}/repositories/${repositoryId}`);
    for (const archive of [older, newer]) {
      await page.getByRole('checkbox', { name: `Select ${archive} for comparison` }).click();
    }
    await page.getByTestId('archives-compare').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/\/compare$/);
    expect(new URL(page.url()).searchParams.get('from')).toBe(older);
    expect(new URL(page.url()).searchParams.get('to')).toBe(newer);
    await expect
      .poll(() => page.getByTestId('compare-changes').textContent(), { timeout: 30_000 })
      .toContain('appendix.bin');
    await shoot(page, 'archive-compare');

    await page.goto(`${app.baseUrl}/`);
    await expect.poll(() => page.getByTestId('load-error').count()).toBe(0);
    await shoot(page, 'dashboard');
    // The dashboard's chart draws the two refreshes of the repository.
    await expect.poll(() => page.getByTestId('size-chart').locator('canvas').count()).toBe(1);
  }, 150_000);
});
