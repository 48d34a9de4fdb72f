import type { Retention } from '../../api/types';

export type RetentionPresetId = 'standard' | 'long' | 'short' | 'custom';

export interface RetentionPreset {
  id: Exclude<RetentionPresetId, 'custom'>;
  label: string;
  retention: Retention;
}

export const RETENTION_PRESETS: RetentionPreset[] = [
  {
    id: 'standard',
    label: 'Standard: 7 daily, 4 weekly, 6 monthly',
    retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
  },
  {
    id: 'long',
    label: 'Long: 14 daily, 8 weekly, 12 monthly, 3 yearly',
    retention: { keepDaily: 14, keepWeekly: 8, keepMonthly: 12, keepYearly: 3 },
  },
  {
    id: 'short',
    label: 'Short: 24 hourly, 7 daily',
    retention: { keepHourly: 24, keepDaily: 7 },
  },
];

export const RETENTION_COUNT_KEYS = [
  'keepLast',
  'keepHourly',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'keepYearly',
] as const;

export type RetentionCountKey = (typeof RETENTION_COUNT_KEYS)[number];

export const RETENTION_LABELS: Record<RetentionCountKey | 'keepWithin', string> = {
  keepWithin: 'Keep everything within',
  keepLast: 'Last archives',
  keepHourly: 'Hourly',
  keepDaily: 'Daily',
  keepWeekly: 'Weekly',
  keepMonthly: 'Monthly',
  keepYearly: 'Yearly',
};

/** borg's interval syntax: a number and one of H, d, w, m, y. */
const WITHIN_PATTERN = /^[1-9]\d*[Hdwmy]$/;

export function isValidKeepWithin(value: string): boolean {
  return WITHIN_PATTERN.test(value.trim());
}

/** Drops empty and zero entries so the request carries only rules that keep something. */
export function normalizeRetention(values: Partial<Record<keyof Retention, unknown>>): Retention {
  const retention: Retention = {};
  for (const key of RETENTION_COUNT_KEYS) {
    const raw = values[key];
    const count = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof count === 'number' && Number.isInteger(count) && count > 0) retention[key] = count;
  }
  const within = typeof values.keepWithin === 'string' ? values.keepWithin.trim() : '';
  if (within && isValidKeepWithin(within)) retention.keepWithin = within;
  return retention;
}

export function retentionFor(
  presetId: RetentionPresetId,
  custom: Partial<Record<keyof Retention, unknown>> = {},
): Retention {
  if (presetId === 'custom') return normalizeRetention(custom);
  const preset = RETENTION_PRESETS.find((candidate) => candidate.id === presetId);
  if (!preset) throw new Error(`Unknown retention preset "${presetId}".`);
  return { ...preset.retention };
}

/** Which preset an existing plan's retention matches, so editing shows the right choice. */
export function presetOf(retention: Retention | null | undefined): RetentionPresetId {
  const normalized = normalizeRetention(retention ?? {});
  const match = RETENTION_PRESETS.find((preset) => sameRetention(preset.retention, normalized));
  return match?.id ?? 'custom';
}

function sameRetention(a: Retention, b: Retention): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Retention)[]);
  return [...keys].every((key) => a[key] === b[key]);
}

export function isEmptyRetention(retention: Retention): boolean {
  return Object.keys(retention).length === 0;
}

export function describeRetention(retention: Retention | null | undefined): string {
  const normalized = normalizeRetention(retention ?? {});
  const parts: string[] = [];
  if (normalized.keepWithin) parts.push(`all within ${normalized.keepWithin}`);
  for (const key of RETENTION_COUNT_KEYS) {
    const count = normalized[key];
    if (count) parts.push(`${count} ${RETENTION_LABELS[key].toLowerCase()}`);
  }
  return parts.length ? `Keep ${parts.join(', ')}` : 'Keep everything';
}
