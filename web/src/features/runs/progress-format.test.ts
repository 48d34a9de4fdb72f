import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../utils/format';
import {
  clampPercent,
  formatEta,
  formatPercent,
  formatRate,
  summarizeProgress,
} from './progress-format';

describe('formatBytes', () => {
  it('uses decimal units as borg does', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(1_536_000)).toBe('1.54 MB');
    expect(formatBytes(12_345_678_901)).toBe('12.3 GB');
    expect(formatBytes(250e12)).toBe('250 TB');
  });

  it('shows a dash for missing values and keeps the sign of a shrink', () => {
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(-2000)).toBe('-2.00 kB');
  });
});

describe('formatRate', () => {
  it('adds per second to a byte count', () => {
    expect(formatRate(52_400_000)).toBe('52.4 MB/s');
  });

  it('shows a dash when nothing moves', () => {
    expect(formatRate(0)).toBe('—');
    expect(formatRate(null)).toBe('—');
  });
});

describe('formatEta', () => {
  it('rounds to readable units', () => {
    expect(formatEta(42)).toBe('about 42 s left');
    expect(formatEta(125)).toBe('about 2 min 5 s left');
    expect(formatEta(3 * 3600 + 20 * 60)).toBe('about 3 h 20 min left');
    expect(formatEta(3 * 86_400 + 7200)).toBe('about 3 d 2 h left');
  });

  it('says when the ETA is unknown or nearly reached', () => {
    expect(formatEta(undefined)).toBe('unknown');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('unknown');
    expect(formatEta(0)).toBe('almost done');
  });
});

describe('formatPercent', () => {
  it('clamps to 0–100 with one decimal', () => {
    expect(clampPercent(-3)).toBe(0);
    expect(clampPercent(104)).toBe(100);
    expect(clampPercent(33.333)).toBe(33.3);
    expect(formatPercent(12.34)).toBe('12.3 %');
  });

  it('keeps an unknown total unknown', () => {
    expect(clampPercent(undefined)).toBeNull();
    expect(formatPercent(null)).toBe('—');
  });
});

describe('summarizeProgress', () => {
  it('formats every figure of a running backup', () => {
    expect(
      summarizeProgress({
        originalBytes: 2_000_000_000,
        compressedBytes: 1_000_000_000,
        deduplicatedBytes: 10_000_000,
        files: 12_345,
        currentPath: '/home/a',
        bytesPerSecond: 100_000_000,
        percent: 40,
        etaSeconds: 30,
      }),
    ).toEqual({
      percent: 40,
      processed: '2.00 GB',
      deduplicated: '10.0 MB',
      files: new Intl.NumberFormat().format(12_345),
      rate: '100 MB/s',
      eta: 'about 30 s left',
    });
  });

  it('copes with a run that has no progress yet', () => {
    expect(summarizeProgress(null)).toMatchObject({ percent: null, processed: '0 B', rate: '—' });
  });
});
