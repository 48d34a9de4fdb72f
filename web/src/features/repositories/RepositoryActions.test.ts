// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Repository } from '../../api/types';
import { mountAs, testIds } from '../../testing/mount-with-providers';
import RepositoryActions from './RepositoryActions.vue';

const repository: Repository = {
  id: 'repo-1',
  name: 'nas',
  location: 'ssh://borg@nas:22/./main',
  encryption: 'repokey-blake2',
  sshKeyId: 'key-1',
  remotePath: null,
  stats: { originalSize: 1, compressedSize: 1, deduplicatedSize: 1, archiveCount: 1 },
  lastArchiveAt: null,
  lastCheckAt: null,
  createdAt: '2024-01-01T00:00:00Z',
};

const ACTIONS = [
  'repository-backup-now',
  'repository-check',
  'repository-prune',
  'repository-compact',
  'repository-rotate-key',
  'repository-rotate-ssh-key',
  'repository-export-key',
  'repository-delete',
];
const actionsShown = (ids: string[]) => ids.filter((id) => ACTIONS.includes(id));

afterEach(() => {
  document.body.innerHTML = '';
});

describe('RepositoryActions', () => {
  it('shows a viewer no action buttons', async () => {
    const wrapper = await mountAs('viewer', RepositoryActions, { repository, plans: [] });
    expect(actionsShown(testIds(wrapper))).toEqual([]);
    expect(wrapper.findAll('button')).toHaveLength(0);
  });

  it('shows an operator runs and maintenance but no key or delete actions', async () => {
    const wrapper = await mountAs('operator', RepositoryActions, { repository, plans: [] });
    expect(actionsShown(testIds(wrapper))).toEqual([
      'repository-backup-now',
      'repository-check',
      'repository-prune',
      'repository-compact',
    ]);
  });

  it('shows an admin every action', async () => {
    const wrapper = await mountAs('admin', RepositoryActions, { repository, plans: [] });
    expect(actionsShown(testIds(wrapper))).toEqual(ACTIONS);
  });

  it('offers no passphrase rotation or key export for an unencrypted repository', async () => {
    const wrapper = await mountAs('admin', RepositoryActions, {
      repository: { ...repository, encryption: 'none', sshKeyId: null },
      plans: [],
    });
    const shown = actionsShown(testIds(wrapper));
    expect(shown).not.toContain('repository-rotate-key');
    expect(shown).not.toContain('repository-export-key');
    expect(shown).not.toContain('repository-rotate-ssh-key');
  });
});
