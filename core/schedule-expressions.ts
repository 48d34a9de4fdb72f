import { CronExpressionParser } from 'cron-parser';

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];

/**
 * What is wrong with a schedule a person typed, in words; undefined when it is fine. Accepts a
 * five-field cron or a macro, as Temporal schedules do, in a time zone both sides know.
 */
export function scheduleProblem(cron: string, timezone: string): string | undefined {
  const trimmed = cron.trim();
  const isMacro = CRON_MACROS.includes(trimmed);
  if (!isMacro && trimmed.split(/\s+/).length !== 5) {
    return 'cron needs five fields (minute hour day-of-month month day-of-week) or a macro like @daily';
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `unknown time zone ${timezone}; use an IANA name such as Europe/Berlin`;
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: timezone });
  } catch (error) {
    return `invalid cron expression: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * Temporal refuses a few crons cron-parser accepts (`0 0 L * *`); the SDK turns its "invalid
 * schedule spec" answer into a TypeError. That is the caller's input, not a server fault.
 */
export function isRefusedScheduleSpec(error: unknown): error is TypeError {
  return error instanceof TypeError;
}
