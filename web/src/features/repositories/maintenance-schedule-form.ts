import type {
  CheckScheduleOptions,
  MaintenanceKind,
  MaintenanceSchedule,
  MaintenanceScheduleInput,
  PruneScheduleOptions,
} from '../../api/maintenance-schedules';
import type { Retention } from '../../api/types';
import { browserTimeZone, isValidTimeZone, previewCron } from '../plans/cron-preview';
import { RETENTION_PRESETS, describeRetention, isEmptyRetention } from '../plans/retention';

export type CheckScope = 'both' | 'repository' | 'archives';

/** The editable shape of a schedule: minutes where people think in minutes. */
export interface MaintenanceScheduleForm {
  kind: MaintenanceKind;
  cron: string;
  timezone: string;
  jitterMinutes: number | null;
  checkScope: CheckScope;
  verifyData: boolean;
  maxDurationMinutes: number | null;
  retention: Retention;
  globArchives: string;
  compact: boolean;
}

export const CHECK_SCOPE_OPTIONS: { label: string; value: CheckScope }[] = [
  { label: 'Repository and archives (full check)', value: 'both' },
  { label: 'Repository only (segments and index)', value: 'repository' },
  { label: 'Archives only (metadata)', value: 'archives' },
];

// Weekly checks and daily prunes in the small hours, after the usual nightly backups.
const DEFAULT_CRON: Record<MaintenanceKind, string> = {
  check: '0 4 * * 0',
  prune: '30 5 * * *',
};

export function emptyScheduleForm(kind: MaintenanceKind): MaintenanceScheduleForm {
  return {
    kind,
    cron: DEFAULT_CRON[kind],
    timezone: browserTimeZone(),
    jitterMinutes: null,
    checkScope: 'both',
    verifyData: false,
    maxDurationMinutes: null,
    retention: { ...RETENTION_PRESETS[0].retention },
    globArchives: '',
    compact: true,
  };
}

export function scheduleToForm(schedule: MaintenanceSchedule): MaintenanceScheduleForm {
  const form = emptyScheduleForm(schedule.kind);
  const jitterMinutes = schedule.jitterSeconds ? Math.round(schedule.jitterSeconds / 60) : null;
  const base = { ...form, cron: schedule.cron, timezone: schedule.timezone, jitterMinutes };
  if (schedule.kind === 'prune') {
    const options = schedule.options as PruneScheduleOptions;
    return {
      ...base,
      retention: { ...options.retention },
      globArchives: options.globArchives ?? '',
      compact: options.compact ?? true,
    };
  }
  const options = schedule.options as CheckScheduleOptions;
  return {
    ...base,
    checkScope: options.repositoryOnly ? 'repository' : options.archivesOnly ? 'archives' : 'both',
    verifyData: options.verifyData ?? false,
    maxDurationMinutes: options.maxDurationSeconds
      ? Math.round(options.maxDurationSeconds / 60)
      : null,
  };
}

/** The request body; only options that differ from borg's defaults are sent. */
export function formToScheduleInput(form: MaintenanceScheduleForm): MaintenanceScheduleInput {
  return {
    cron: form.cron.trim().replace(/\s+/g, ' '),
    timezone: form.timezone.trim(),
    jitterSeconds: form.jitterMinutes ? form.jitterMinutes * 60 : null,
    options: form.kind === 'prune' ? pruneOptionsOf(form) : checkOptionsOf(form),
  };
}

function checkOptionsOf(form: MaintenanceScheduleForm): CheckScheduleOptions {
  // A time limit applies to the repository part only; borg verifies data in the archives part.
  const isLimited = form.checkScope === 'repository' && Boolean(form.maxDurationMinutes);
  return {
    ...(form.checkScope === 'repository' ? { repositoryOnly: true } : {}),
    ...(form.checkScope === 'archives' ? { archivesOnly: true } : {}),
    ...(form.verifyData && form.checkScope !== 'repository' ? { verifyData: true } : {}),
    ...(isLimited ? { maxDurationSeconds: (form.maxDurationMinutes ?? 0) * 60 } : {}),
  };
}

function pruneOptionsOf(form: MaintenanceScheduleForm): PruneScheduleOptions {
  const glob = form.globArchives.trim();
  return {
    retention: { ...form.retention },
    ...(glob ? { globArchives: glob } : {}),
    ...(form.compact ? {} : { compact: false }),
  };
}

/** Every reason the form cannot be saved yet, keyed by field, in the order the fields appear. */
export function scheduleFormProblems(form: MaintenanceScheduleForm): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!isValidTimeZone(form.timezone.trim())) {
    problems.timezone = 'Choose a time zone from the list, e.g. Europe/Berlin or UTC.';
  }
  const preview = previewCron(form.cron, isValidTimeZone(form.timezone) ? form.timezone : 'UTC');
  if (!preview.ok) problems.cron = preview.error;
  if (form.kind === 'prune' && isEmptyRetention(form.retention)) {
    problems.retention = 'A scheduled prune needs at least one retention rule.';
  }

  return problems;
}

/** The schedule's timetable in words, or the cron itself when it cannot be described. */
export function describeTimetable(
  schedule: Pick<MaintenanceSchedule, 'cron' | 'timezone'>,
): string {
  const preview = previewCron(schedule.cron, schedule.timezone, 1);
  return preview.ok ? preview.description : schedule.cron;
}

/** What one run of the schedule does, in a short phrase. */
export function describeScheduleOptions(
  schedule: Pick<MaintenanceSchedule, 'kind' | 'options'>,
): string {
  if (schedule.kind === 'prune') {
    const options = schedule.options as PruneScheduleOptions;
    const scope = options.globArchives ? ` of archives matching ${options.globArchives}` : '';
    const compact = options.compact === false ? ', no compaction' : '';
    return `${describeRetention(options.retention)}${scope}${compact}`;
  }
  const options = schedule.options as CheckScheduleOptions;
  const scope = options.repositoryOnly
    ? 'Repository only'
    : options.archivesOnly
      ? 'Archives only'
      : 'Full check';
  const extras = [
    options.verifyData ? 'verifies all data' : null,
    options.maxDurationSeconds
      ? `stops after ${Math.round(options.maxDurationSeconds / 60)} min`
      : null,
  ].filter(Boolean);
  return extras.length ? `${scope}, ${extras.join(', ')}` : scope;
}
