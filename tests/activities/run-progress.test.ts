import { describe, expect, it } from 'vitest';
import { estimatedPercent, estimateSecondsLeft } from '../../activities/run-progress';

describe('estimateSecondsLeft', () => {
  it('extrapolates the pace percent kept since it was first seen', () => {
    // 10 % → 30 % in 20 s: 1 % a second, so 70 % take 70 s.
    expect(estimateSecondsLeft({ atMs: 0, percent: 10 }, { atMs: 20_000, percent: 30 })).toBe(70);
  });

  it('promises nothing in the first seconds of a step', () => {
    expect(estimateSecondsLeft({ atMs: 0, percent: 0 }, { atMs: 4_000, percent: 50 })).toBe(
      undefined,
    );
  });

  it('promises nothing while percent does not grow', () => {
    expect(estimateSecondsLeft({ atMs: 0, percent: 40 }, { atMs: 60_000, percent: 40 })).toBe(
      undefined,
    );
  });

  it('says zero once the step reached 100 %', () => {
    expect(estimateSecondsLeft({ atMs: 0, percent: 0 }, { atMs: 9_000, percent: 100 })).toBe(0);
  });
});

describe('estimatedPercent', () => {
  it('compares what borg read with the size of the last backup', () => {
    expect(estimatedPercent(250, 1000)).toBe(25);
  });

  it('stays below 100 % until borg says it is done, even when the sources grew', () => {
    expect(estimatedPercent(1500, 1000)).toBe(99);
  });
});
