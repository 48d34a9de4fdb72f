import type { Health } from '../../api/types';

const SEVERITY: Record<Health, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** What needs a person first (a run failed or waits), then the worst health, then by name. */
export function sortByAttention<
  T extends { name: string; health: Health; needsAttention: boolean },
>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const attention = Number(b.needsAttention) - Number(a.needsAttention);
    if (attention !== 0) return attention;
    const severity = SEVERITY[b.health] - SEVERITY[a.health];
    return severity !== 0 ? severity : a.name.localeCompare(b.name);
  });
}

export const HEALTH_LABELS: Record<Health, string> = {
  ok: 'Healthy',
  warning: 'Needs attention',
  critical: 'Critical',
  unknown: 'No data yet',
};
