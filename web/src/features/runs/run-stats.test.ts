import { describe, expect, it } from 'vitest';
import { describeRunStats, runNotices } from './run-stats';

describe('describeRunStats', () => {
  it('labels a backup’s figures and formats sizes and counts', () => {
    const entries = describeRunStats({
      archive: 'documents-2026-12-04T10:00:00',
      files: 12345,
      originalBytes: 262_840,
      deduplicatedBytes: 1_500_000_000,
    });

    expect(entries.map(({ label, value }) => [label, value])).toEqual([
      ['Archive', 'documents-2026-12-04T10:00:00'],
      ['Files', new Intl.NumberFormat().format(12345)],
      ['Original size', '263 kB'],
      ['New data stored', '1.50 GB'],
    ]);
  });

  it('says yes or no for flags and lists short string lists', () => {
    const entries = describeRunStats({ isHealthy: false, paths: ['etc', 'home/ann'] });

    expect(entries).toEqual([
      { key: 'isHealthy', label: 'Healthy', value: 'no' },
      { key: 'paths', label: 'Paths', value: 'etc, home/ann' },
    ]);
  });

  it('leaves out what the page shows in its own section and values it cannot print', () => {
    const entries = describeRunStats({
      pruned: ['a', 'b'],
      warnings: [{ message: 'x' }],
      nested: { deep: true },
    });

    expect(entries).toEqual([]);
  });

  it('makes a label from a key it does not know', () => {
    expect(describeRunStats({ bytesSkippedOnPurpose: 2000 })).toEqual([
      {
        key: 'bytesSkippedOnPurpose',
        label: 'Bytes skipped on purpose',
        value: new Intl.NumberFormat().format(2000),
      },
    ]);
  });
});

describe('runNotices', () => {
  it('gathers borg’s warnings and a check’s problems, keeping the file they name', () => {
    const notices = runNotices({
      warnings: [{ message: 'permission denied', path: '/srv/secret' }],
      checkProblems: ['index mismatch', { nonsense: 1 }],
    });

    expect(notices).toEqual([
      { message: 'permission denied', path: '/srv/secret' },
      { message: 'index mismatch' },
    ]);
  });
});
