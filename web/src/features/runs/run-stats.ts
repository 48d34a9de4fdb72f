import { formatBytes, formatCount, formatDuration } from '../../utils/format';

export interface RunStatEntry {
  key: string;
  label: string;
  value: string;
}

/** Labels people read for the figures a run reports; any other key gets a label made from it. */
const LABELS: Record<string, string> = {
  archive: 'Archive',
  files: 'Files',
  originalBytes: 'Original size',
  compressedBytes: 'Compressed size',
  deduplicatedBytes: 'New data stored',
  durationSeconds: 'Borg time',
  target: 'Restored into',
  paths: 'Paths',
  existed: 'Archive existed',
  isHealthy: 'Healthy',
  isPartial: 'Partial check',
  dryRun: 'Dry run',
  kept: 'Archives kept',
  dataReencrypted: 'Archived data re-encrypted',
  completedEarlierRotation: 'Finished an earlier rotation',
  oldKeyId: 'Old SSH key',
  newKeyId: 'New SSH key',
  newFingerprint: 'New key fingerprint',
  oldKeyRevoked: 'Old key removed from the server',
  oldKeySharedWith: 'Old key still used by',
  oldKeyRetired: 'Old key retired',
};

/** Lists the run page shows in sections of their own. */
const SHOWN_ELSEWHERE = new Set(['pruned', 'warnings', 'problems', 'checkProblems']);

/** The run's stats as labelled, formatted lines, in the order the run reported them. */
export function describeRunStats(
  stats: Record<string, unknown> | null | undefined,
): RunStatEntry[] {
  return Object.entries(stats ?? {}).flatMap(([key, value]) => {
    if (SHOWN_ELSEWHERE.has(key)) return [];
    const formatted = formatStat(key, value);
    return formatted === undefined
      ? []
      : [{ key, label: LABELS[key] ?? labelOf(key), value: formatted }];
  });
}

function formatStat(key: string, value: unknown): string | undefined {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (key.endsWith('Bytes')) return formatBytes(value);
    if (key.endsWith('Seconds')) return formatDuration(value);
    return formatCount(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((item) => typeof item === 'string')) return value.join(', ');
    return formatCount(value.length);
  }
  return undefined;
}

/** `oldKeySharedWith` → "Old key shared with". */
function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface RunNotice {
  message: string;
  path?: string;
}

/** What borg warned about during the run and what a check found, each with its file if known. */
export function runNotices(stats: Record<string, unknown> | null | undefined): RunNotice[] {
  return ['warnings', 'problems', 'checkProblems'].flatMap((key) => {
    const items = stats?.[key];
    if (!Array.isArray(items)) return [];
    return items.flatMap((item: unknown) => {
      if (typeof item === 'string') return [{ message: item }];
      const { message, path } = (item ?? {}) as { message?: unknown; path?: unknown };
      if (typeof message !== 'string') return [];
      return [typeof path === 'string' ? { message, path } : { message }];
    });
  });
}
