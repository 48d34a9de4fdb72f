import type { RunProgress } from '../../api/types';
import { formatBytes, formatCount, formatDuration } from '../../utils/format';

export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (!bytesPerSecond || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Unknown or zero ETA stays unknown: borg only knows it when the total size is known. */
export function formatEta(etaSeconds: number | null | undefined): string {
  if (etaSeconds === null || etaSeconds === undefined || !Number.isFinite(etaSeconds)) {
    return 'unknown';
  }
  if (etaSeconds <= 0) return 'almost done';
  return `about ${formatDuration(etaSeconds)} left`;
}

/** Clamped to 0–100 with one decimal; `null` when the run does not know its total. */
export function clampPercent(percent: number | null | undefined): number | null {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return null;
  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}

export function formatPercent(percent: number | null | undefined): string {
  const value = clampPercent(percent);
  return value === null ? '—' : `${value.toFixed(1)} %`;
}

export interface ProgressSummary {
  percent: number | null;
  processed: string;
  deduplicated: string;
  files: string;
  rate: string;
  eta: string;
}

export function summarizeProgress(progress: RunProgress | null | undefined): ProgressSummary {
  return {
    percent: clampPercent(progress?.percent),
    processed: formatBytes(progress?.originalBytes ?? 0),
    deduplicated: formatBytes(progress?.deduplicatedBytes ?? 0),
    files: formatCount(progress?.files ?? 0),
    rate: formatRate(progress?.bytesPerSecond),
    eta: formatEta(progress?.etaSeconds),
  };
}
