import { describe, expect, it } from 'vitest';
import { classifyAge, classifyHealth, sortByAttention, BACKUP_THRESHOLDS } from './health';

const NOW = new Date('2024-06-01T12:00:00Z').getTime();
const hoursAgo = (hours: number) => new Date(NOW - hours * 3_600_000).toISOString();

describe('classifyAge', () => {
  it('is ok under 26 hours, a warning under 72 and critical beyond', () => {
    expect(classifyAge(hoursAgo(1), BACKUP_THRESHOLDS, NOW)).toBe('ok');
    expect(classifyAge(hoursAgo(25.9), BACKUP_THRESHOLDS, NOW)).toBe('ok');
    expect(classifyAge(hoursAgo(26), BACKUP_THRESHOLDS, NOW)).toBe('warning');
    expect(classifyAge(hoursAgo(71.9), BACKUP_THRESHOLDS, NOW)).toBe('warning');
    expect(classifyAge(hoursAgo(72), BACKUP_THRESHOLDS, NOW)).toBe('critical');
  });

  it('is unknown without a date', () => {
    expect(classifyAge(null, BACKUP_THRESHOLDS, NOW)).toBe('unknown');
    expect(classifyAge('not a date', BACKUP_THRESHOLDS, NOW)).toBe('unknown');
  });
});

describe('classifyHealth', () => {
  it('takes the worse of backup age and check age', () => {
    expect(classifyHealth({ lastSuccessAt: hoursAgo(2), lastCheckAt: hoursAgo(24) }, NOW)).toBe(
      'ok',
    );
    expect(
      classifyHealth({ lastSuccessAt: hoursAgo(2), lastCheckAt: hoursAgo(24 * 40) }, NOW),
    ).toBe('critical');
    expect(classifyHealth({ lastSuccessAt: hoursAgo(30), lastCheckAt: hoursAgo(1) }, NOW)).toBe(
      'warning',
    );
  });

  it('is unknown for something never backed up', () => {
    expect(classifyHealth({ lastSuccessAt: null }, NOW)).toBe('unknown');
  });
});

describe('sortByAttention', () => {
  it('puts what needs a person first, then the worst health, then by name', () => {
    const sorted = sortByAttention([
      { name: 'b-ok', health: 'ok' as const, needsAttention: false },
      { name: 'a-critical', health: 'critical' as const, needsAttention: false },
      { name: 'z-waiting', health: 'warning' as const, needsAttention: true },
      { name: 'a-ok', health: 'ok' as const, needsAttention: false },
      { name: 'y-failed', health: 'critical' as const, needsAttention: true },
      { name: 'c-unchecked', health: 'warning' as const, needsAttention: false },
    ]);
    expect(sorted.map((item) => item.name)).toEqual([
      'y-failed',
      'z-waiting',
      'a-critical',
      'c-unchecked',
      'a-ok',
      'b-ok',
    ]);
  });
});
