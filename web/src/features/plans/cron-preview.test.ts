import { describe, expect, it } from 'vitest';
import { formatInTimeZone, isValidTimeZone, previewCron, timeZoneOptions } from './cron-preview';

const FROM = new Date('2024-03-09T12:00:00Z');

describe('previewCron', () => {
  it('describes a nightly schedule in plain words', () => {
    const preview = previewCron('30 2 * * *', 'UTC', 5, FROM);
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.description).toBe('At 02:30');
  });

  it('lists the next five runs in the chosen time zone', () => {
    const preview = previewCron('30 2 * * *', 'Europe/Berlin', 5, FROM);
    if (!preview.ok) throw new Error(preview.error);
    expect(preview.nextRuns.map((date) => date.toISOString())).toEqual([
      '2024-03-10T01:30:00.000Z',
      '2024-03-11T01:30:00.000Z',
      '2024-03-12T01:30:00.000Z',
      '2024-03-13T01:30:00.000Z',
      '2024-03-14T01:30:00.000Z',
    ]);
  });

  it('follows the zone across a daylight-saving change', () => {
    // New York moves to summer time on 2024-03-10: 03:00 local is 08:00 UTC before, 07:00 after.
    const from = new Date('2024-03-08T12:00:00Z');
    const preview = previewCron('0 3 * * *', 'America/New_York', 3, from);
    if (!preview.ok) throw new Error(preview.error);
    expect(preview.nextRuns.map((date) => date.toISOString())).toEqual([
      '2024-03-09T08:00:00.000Z',
      '2024-03-10T07:00:00.000Z',
      '2024-03-11T07:00:00.000Z',
    ]);
    expect(formatInTimeZone(preview.nextRuns[1], 'America/New_York')).toMatch(/03:00/);
  });

  it('explains a wrong number of fields', () => {
    const preview = previewCron('30 2 * *', 'UTC', 5, FROM);
    expect(preview).toEqual({
      ok: false,
      error: expect.stringContaining('five fields') as unknown,
    });
    if (!preview.ok) expect(preview.error).toContain('this one has 4');
  });

  it('turns an out-of-range value into a readable sentence', () => {
    const preview = previewCron('61 2 * * *', 'UTC', 5, FROM);
    expect(preview.ok).toBe(false);
    if (preview.ok) return;
    expect(preview.error).toMatch(/^This schedule is not valid: .+\.$/);
    expect(preview.error).not.toMatch(/Error:/);
  });

  it('rejects an unknown time zone', () => {
    const preview = previewCron('0 * * * *', 'Mars/Olympus', 5, FROM);
    expect(preview).toEqual({ ok: false, error: '"Mars/Olympus" is not a known time zone.' });
  });

  it('asks for a schedule when the field is empty', () => {
    const preview = previewCron('  ', 'UTC', 5, FROM);
    expect(preview.ok).toBe(false);
  });
});

describe('timeZoneOptions', () => {
  it('offers UTC first and known IANA zones after it', () => {
    const zones = timeZoneOptions();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Berlin');
    expect(zones.filter((zone) => zone === 'UTC')).toHaveLength(1);
    expect(isValidTimeZone('Asia/Tokyo')).toBe(true);
  });
});
