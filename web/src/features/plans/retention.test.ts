import { describe, expect, it } from 'vitest';
import {
  describeRetention,
  isValidKeepWithin,
  normalizeRetention,
  presetOf,
  retentionFor,
} from './retention';

describe('retentionFor', () => {
  it('maps the standard preset to 7 daily, 4 weekly, 6 monthly', () => {
    expect(retentionFor('standard')).toEqual({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 });
  });

  it('maps the long preset to 14 daily, 8 weekly, 12 monthly, 3 yearly', () => {
    expect(retentionFor('long')).toEqual({
      keepDaily: 14,
      keepWeekly: 8,
      keepMonthly: 12,
      keepYearly: 3,
    });
  });

  it('returns a copy, so editing the result leaves the preset alone', () => {
    const first = retentionFor('standard');
    first.keepDaily = 99;
    expect(retentionFor('standard').keepDaily).toBe(7);
  });

  it('keeps only positive whole numbers and a valid interval for custom values', () => {
    expect(
      retentionFor('custom', {
        keepLast: 0,
        keepHourly: 24,
        keepDaily: '5',
        keepWeekly: -1,
        keepMonthly: 1.5,
        keepYearly: null,
        keepWithin: ' 2d ',
      }),
    ).toEqual({ keepHourly: 24, keepDaily: 5, keepWithin: '2d' });
  });

  it('drops an interval borg would reject', () => {
    expect(normalizeRetention({ keepWithin: '2 days' })).toEqual({});
    expect(isValidKeepWithin('12H')).toBe(true);
    expect(isValidKeepWithin('0d')).toBe(false);
  });
});

describe('presetOf', () => {
  it('recognises a preset regardless of key order', () => {
    expect(presetOf({ keepMonthly: 6, keepDaily: 7, keepWeekly: 4 })).toBe('standard');
  });

  it('calls anything else custom', () => {
    expect(presetOf({ keepDaily: 7, keepWeekly: 4 })).toBe('custom');
    expect(presetOf(null)).toBe('custom');
  });
});

describe('describeRetention', () => {
  it('reads as a sentence', () => {
    expect(describeRetention({ keepWithin: '1d', keepDaily: 7 })).toBe(
      'Keep all within 1d, 7 daily',
    );
    expect(describeRetention({})).toBe('Keep everything');
  });
});
