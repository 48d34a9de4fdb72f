import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  type ApiTestContext,
  type BrowserSession,
  createApiTestContext,
  createUserSession,
} from '../helpers/api';

interface HealthFields {
  name: string;
  health: string;
  healthReason: string;
  needsAttention: boolean;
}

interface Dashboard {
  repositories: (HealthFields & { id: string; lastCheckAt: string | null })[];
  plans: (HealthFields & { lastRunStatus: string | null })[];
}

const HOUR_MS = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR_MS);

// Rows go straight into the database: the health rules read rows, and real borg runs could not
// produce a backup five days old or a check that found damage on demand.
describe('GET /api/dashboard health', () => {
  let context: ApiTestContext;
  let viewer: BrowserSession;

  beforeAll(async () => {
    context = await createApiTestContext();
    const admin = await adminSession(context.app);
    viewer = await createUserSession(context.app, admin, 'viewer');
  });

  afterAll(async () => {
    await context?.close();
  });

  async function addRepository(
    name: string,
    dates: { lastArchiveAt?: Date; lastCheckAt?: Date } = {},
  ): Promise<string> {
    const id = ulid();
    await context.database.db
      .insertInto('repositories')
      .values({
        id,
        name,
        location: `/srv/borg/${name}`,
        encryption: 'none',
        passphrase_secret: null,
        pending_passphrase_secret: null,
        key_escrow_secret: null,
        ssh_key_id: null,
        remote_path: null,
        upload_rate_limit_kbps: null,
        host_key_fingerprint: null,
        last_archive_at: dates.lastArchiveAt ?? null,
        last_check_at: dates.lastCheckAt ?? null,
      })
      .execute();
    return id;
  }

  async function addPlan(name: string, repositoryId: string): Promise<string> {
    const id = ulid();
    await context.database.db
      .insertInto('plans')
      .values({
        id,
        name,
        repository_id: repositoryId,
        sources: ['/srv/data'],
        schedule_cron: null,
        schedule_timezone: null,
      })
      .execute();
    return id;
  }

  /** A run `hours` ago; each later call for the same target should pass fewer hours. */
  async function addRun(
    target: { repositoryId: string; planId?: string },
    run: { kind: string; status: string; hours: number; stats?: Record<string, unknown> },
  ): Promise<void> {
    const createdAt = hoursAgo(run.hours);
    const hasEnded = !['queued', 'running', 'waiting'].includes(run.status);
    await context.database.db
      .insertInto('runs')
      .values({
        id: `${run.kind}-${ulid()}`,
        kind: run.kind,
        status: run.status,
        trigger: 'schedule',
        repository_id: target.repositoryId,
        plan_id: target.planId ?? null,
        stats: run.stats ?? null,
        created_at: createdAt,
        started_at: createdAt,
        finished_at: hasEnded ? createdAt : null,
      })
      .execute();
  }

  async function dashboard(): Promise<Dashboard> {
    const response = await context.app.inject({
      method: 'GET',
      url: '/api/dashboard',
      headers: viewer.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Dashboard>();
  }

  const named = <T extends { name: string }>(items: T[], name: string): T => {
    const found = items.find((item) => item.name === name);
    if (!found) throw new Error(`${name} is not on the dashboard`);
    return found;
  };

  describe('repositories', () => {
    it('is healthy with a recent backup and a recent check', async () => {
      const id = await addRepository('fresh', {
        lastArchiveAt: hoursAgo(2),
        lastCheckAt: hoursAgo(30),
      });
      await addRun({ repositoryId: id }, { kind: 'check', status: 'succeeded', hours: 30 });
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'succeeded', hours: 2 });

      const repository = named((await dashboard()).repositories, 'fresh');

      expect(repository).toMatchObject({
        health: 'ok',
        healthReason: 'Last backup 2 h ago; last check 30 h ago',
        needsAttention: false,
      });
    });

    it('needs attention when backed up recently but never checked', async () => {
      await addRepository('unchecked', { lastArchiveAt: hoursAgo(1) });

      const repository = named((await dashboard()).repositories, 'unchecked');

      expect(repository).toMatchObject({
        health: 'warning',
        healthReason: 'Never checked',
        needsAttention: false,
        lastCheckAt: null,
      });
    });

    it('warns about a check past its limit and is critical past the backup limit', async () => {
      await addRepository('check-overdue', {
        lastArchiveAt: hoursAgo(3),
        lastCheckAt: hoursAgo(10 * 24),
      });
      await addRepository('stale', {
        lastArchiveAt: hoursAgo(5 * 24),
        lastCheckAt: hoursAgo(24),
      });

      const { repositories } = await dashboard();

      expect(named(repositories, 'check-overdue')).toMatchObject({
        health: 'warning',
        healthReason: 'Last check 10 days ago, over the limit of 8 days',
      });
      expect(named(repositories, 'stale')).toMatchObject({
        health: 'critical',
        healthReason: 'Last backup 5 days ago, over the limit of 72 h',
        needsAttention: false,
      });
    });

    it('is critical when its latest backup failed, however fresh the last archive', async () => {
      const id = await addRepository('backup-failed', {
        lastArchiveAt: hoursAgo(4),
        lastCheckAt: hoursAgo(4),
      });
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'succeeded', hours: 4 });
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'failed', hours: 1 });

      const repository = named((await dashboard()).repositories, 'backup-failed');

      expect(repository).toMatchObject({
        health: 'critical',
        healthReason: 'Last backup failed',
        needsAttention: true,
      });
    });

    it('keeps a check that found problems in view after a later good backup', async () => {
      const id = await addRepository('damaged', {
        lastArchiveAt: hoursAgo(1),
        lastCheckAt: hoursAgo(6),
      });
      await addRun(
        { repositoryId: id },
        { kind: 'check', status: 'warning', hours: 6, stats: { isHealthy: false, problems: [] } },
      );
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'succeeded', hours: 1 });

      const repository = named((await dashboard()).repositories, 'damaged');

      expect(repository).toMatchObject({
        health: 'critical',
        healthReason: 'Last check found problems',
        needsAttention: true,
      });
    });

    it('gives the same verdict in the repository list and on the repository itself', async () => {
      const id = await addRepository('listed-failure', {
        lastArchiveAt: hoursAgo(3),
        lastCheckAt: hoursAgo(3),
      });
      await addRun({ repositoryId: id }, { kind: 'check', status: 'failed', hours: 1 });

      const fromDashboard = named((await dashboard()).repositories, 'listed-failure');
      const list = await context.app.inject({
        method: 'GET',
        url: '/api/repositories',
        headers: viewer.headers,
      });
      const single = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${id}`,
        headers: viewer.headers,
      });

      const verdict = {
        health: 'critical',
        healthReason: 'Last check failed',
        needsAttention: true,
      };
      expect(fromDashboard).toMatchObject(verdict);
      expect(
        named(list.json<{ repositories: HealthFields[] }>().repositories, 'listed-failure'),
      ).toMatchObject(verdict);
      expect(single.json()).toMatchObject(verdict);
    });

    it('judges by the last run with an outcome while a newer one is still running', async () => {
      const id = await addRepository('retrying', {
        lastArchiveAt: hoursAgo(20),
        lastCheckAt: hoursAgo(20),
      });
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'failed', hours: 2 });
      await addRun({ repositoryId: id }, { kind: 'backup', status: 'running', hours: 1 });

      const repository = named((await dashboard()).repositories, 'retrying');

      expect(repository).toMatchObject({ health: 'critical', healthReason: 'Last backup failed' });
    });

    it('has no data yet before its first backup', async () => {
      await addRepository('empty');

      const repository = named((await dashboard()).repositories, 'empty');

      expect(repository).toMatchObject({
        health: 'unknown',
        healthReason: 'No backup yet',
        needsAttention: false,
      });
    });
  });

  describe('plans', () => {
    let repositoryId: string;

    beforeAll(async () => {
      repositoryId = await addRepository('plans-target', {
        lastArchiveAt: hoursAgo(1),
        lastCheckAt: hoursAgo(1),
      });
    });

    it('is healthy after a recent successful backup', async () => {
      const planId = await addPlan('daily', repositoryId);
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'succeeded', hours: 3 });

      const plan = named((await dashboard()).plans, 'daily');

      expect(plan).toMatchObject({
        health: 'ok',
        healthReason: 'Last backup 3 h ago',
        needsAttention: false,
        lastRunStatus: 'succeeded',
      });
    });

    it('is failing when its last run failed, even after a recent success', async () => {
      const planId = await addPlan('broken', repositoryId);
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'succeeded', hours: 5 });
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'failed', hours: 1 });

      const plan = named((await dashboard()).plans, 'broken');

      expect(plan).toMatchObject({
        health: 'critical',
        healthReason: 'Last backup failed',
        needsAttention: true,
        lastRunStatus: 'failed',
      });
    });

    it('stays failing when a start skipped after the failure is the newest row', async () => {
      const ownRepository = await addRepository('skipped-after-failure', {
        lastArchiveAt: hoursAgo(30),
        lastCheckAt: hoursAgo(30),
      });
      const planId = await addPlan('skipped-after-failure', ownRepository);
      const target = { repositoryId: ownRepository, planId };
      await addRun(target, { kind: 'backup', status: 'succeeded', hours: 30 });
      await addRun(target, { kind: 'backup', status: 'failed', hours: 2 });
      // What a schedule's tick that came while the failed run waited for a person leaves.
      await addRun(target, { kind: 'backup', status: 'skipped', hours: 1 });

      const { plans, repositories } = await dashboard();

      expect(named(plans, 'skipped-after-failure')).toMatchObject({
        health: 'critical',
        healthReason: expect.stringContaining('Last backup failed') as string,
        lastRunStatus: 'failed',
      });
      expect(named(repositories, 'skipped-after-failure')).toMatchObject({
        health: 'critical',
        needsAttention: true,
      });
    });

    it('is failing when it has only ever failed, not without data', async () => {
      const planId = await addPlan('never-worked', repositoryId);
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'failed', hours: 1 });

      const plan = named((await dashboard()).plans, 'never-worked');

      expect(plan).toMatchObject({
        health: 'critical',
        healthReason: 'Last backup failed; no successful backup yet',
      });
    });

    it('needs attention while its last run waits', async () => {
      const planId = await addPlan('blocked', repositoryId);
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'succeeded', hours: 4 });
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'waiting', hours: 1 });

      const plan = named((await dashboard()).plans, 'blocked');

      expect(plan).toMatchObject({
        health: 'warning',
        healthReason: 'A backup is waiting',
        needsAttention: true,
        lastRunStatus: 'waiting',
      });
    });

    it('is stale when the last successful backup is too old', async () => {
      const planId = await addPlan('late', repositoryId);
      await addRun({ repositoryId, planId }, { kind: 'backup', status: 'succeeded', hours: 30 });

      const plan = named((await dashboard()).plans, 'late');

      expect(plan).toMatchObject({
        health: 'warning',
        healthReason: 'Last backup 30 h ago, over the limit of 26 h',
      });
    });

    it('has no data yet only when it never ran', async () => {
      await addPlan('untouched', repositoryId);

      const plan = named((await dashboard()).plans, 'untouched');

      expect(plan).toMatchObject({
        health: 'unknown',
        healthReason: 'Never run',
        needsAttention: false,
        lastRunStatus: null,
      });
    });
  });
});
