import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  bearer,
  createToken,
  createUserSession,
  createApiTestContext,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { RUN_DURATION_BUCKETS_SECONDS } from '../../api/metrics/collect';
import { waitForRun } from '../helpers/runs';
import { startApiWorker } from '../helpers/temporal-worker';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition, enough of the format for these metrics. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0].value;
}

describe('GET /metrics', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let viewerToken: string;
  let roots: string;
  let repositoryId: string;
  let goodPlan: string;
  let failingPlan: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-metrics-'));
    const source = path.join(roots, 'sources', 'data');
    await mkdir(source, { recursive: true });
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    await writeFile(path.join(source, 'random.bin'), randomBytes(256 * 1024));
    context = await createApiTestContext({
      TASK_QUEUE: `api-metrics-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    const viewer = await createUserSession(context.app, admin, 'viewer');
    viewerToken = await createToken(context.app, viewer);

    repositoryId = await post<{ id: string }>('/api/repositories', {
      name: 'metrics-repo',
      location: path.join(roots, 'repositories', 'metrics-repo'),
      passphrase: 'metrics-test-passphrase-31c9',
      mode: 'create',
    }).then((body) => body.id);
    goodPlan = await post<{ id: string }>('/api/plans', {
      name: 'good',
      repositoryId,
      sources: [source],
    }).then((body) => body.id);
    failingPlan = await post<{ id: string }>('/api/plans', {
      name: 'failing',
      repositoryId,
      sources: [source],
      hooks: [{ name: 'precondition', when: 'before', command: 'exit 2', onFailure: 'fail' }],
    }).then((body) => body.id);

    // Sequential: one writer per repository would queue them anyway.
    for (const planId of [goodPlan, goodPlan, failingPlan]) await runToTheEnd(planId);
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  async function post<T>(url: string, payload: Record<string, unknown>): Promise<T> {
    const response = await context.app.inject({
      method: 'POST',
      url,
      headers: admin.headers,
      payload,
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<T>();
  }

  async function runToTheEnd(planId: string): Promise<void> {
    const { run } = await post<{ run: { id: string } }>(`/api/plans/${planId}/run`, {});
    await waitForRun(context.database.db, run.id, (row) => row.finished_at !== null);
  }

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const response = await context.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(viewerToken),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: response.body, samples: parseSamples(response.body) };
  }

  it('refuses a scrape without credentials', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/metrics' });

    expect(response.statusCode).toBe(401);
  });

  it('counts runs by kind and status as the runs table holds them', async () => {
    const { samples } = await scrape();

    const rows = await context.database.db
      .selectFrom('runs')
      .select(['kind', 'status'])
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .groupBy(['kind', 'status'])
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(valueOf(samples, 'borgflow_runs', { kind: row.kind, status: row.status })).toBe(
        Number(row.count),
      );
    }
    expect(valueOf(samples, 'borgflow_runs', { kind: 'backup', status: 'succeeded' })).toBe(2);
    expect(valueOf(samples, 'borgflow_runs', { kind: 'backup', status: 'failed' })).toBe(1);
    expect(valueOf(samples, 'borgflow_runs_waiting')).toBe(0);
    expect(valueOf(samples, 'borgflow_run_duration_seconds_count', { kind: 'backup' })).toBe(3);
  });

  it('counts run durations into buckets that agree with the runs table', async () => {
    const { samples } = await scrape();
    const finished = await context.database.db
      .selectFrom('runs')
      .select(['started_at', 'finished_at'])
      .where('kind', '=', 'backup')
      .where('status', '!=', 'skipped')
      .where('started_at', 'is not', null)
      .where('finished_at', 'is not', null)
      .execute();
    const durations = finished.map(
      (run) => Math.max(0, run.finished_at!.getTime() - run.started_at!.getTime()) / 1000,
    );

    for (const le of RUN_DURATION_BUCKETS_SECONDS) {
      expect(
        valueOf(samples, 'borgflow_run_duration_seconds_bucket', { kind: 'backup', le: `${le}` }),
      ).toBe(durations.filter((seconds) => seconds <= le).length);
    }
    expect(
      valueOf(samples, 'borgflow_run_duration_seconds_bucket', { kind: 'backup', le: '+Inf' }),
    ).toBe(durations.length);
    expect(valueOf(samples, 'borgflow_run_duration_seconds_sum', { kind: 'backup' })).toBeCloseTo(
      durations.reduce((total, seconds) => total + seconds, 0),
      3,
    );
  });

  it('reports the last success time of plan and repository as the newest backup finish', async () => {
    const { samples } = await scrape();

    const newest = await context.database.db
      .selectFrom('runs')
      .select('finished_at')
      .where('plan_id', '=', goodPlan)
      .where('status', '=', 'succeeded')
      .orderBy('finished_at', 'desc')
      .executeTakeFirstOrThrow();
    const seconds = newest.finished_at!.getTime() / 1000;
    expect(
      valueOf(samples, 'borgflow_plan_last_success_timestamp_seconds', { plan_id: goodPlan }),
    ).toBeCloseTo(seconds, 3);
    expect(
      valueOf(samples, 'borgflow_repository_last_success_timestamp_seconds', {
        repository_id: repositoryId,
      }),
    ).toBeCloseTo(seconds, 3);
    expect(() =>
      valueOf(samples, 'borgflow_plan_last_success_timestamp_seconds', { plan_id: failingPlan }),
    ).toThrow(/0 samples/);
  });

  it('reports repository sizes and archive counts equal to the repository stats', async () => {
    const { samples } = await scrape();

    const { stats } = await context.database.db
      .selectFrom('repositories')
      .select('stats')
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    const labels = { repository_id: repositoryId, repository: 'metrics-repo' };
    expect(stats).toMatchObject({ archiveCount: 2 });
    expect(valueOf(samples, 'borgflow_repository_archives', labels)).toBe(2);
    expect(valueOf(samples, 'borgflow_repository_original_bytes', labels)).toBe(
      stats!.originalSize,
    );
    expect(valueOf(samples, 'borgflow_repository_deduplicated_bytes', labels)).toBe(
      stats!.deduplicatedSize,
    );
  });

  it('reports that Temporal answers and that the worker polls the task queue', async () => {
    const { samples } = await scrape();

    expect(valueOf(samples, 'borgflow_temporal_up')).toBe(1);
    expect(valueOf(samples, 'borgflow_task_queue_pollers', { type: 'activity' })).toBeGreaterThan(
      0,
    );
  });
});
