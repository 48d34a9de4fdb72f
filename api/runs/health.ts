import { hasCheckProblems, type RunKind, type RunStatus } from '../../core/runs';

export type Health = 'ok' | 'warning' | 'critical' | 'unknown';

const HEALTH_VALUES = ['ok', 'warning', 'critical', 'unknown'] as const satisfies readonly Health[];

/** The same three fields on every repository and plan answer that carries a health. */
export const healthProperties = {
  health: { type: 'string', enum: HEALTH_VALUES },
  healthReason: {
    type: 'string',
    description:
      'Why the health is what it is, for a person: "Never checked", "Last backup failed".',
  },
  needsAttention: {
    type: 'boolean',
    description: 'A run failed, found problems or waits; the dashboard lists these first.',
  },
} as const;

/** What the dashboard says about a repository or plan. */
export interface HealthAssessment {
  health: Health;
  /** One line for a person: why the health is what it is. */
  reason: string;
  /** A run failed, found problems or waits: the dashboard lists these first. */
  needsAttention: boolean;
}

/** Past `warningAfterHours` an age is a warning, past `criticalAfterHours` critical. */
interface AgeLimits {
  warningAfterHours: number;
  criticalAfterHours: number;
}

/** A daily backup may run a little late; beyond three days without one someone must look. */
const BACKUP_AGE_LIMITS: AgeLimits = { warningAfterHours: 26, criticalAfterHours: 72 };

/** Checks usually run weekly (a day of slack) and must not be left for more than a month. */
const CHECK_AGE_LIMITS: AgeLimits = {
  warningAfterHours: 8 * 24,
  criticalAfterHours: 35 * 24,
};

/** The run kinds whose outcome says whether a repository is in good shape. */
export const REPOSITORY_CARE_KINDS = ['backup', 'check', 'prune', 'compact'] as const;

/** Queued and running runs have no outcome yet; health looks at the latest one that has. */
export const UNSETTLED_STATUSES: RunStatus[] = ['queued', 'running'];

/** The latest run of one kind that came to an outcome or waits (queued and running are not). */
export interface SettledRun {
  kind: RunKind;
  status: RunStatus;
  stats: Record<string, unknown> | null;
}

const HOUR_MS = 60 * 60 * 1000;

/** The rules above in a paragraph, for the API documentation; built from the same limits. */
export const HEALTH_RULES = [
  'Health is the worst of what follows, and `healthReason` names each part that is not ok.',
  `The last successful backup: a warning after ${BACKUP_AGE_LIMITS.warningAfterHours} h, critical after ${BACKUP_AGE_LIMITS.criticalAfterHours} h.`,
  `For a repository with backups, the last check: a warning after ${CHECK_AGE_LIMITS.warningAfterHours / 24} days or when it was never checked, critical after ${CHECK_AGE_LIMITS.criticalAfterHours / 24} days.`,
  'The latest run of each kind with an outcome, skipped runs passed over (backup for a plan; backup, check, prune and compact for a repository): critical when it failed or its check found problems, a warning while it waits.',
  'Unknown when there is no backup yet and, for a plan, it never ran.',
].join(' ');

const SEVERITY: Record<Health, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** One observation; the worst of them decides, and their reasons explain. */
interface Finding {
  health: Health;
  reason: string;
  needsAttention?: boolean;
}

/**
 * A repository's health: the age of its newest archive and of its last check against their
 * limits, and the latest outcome of each kind of run that looks after it. A repository with
 * backups but no check yet is a warning: nobody knows whether the archives can be read back.
 */
export function assessRepositoryHealth(
  repository: {
    lastArchiveAt: Date | null;
    lastCheckAt: Date | null;
    /** The latest settled run of each kind on the repository, in any order. */
    latestRuns: SettledRun[];
  },
  now = Date.now(),
): HealthAssessment {
  const findings: Finding[] = [
    ageFinding('last backup', repository.lastArchiveAt, BACKUP_AGE_LIMITS, now),
  ];
  // An empty repository has nothing to check yet; "no backup" says all there is to say.
  if (repository.lastArchiveAt) {
    findings.push(
      repository.lastCheckAt
        ? ageFinding('last check', repository.lastCheckAt, CHECK_AGE_LIMITS, now)
        : { health: 'warning', reason: 'never checked' },
    );
  }
  findings.push(...repository.latestRuns.map(runFinding));

  return summarize(findings);
}

/**
 * A plan's health: the age of its last successful backup against the limits and how its latest
 * settled backup run ended. "Unknown" only while the plan has never run.
 */
export function assessPlanHealth(
  plan: {
    lastSuccessAt: Date | null;
    /** The plan's latest settled backup run; undefined when it never ran. */
    latestRun: SettledRun | undefined;
  },
  now = Date.now(),
): HealthAssessment {
  const findings: Finding[] = [];
  if (plan.lastSuccessAt) {
    findings.push(ageFinding('last backup', plan.lastSuccessAt, BACKUP_AGE_LIMITS, now));
  } else if (!plan.latestRun) {
    findings.push({ health: 'unknown', reason: 'never run' });
  } else {
    findings.push({ health: 'warning', reason: 'no successful backup yet' });
  }
  if (plan.latestRun) findings.push(runFinding(plan.latestRun));

  return summarize(findings);
}

function ageFinding(what: string, at: Date | null, limits: AgeLimits, now: number): Finding {
  if (!at) return { health: 'unknown', reason: `no ${what.replace(/^last /, '')} yet` };
  const ageMs = Math.max(0, now - at.getTime());
  const happened = `${what} ${describeDuration(ageMs)} ago`;
  if (ageMs < limits.warningAfterHours * HOUR_MS) return { health: 'ok', reason: happened };
  const isCritical = ageMs >= limits.criticalAfterHours * HOUR_MS;
  const limitHours = isCritical ? limits.criticalAfterHours : limits.warningAfterHours;

  return {
    health: isCritical ? 'critical' : 'warning',
    reason: `${happened}, over the limit of ${describeDuration(limitHours * HOUR_MS)}`,
  };
}

function runFinding(run: SettledRun): Finding {
  if (run.status === 'failed') {
    return { health: 'critical', reason: `last ${run.kind} failed`, needsAttention: true };
  }
  if (hasCheckProblems(run.kind, run.stats ?? undefined)) {
    return { health: 'critical', reason: 'last check found problems', needsAttention: true };
  }
  if (run.status === 'waiting') {
    return { health: 'warning', reason: `a ${run.kind} is waiting`, needsAttention: true };
  }
  // Succeeded, finished with borg's warnings (files changed while read, say) or canceled: none of
  // these says the data is at risk, so the ages decide. Skipped runs never get here.
  return { health: 'ok', reason: '' };
}

/** The worst finding decides; every finding as bad as "unknown" or worse gives its reason. */
function summarize(findings: Finding[]): HealthAssessment {
  const health = findings.reduce<Health>(
    (worst, finding) => (SEVERITY[finding.health] > SEVERITY[worst] ? finding.health : worst),
    'ok',
  );
  const explaining = findings
    .filter((finding) => finding.reason && (health === 'ok' || finding.health !== 'ok'))
    .sort((a, b) => SEVERITY[b.health] - SEVERITY[a.health]);
  const reason = explaining.map((finding) => finding.reason).join('; ');

  return {
    health,
    reason: reason.charAt(0).toUpperCase() + reason.slice(1),
    needsAttention: findings.some((finding) => finding.needsAttention === true),
  };
}

/** "12 min", "80 h", "9 days": hours up to four days, so "over the limit of 72 h" compares. */
function describeDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(ms / HOUR_MS);
  if (hours < 96) return `${hours} h`;
  const days = Math.floor(hours / 24);

  return `${days} days`;
}
