// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  health: 'unknown',
  healthReason: 'No backup yet',
  needsAttention: false,
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
  vi.unstubAllGlobals();
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

  it('asks for the SSH-key rotation options, refuses a bad quota and sends the chosen ones', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ run: { id: 'rotate-ssh-key-1', kind: 'rotate-ssh-key' } }), {
          status: 202,
          headers: { 'content-type': 'application/json' },
        }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const wrapper = await mountAs('admin', RepositoryActions, { repository, plans: [] });

    await wrapper.get('[data-testid="repository-rotate-ssh-key"]').trigger('click');
    await flushPromises();
    const field = (id: string) =>
      document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input`)!;
    const submit = () =>
      document.querySelector<HTMLButtonElement>('[data-testid="rotate-ssh-submit"]')!;
    const quota = field('rotate-ssh-storage-quota');
    quota.value = '500 GB';
    quota.dispatchEvent(new Event('input'));
    await flushPromises();
    expect(submit().disabled).toBe(true);
    expect(document.body.textContent).toContain('A storage quota is a number');

    quota.value = '500G';
    quota.dispatchEvent(new Event('input'));
    document.querySelector<HTMLElement>('[data-testid="rotate-ssh-append-only"]')!.click();
    await flushPromises();
    expect(submit().disabled).toBe(false);
    submit().click();
    await flushPromises();

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toContain('/api/repositories/repo-1/rotate-ssh-key');
    expect(JSON.parse(init.body as string)).toEqual({
      authorizedKeysFile: '.ssh/authorized_keys',
      appendOnly: true,
      storageQuota: '500G',
    });
  });
});
