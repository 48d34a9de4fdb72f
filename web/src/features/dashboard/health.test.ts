import { describe, expect, it } from 'vitest';
import { sortByAttention } from './health';

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
