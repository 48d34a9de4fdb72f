export type Health = 'ok' | 'warning' | 'critical' | 'unknown';

const HOUR_MS = 60 * 60 * 1000;
/** A daily backup that ran a little late is still fine. */
const OK_WITHIN_MS = 26 * HOUR_MS;
/** Beyond three days without a backup, someone must look. */
const WARNING_WITHIN_MS = 72 * HOUR_MS;

/** How healthy a plan or repository is, by the age of its last successful backup. */
export function healthOf(lastSuccessAt: Date | null | undefined, now = Date.now()): Health {
  if (!lastSuccessAt) return 'unknown';
  const ageMs = now - lastSuccessAt.getTime();
  if (ageMs < OK_WITHIN_MS) return 'ok';
  if (ageMs < WARNING_WITHIN_MS) return 'warning';

  return 'critical';
}
