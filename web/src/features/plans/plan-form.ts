import type { Hook, Plan, PlanInput, Retention } from '../../api/types';
import { browserTimeZone, previewCron } from './cron-preview';
import { RETENTION_PRESETS, isEmptyRetention } from './retention';

export const DEFAULT_ARCHIVE_TEMPLATE = '{hostname}-{now}';

export const COMPRESSION_OPTIONS = [
  { label: 'lz4: fast, light compression (borg default)', value: 'lz4' },
  { label: 'zstd level 3: good balance', value: 'zstd,3' },
  { label: 'zstd level 10: smaller, slower', value: 'zstd,10' },
  { label: 'auto,zstd,3: skip data that does not compress', value: 'auto,zstd,3' },
  { label: 'zlib level 6', value: 'zlib,6' },
  { label: 'lzma level 6: smallest, slowest', value: 'lzma,6' },
  { label: 'none', value: 'none' },
];

/** The editable shape of a plan; `excludesText` holds one pattern per line. */
export interface PlanForm {
  name: string;
  repositoryId: string | null;
  sources: string[];
  excludesText: string;
  compression: string;
  archiveName: string;
  isScheduled: boolean;
  cron: string;
  timezone: string;
  retention: Retention;
  pruneAfterBackup: boolean;
  compactAfterPrune: boolean;
  checkAfterBackup: boolean;
  hooks: Hook[];
  enabled: boolean;
}

export function emptyPlanForm(): PlanForm {
  return {
    name: '',
    repositoryId: null,
    sources: [],
    excludesText: '',
    compression: 'lz4',
    archiveName: DEFAULT_ARCHIVE_TEMPLATE,
    isScheduled: true,
    cron: '30 2 * * *',
    timezone: browserTimeZone(),
    retention: { ...RETENTION_PRESETS[0].retention },
    pruneAfterBackup: true,
    compactAfterPrune: true,
    checkAfterBackup: false,
    hooks: [],
    enabled: true,
  };
}

export function planToForm(plan: Plan): PlanForm {
  const empty = emptyPlanForm();
  return {
    name: plan.name,
    repositoryId: plan.repositoryId,
    sources: [...plan.sources],
    excludesText: (plan.excludes ?? []).join('\n'),
    compression: plan.compression ?? empty.compression,
    archiveName: plan.archiveName ?? empty.archiveName,
    isScheduled: Boolean(plan.schedule),
    cron: plan.schedule?.cron ?? empty.cron,
    timezone: plan.schedule?.timezone ?? empty.timezone,
    retention: plan.retention ?? {},
    pruneAfterBackup: plan.pruneAfterBackup ?? false,
    compactAfterPrune: plan.compactAfterPrune ?? false,
    checkAfterBackup: plan.checkAfterBackup ?? false,
    hooks: (plan.hooks ?? []).map((hook) => ({ ...hook })),
    enabled: plan.enabled ?? true,
  };
}

/** Every reason the form cannot be saved yet, in the order the fields appear. */
export function planFormProblems(form: PlanForm): string[] {
  const problems: string[] = [];
  if (!form.name.trim()) problems.push('Give the plan a name.');
  if (!form.repositoryId) problems.push('Choose the repository to back up into.');
  if (form.sources.length === 0) problems.push('Choose at least one folder to back up.');
  if (form.isScheduled) {
    const preview = previewCron(form.cron, form.timezone, 1);
    if (!preview.ok) problems.push(preview.error);
  }
  if (form.pruneAfterBackup && isEmptyRetention(form.retention)) {
    problems.push('Pruning after backup needs at least one retention rule.');
  }
  form.hooks.forEach((hook, index) => {
    if (!hook.name.trim() || !hook.command.trim()) {
      problems.push(`Hook ${index + 1} needs a name and a command.`);
    }
  });
  return problems;
}

export function formToPlanInput(form: PlanForm): PlanInput {
  return {
    name: form.name.trim(),
    repositoryId: form.repositoryId ?? '',
    sources: form.sources,
    excludes: form.excludesText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    compression: form.compression,
    archiveName: form.archiveName.trim() || undefined,
    schedule: form.isScheduled ? { cron: form.cron.trim(), timezone: form.timezone } : null,
    retention: isEmptyRetention(form.retention) ? null : form.retention,
    pruneAfterBackup: form.pruneAfterBackup,
    compactAfterPrune: form.pruneAfterBackup && form.compactAfterPrune,
    checkAfterBackup: form.checkAfterBackup,
    hooks: form.hooks.map((hook) => ({ ...hook, name: hook.name.trim() })),
    enabled: form.enabled,
  };
}
