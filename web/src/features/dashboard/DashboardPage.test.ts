// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Dashboard, DashboardPlan, HealthVerdict, Repository } from '../../api/types';
import { mountAs } from '../../testing/mount-with-providers';
import DashboardPage from './DashboardPage.vue';

const getDashboard = vi.hoisted(() => vi.fn<() => Promise<Dashboard>>());
vi.mock('../../api/operations', () => ({ getDashboard }));
vi.mock('../../api/repositories', () => ({ getSizeHistory: async () => ({ points: [] }) }));
// The chart draws on a canvas, which happy-dom has not; it is not what these tests look at.
vi.mock('../repositories/RepositorySizeChart.vue', () => ({
  __esModule: true,
  default: { render: () => null },
}));

function repository(name: string, verdict: HealthVerdict): Repository {
  return {
    id: `repository-${name}`,
    name,
    location: `/srv/borg/${name}`,
    encryption: 'none',
    sshKeyId: null,
    remotePath: null,
    stats: null,
    lastArchiveAt: '2024-06-01T10:00:00Z',
    lastCheckAt: null,
    createdAt: '2024-05-01T10:00:00Z',
    ...verdict,
  };
}

function plan(name: string, verdict: HealthVerdict): DashboardPlan {
  return {
    id: `plan-${name}`,
    name,
    repositoryId: 'repository-main',
    lastSuccessAt: null,
    lastRunStatus: null,
    nextRunAt: null,
    ...verdict,
  };
}

/** Each row of a table: its name, health label and the reason shown beneath the label. */
function rowsOf(testId: string): { name: string; health: string; reason: string | null }[] {
  const table = document.querySelector(`[data-testid="${testId}"]`);
  return [...(table?.querySelectorAll('tbody tr') ?? [])].map((row) => ({
    name: row.querySelector('td')?.textContent?.trim() ?? '',
    health: row.querySelector('[data-testid="health"]')?.textContent?.trim() ?? '',
    reason: row.querySelector('[data-testid="health-reason"]')?.textContent?.trim() ?? null,
  }));
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('DashboardPage', () => {
  it("shows the server's health and reason, what needs a person first", async () => {
    getDashboard.mockResolvedValue({
      repositories: [
        repository('archive', {
          health: 'ok',
          healthReason: 'Last backup 2 h ago',
          needsAttention: false,
        }),
        repository('main', {
          health: 'warning',
          healthReason: 'Never checked',
          needsAttention: false,
        }),
        repository('offsite', {
          health: 'critical',
          healthReason: 'Last check failed',
          needsAttention: true,
        }),
      ],
      plans: [
        plan('home', { health: 'unknown', healthReason: 'Never run', needsAttention: false }),
        plan('mail', {
          health: 'warning',
          healthReason: 'A backup is waiting',
          needsAttention: true,
        }),
        plan('db', {
          health: 'critical',
          healthReason: 'Last backup 5 days ago, over the limit of 72 h',
          needsAttention: false,
        }),
      ],
      runsNeedingAttention: [],
      totals: { originalSize: 0, deduplicatedSize: 0 },
    });

    const wrapper = await mountAs('viewer', DashboardPage, {});
    await flushPromises();

    expect(rowsOf('dashboard-repositories')).toEqual([
      { name: 'offsite', health: 'Critical', reason: 'Last check failed' },
      { name: 'main', health: 'Needs attention', reason: 'Never checked' },
      // Healthy needs no explanation; the ages are in the next columns.
      { name: 'archive', health: 'Healthy', reason: null },
    ]);
    expect(rowsOf('dashboard-plans')).toEqual([
      { name: 'mail', health: 'Needs attention', reason: 'A backup is waiting' },
      {
        name: 'db',
        health: 'Critical',
        reason: 'Last backup 5 days ago, over the limit of 72 h',
      },
      { name: 'home', health: 'No data yet', reason: 'Never run' },
    ]);
    wrapper.unmount();
  });
});
