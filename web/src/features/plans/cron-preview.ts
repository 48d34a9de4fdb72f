import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';

export type CronPreview =
  { ok: true; description: string; nextRuns: Date[] } | { ok: false; error: string };

const FIELD_NAMES = 'minute, hour, day of month, month, day of week';

/**
 * Describes a five-field cron expression in words and lists its next runs in `timeZone`.
 * Problems come back as one sentence a person can act on, never as a thrown error.
 */
export function previewCron(
  expression: string,
  timeZone: string,
  count = 5,
  from: Date = new Date(),
): CronPreview {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  if (!trimmed) return { ok: false, error: `Enter a schedule with five fields: ${FIELD_NAMES}.` };
  const fields = trimmed.split(' ');
  if (fields.length !== 5) {
    return {
      ok: false,
      error: `A schedule has five fields (${FIELD_NAMES}); this one has ${fields.length}.`,
    };
  }
  if (!isValidTimeZone(timeZone)) {
    return { ok: false, error: `"${timeZone}" is not a known time zone.` };
  }

  let description: string;
  try {
    description = cronstrue.toString(trimmed, {
      throwExceptionOnParseError: true,
      use24HourTimeFormat: true,
      verbose: false,
    });
  } catch (cause) {
    return { ok: false, error: `This schedule is not valid: ${reason(cause)}` };
  }

  try {
    const parsed = CronExpressionParser.parse(trimmed, { tz: timeZone, currentDate: from });
    const nextRuns = parsed.take(count).map((date) => date.toDate());
    return { ok: true, description, nextRuns };
  } catch (cause) {
    return { ok: false, error: `This schedule is not valid: ${reason(cause)}` };
  }
}

function reason(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  const cleaned = text.replace(/^Error:\s*/i, '').trim();
  return /[.!?]$/.test(cleaned) ? cleaned : `${cleaned}.`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Every IANA zone the browser knows, with UTC first because servers often run on it. */
export function timeZoneOptions(): string[] {
  const zones =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function formatInTimeZone(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    dateStyle: undefined,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(date);
}

export const SCHEDULE_EXAMPLES = [
  { label: 'Every night at 02:30', cron: '30 2 * * *' },
  { label: 'Every hour', cron: '0 * * * *' },
  { label: 'Every 6 hours', cron: '0 */6 * * *' },
  { label: 'Sundays at 03:00', cron: '0 3 * * 0' },
];
