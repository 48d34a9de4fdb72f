import type { Role } from '../../api/types';

/** Everything the UI shows or hides by role. The server enforces the same rules on its own. */
export type Permission =
  | 'archives.browse'
  | 'archives.download'
  | 'runs.control'
  | 'restore'
  | 'maintenance'
  | 'repositories.manage'
  | 'plans.manage'
  | 'keys.rotate'
  | 'keys.export'
  | 'sshKeys.manage'
  | 'notifications.manage'
  | 'users.manage'
  | 'tokens.own'
  | 'audit.view';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

const MINIMUM_ROLE: Record<Permission, Role> = {
  'archives.browse': 'viewer',
  'tokens.own': 'viewer',
  // Downloading hands out backed-up content, which is closer to a restore than to browsing.
  'archives.download': 'operator',
  'runs.control': 'operator',
  restore: 'operator',
  maintenance: 'operator',
  // Anything that creates, reads or replaces a secret (passphrases, keys, webhook URLs) or
  // changes what gets backed up stays with admins.
  'repositories.manage': 'admin',
  'plans.manage': 'admin',
  'keys.rotate': 'admin',
  'keys.export': 'admin',
  'sshKeys.manage': 'admin',
  'notifications.manage': 'admin',
  'users.manage': 'admin',
  'audit.view': 'admin',
};

export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false;
  return RANK[role] >= RANK[MINIMUM_ROLE[permission]];
}

export interface NavEntry {
  key: string;
  label: string;
  path: string;
  /** Hidden from the menu for roles without this permission. */
  requires?: Permission;
}

export const NAV_ENTRIES: NavEntry[] = [
  { key: 'dashboard', label: 'Dashboard', path: '/' },
  { key: 'repositories', label: 'Repositories', path: '/repositories' },
  { key: 'plans', label: 'Plans', path: '/plans' },
  { key: 'runs', label: 'Runs', path: '/runs' },
  { key: 'ssh-keys', label: 'SSH keys', path: '/ssh-keys' },
  { key: 'notifications', label: 'Notifications', path: '/notifications' },
  { key: 'tokens', label: 'API tokens', path: '/tokens', requires: 'tokens.own' },
  { key: 'users', label: 'Users', path: '/users', requires: 'users.manage' },
  { key: 'audit', label: 'Audit log', path: '/audit', requires: 'audit.view' },
  { key: 'about', label: 'About', path: '/about' },
];

export function navEntriesFor(role: Role | null | undefined): NavEntry[] {
  return NAV_ENTRIES.filter((entry) => !entry.requires || can(role, entry.requires));
}
