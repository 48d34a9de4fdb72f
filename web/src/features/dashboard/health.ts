import type { Health } from '../../api/types';

const HOUR_MS = 3_600_000;

/** Ages past `warningAfterMs` are a warning, past `criticalAfterMs` critical. */
export interface AgeThresholds {
  warningAfterMs: number;
  criticalAfterMs: number;
}

/** A daily backup may slip a couple of hours before anyone should worry. */
export const BACKUP_THRESHOLDS: AgeThresholds = {
  warningAfterMs: 26 * HOUR_MS,
  criticalAfterMs: 72 * HOUR_MS,
};

/** Checks are typically weekly or monthly. */
export const CHECK_THRESHOLDS: AgeThresholds = {
  warningAfterMs: 8 * 24 * HOUR_MS,
  criticalAfterMs: 35 * 24 * HOUR_MS,
};

const SEVERITY: Record<Health, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export function classifyAge(
  at: string | null | undefined,
  thresholds: AgeThresholds,
  now: number = Date.now(),
): Health {
  if (!at) return 'unknown';
  const time = new Date(at).getTime();
  if (Number.isNaN(time)) return 'unknown';
  const age = now - time;
  if (age < thresholds.warningAfterMs) return 'ok';
  if (age < thresholds.criticalAfterMs) return 'warning';
  return 'critical';
}

export function worstHealth(...values: Health[]): Health {
  return values.reduce((worst, value) => (SEVERITY[value] > SEVERITY[worst] ? value : worst), 'ok');
}

export interface HealthInput {
  lastSuccessAt?: string | null;
  lastCheckAt?: string | null;
}

/**
 * Health by the ages of the last good backup and last check, for a repository answer that carries
 * no health of its own. The dashboard never needs it: the server judges its entries
 * (api/runs/health.ts), runs included.
 */
export function classifyHealth(input: HealthInput, now: number = Date.now()): Health {
  const backup = classifyAge(input.lastSuccessAt, BACKUP_THRESHOLDS, now);
  const check =
    input.lastCheckAt === undefined ? 'ok' : classifyAge(input.lastCheckAt, CHECK_THRESHOLDS, now);
  return worstHealth(backup, check);
}

/** Entries that need a person first (a run failed or waits), then the worst health, then by name. */
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
