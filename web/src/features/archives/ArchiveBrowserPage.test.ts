// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountAs } from '../../testing/mount-with-providers';
import ArchiveBrowserPage from './ArchiveBrowserPage.vue';

const STILL_INDEXING = {
  error: {
    code: 'SERVICE_UNAVAILABLE',
    message: 'Archive nightly is being prepared for browsing: 42,000 items so far.',
    indexedItems: 42_000,
  },
};
const LISTING = {
  items: [{ path: 'documents', name: 'documents', type: 'd', size: 0, mtime: null }],
  nextCursor: null,
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('ArchiveBrowserPage while the archive is indexed', () => {
  it('shows how far indexing got and asks again by itself until the listing comes', async () => {
    let isIndexed = false;
    const fetchMock = vi.fn(() =>
      Promise.resolve(
        isIndexed ? json(200, LISTING) : json(503, STILL_INDEXING, { 'retry-after': '1' }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);

    const wrapper = await mountAs('viewer', ArchiveBrowserPage, {
      id: 'repo-1',
      archive: 'nightly',
    });
    await flushPromises();

    const preparing = wrapper.find('[data-testid="archive-preparing"]');
    expect(preparing.exists()).toBe(true);
    expect(preparing.text()).toContain('42,000 items so far');
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false);

    isIndexed = true;
    await vi.waitFor(
      () => {
        expect(wrapper.find('[data-testid="archive-preparing"]').exists()).toBe(false);
        // The folder tree lists it (the table draws rows only where there is a layout).
        expect(wrapper.text()).toContain('documents');
      },
      { timeout: 3_000, interval: 100 },
    );
    wrapper.unmount();
  });

  it('shows any other failure as an error with a way to try again', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(json(404, { error: { code: 'NOT_FOUND', message: 'No such archive.' } })),
      ),
    );

    const wrapper = await mountAs('viewer', ArchiveBrowserPage, { id: 'repo-1', archive: 'gone' });
    await flushPromises();

    expect(wrapper.find('[data-testid="load-error"]').text()).toContain('No such archive.');
    expect(wrapper.find('[data-testid="archive-preparing"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('ArchiveBrowserPage search', () => {
  it('searches the whole archive once typing pauses, for the last text typed', async () => {
    const found = {
      items: [
        { path: 'home/ana/taxes/report.pdf', name: 'report.pdf', type: '-', size: 9, mtime: null },
      ],
      nextCursor: 'next-page',
    };
    const fetchMock = vi.fn((url: string) =>
      Promise.resolve(json(200, url.includes('/search?') ? found : LISTING)),
    );
    vi.stubGlobal('fetch', fetchMock);
    const wrapper = await mountAs('viewer', ArchiveBrowserPage, {
      id: 'repo-1',
      archive: 'nightly',
    });
    await flushPromises();

    await wrapper.find('[data-testid="archive-search"] input').setValue('rep');
    await wrapper.find('[data-testid="archive-search"] input').setValue('report');
    await vi.waitFor(
      () => {
        expect(wrapper.find('[data-testid="archive-search-summary"]').text()).toBe(
          '1 or more found in the whole archive.',
        );
      },
      { timeout: 3_000, interval: 50 },
    );

    const searches = fetchMock.mock.calls
      .map(([url]) => url)
      .filter((url) => url.includes('/search?'));
    // Typing two texts in a row asks for the last one only.
    expect(searches).toEqual([
      '/api/repositories/repo-1/archives/nightly/search?name=report&limit=100',
    ]);
    wrapper.unmount();
  });
});

describe('ArchiveBrowserPage opened on a folder', () => {
  it('opens the folder tree down to that folder', async () => {
    const folders: Record<string, string[]> = {
      '': ['home', 'srv'],
      home: ['ana', 'bo'],
      'home/ana': ['taxes'],
    };
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) => {
        const parent = new URL(url, 'http://borgflow.test').searchParams.get('path') ?? '';
        const items = (folders[parent] ?? []).map((name) => ({
          path: parent ? `${parent}/${name}` : name,
          name,
          type: 'd',
          size: 0,
          mtime: null,
        }));
        return Promise.resolve(json(200, { items, nextCursor: null }));
      }),
    );

    const wrapper = await mountAs('viewer', ArchiveBrowserPage, {
      id: 'repo-1',
      archive: 'nightly',
      folder: '/home/ana/taxes/',
    });
    await vi.waitFor(
      () => {
        const tree = wrapper.find('[data-testid="archive-tree"]');
        const selected = tree.find('[role="treeitem"][aria-selected="true"]');
        expect(selected.exists()).toBe(true);
        expect(selected.text()).toBe('taxes');
        expect(selected.attributes('aria-level')).toBe('3');
        // The siblings on the way down were loaded too, the untouched branch was not.
        expect(tree.text()).toContain('bo');
      },
      { timeout: 3_000, interval: 50 },
    );
    wrapper.unmount();
  });
});
