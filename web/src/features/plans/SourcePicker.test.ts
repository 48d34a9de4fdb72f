// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FilesystemListing } from '../../api/types';
import SourcePicker from './SourcePicker.vue';

const browseFilesystem = vi.hoisted(() => vi.fn<(path?: string) => Promise<FilesystemListing>>());
vi.mock('../../api/operations', () => ({ browseFilesystem }));

const ROOTS = ['/srv', '/home'];

function listing(path: string, entries: string[] = []): FilesystemListing {
  return {
    path,
    roots: ROOTS,
    entries: entries.map((name) => ({
      name,
      path: path ? `${path}/${name}` : name,
      type: 'directory',
    })),
  };
}

async function openAt(path: string) {
  browseFilesystem.mockResolvedValue(listing(path, ['photos']));
  const wrapper = mount(SourcePicker, {
    props: { modelValue: [], inputId: 'sources-input' },
    attachTo: document.body,
  });
  await wrapper.get('[data-testid="plan-source-browse"]').trigger('click');
  await flushPromises();
  return wrapper;
}

function buttonsNamed(text: string): HTMLElement[] {
  return [...document.querySelectorAll('button')].filter(
    (button) => button.textContent?.trim() === text,
  );
}

afterEach(() => {
  document.body.innerHTML = '';
  browseFilesystem.mockReset();
});

describe('SourcePicker', () => {
  it('gives the path field the id the form label points at', async () => {
    const wrapper = await openAt('');
    expect(wrapper.get('[data-testid="plan-source-input"] input').attributes('id')).toBe(
      'sources-input',
    );
  });

  it('offers neither "Up" nor "Add this folder" on the list of allowed roots', async () => {
    await openAt('');
    expect(buttonsNamed('Up')).toHaveLength(0);
    expect(document.querySelector('[data-testid="plan-source-add-current"]')).toBeNull();
  });

  it('goes up from a root to the list of roots, not to "/"', async () => {
    await openAt('/srv');
    browseFilesystem.mockResolvedValue(listing(''));
    buttonsNamed('Up')[0].click();
    await flushPromises();
    expect(browseFilesystem).toHaveBeenLastCalledWith(undefined);
  });

  it('goes up from a folder inside a root to its parent folder', async () => {
    await openAt('/srv/data/photos');
    buttonsNamed('Up')[0].click();
    await flushPromises();
    expect(browseFilesystem).toHaveBeenLastCalledWith('/srv/data');
  });
});
