// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SshKey } from '../../api/types';
import { mountAs } from '../../testing/mount-with-providers';
import AuthorizedKeysLine from './AuthorizedKeysLine.vue';

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample borgflow';
const lineFor = (folder: string) =>
  `command="borg serve --restrict-to-path ${folder}",restrict ${PUBLIC_KEY}`;

const sshKey: SshKey = {
  id: '01J00000000000000000000000',
  name: 'nas',
  type: 'ed25519',
  publicKey: PUBLIC_KEY,
  fingerprint: 'SHA256:example',
  status: 'active',
  createdAt: '2024-06-01T10:00:00Z',
  authorizedKeysLine: lineFor('/path/to/repositories'),
};

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.useFakeTimers();
  // Answers like the API: the line restricted to whatever restrictToPath the request names.
  fetchMock = vi.fn((url: string) => {
    const folder = new URL(url, 'http://localhost').searchParams.get('restrictToPath');
    const body = { ...sshKey, authorizedKeysLine: lineFor(folder ?? '/path/to/repositories') };
    return Promise.resolve(
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    );
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

async function typeFolder(wrapper: Awaited<ReturnType<typeof mountAs>>, folder: string) {
  await wrapper.get('[data-testid="ssh-key-folder"] input').setValue(folder);
}

async function waitForRender() {
  await vi.advanceTimersByTimeAsync(500);
  await flushPromises();
}

const shownLine = (wrapper: Awaited<ReturnType<typeof mountAs>>) =>
  wrapper.get('[data-testid="ssh-key-authorized"]').text();
const copyButton = (wrapper: Awaited<ReturnType<typeof mountAs>>) =>
  wrapper.get('[data-testid="ssh-key-authorized-copy"]');

describe('AuthorizedKeysLine', () => {
  it('shows the placeholder line while the folder is empty, and says so', async () => {
    const wrapper = await mountAs('viewer', AuthorizedKeysLine, { sshKey });

    expect(shownLine(wrapper)).toContain('/path/to/repositories');
    expect(wrapper.text()).toContain('Repository folder on the server');
    expect(wrapper.text()).toMatch(/empty the line keeps the placeholder/);
    expect(copyButton(wrapper).attributes('disabled')).toBeUndefined();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('asks the API once for the line after typing settles, and shows it', async () => {
    const wrapper = await mountAs('viewer', AuthorizedKeysLine, { sshKey });

    await typeFolder(wrapper, '/srv');
    await vi.advanceTimersByTimeAsync(100);
    await typeFolder(wrapper, '/srv/borg');
    expect(copyButton(wrapper).attributes('disabled')).toBeDefined();
    await waitForRender();

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url] = fetchMock.mock.calls[0] as [string];
    expect(url).toBe(`/api/ssh-keys/${sshKey.id}?restrictToPath=%2Fsrv%2Fborg`);
    expect(shownLine(wrapper)).toBe(lineFor('/srv/borg'));
    expect(copyButton(wrapper).attributes('disabled')).toBeUndefined();
  });

  it('explains a folder the server would refuse, without asking it', async () => {
    const wrapper = await mountAs('viewer', AuthorizedKeysLine, { sshKey });

    await typeFolder(wrapper, 'srv/borg');
    await waitForRender();

    expect(fetchMock).not.toHaveBeenCalled();
    expect(wrapper.text()).toContain('Start the folder with /');
    expect(copyButton(wrapper).attributes('disabled')).toBeDefined();
  });

  it('goes back to the placeholder line when the field is emptied', async () => {
    const wrapper = await mountAs('viewer', AuthorizedKeysLine, { sshKey });
    await typeFolder(wrapper, '/srv/borg');
    await waitForRender();

    await typeFolder(wrapper, '');
    await waitForRender();

    expect(shownLine(wrapper)).toBe(sshKey.authorizedKeysLine);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
