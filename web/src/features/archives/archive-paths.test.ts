import { describe, expect, it } from 'vitest';
import { breadcrumbs, collapseSelection, parentPath } from './archive-paths';

describe('breadcrumbs', () => {
  it('starts at the archive root and builds each parent path', () => {
    expect(breadcrumbs('/home/alice/docs/')).toEqual([
      { label: 'Archive root', path: '' },
      { label: 'home', path: 'home' },
      { label: 'alice', path: 'home/alice' },
      { label: 'docs', path: 'home/alice/docs' },
    ]);
  });
});

describe('parentPath', () => {
  it('goes one level up and stops at the root', () => {
    expect(parentPath('home/alice')).toBe('home');
    expect(parentPath('home')).toBe('');
  });
});

describe('collapseSelection', () => {
  it('drops paths inside a selected folder and duplicates', () => {
    expect(
      collapseSelection(['home/alice/a.txt', 'home/alice', 'etc/hosts', 'home/alice', 'home/al']),
    ).toEqual(['etc/hosts', 'home/al', 'home/alice']);
  });
});
