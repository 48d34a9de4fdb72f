import { describe, expect, it } from 'vitest';
import { can, navEntriesFor } from './permissions';

describe('can', () => {
  it('lets a viewer browse archives but change nothing', () => {
    expect(can('viewer', 'archives.browse')).toBe(true);
    expect(can('viewer', 'tokens.own')).toBe(true);
    for (const permission of [
      'runs.control',
      'restore',
      'maintenance',
      'archives.download',
      'plans.manage',
      'users.manage',
    ] as const) {
      expect(can('viewer', permission)).toBe(false);
    }
  });

  it('lets an operator run, restore and maintain but not touch secrets or users', () => {
    expect(can('operator', 'runs.control')).toBe(true);
    expect(can('operator', 'restore')).toBe(true);
    expect(can('operator', 'maintenance')).toBe(true);
    expect(can('operator', 'keys.export')).toBe(false);
    expect(can('operator', 'keys.rotate')).toBe(false);
    expect(can('operator', 'sshKeys.manage')).toBe(false);
    expect(can('operator', 'users.manage')).toBe(false);
    expect(can('operator', 'audit.view')).toBe(false);
  });

  it('lets an admin do everything and nobody signed out do anything', () => {
    expect(can('admin', 'users.manage')).toBe(true);
    expect(can('admin', 'keys.export')).toBe(true);
    expect(can(null, 'archives.browse')).toBe(false);
  });
});

describe('navEntriesFor', () => {
  it('hides users and audit from everyone but admins', () => {
    const keys = (role: 'viewer' | 'operator' | 'admin') =>
      navEntriesFor(role).map((entry) => entry.key);
    expect(keys('viewer')).not.toContain('users');
    expect(keys('operator')).not.toContain('audit');
    expect(keys('admin')).toEqual(expect.arrayContaining(['users', 'audit', 'tokens']));
  });
});
