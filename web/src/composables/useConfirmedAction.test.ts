// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { mountAs } from '../testing/mount-with-providers';
import { useConfirmedAction, type ConfirmedAction } from './useConfirmedAction';

/** A button that asks before running `action`, as the list pages' delete buttons do. */
function harness(action: ConfirmedAction<string>) {
  return defineComponent({
    setup() {
      const confirmThenRun = useConfirmedAction();
      return () => h('button', { id: 'ask', onClick: () => confirmThenRun(action) }, 'Ask');
    },
  });
}

function button(text: string): HTMLButtonElement | undefined {
  return [...document.querySelectorAll('button')].find(
    (candidate) => candidate.textContent?.trim() === text,
  );
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('useConfirmedAction', () => {
  it('runs nothing until the person confirms, then says so and goes on', async () => {
    const run = vi.fn(() => Promise.resolve('run-7'));
    const then = vi.fn();
    const wrapper = await mountAs(
      'admin',
      harness({ title: 'Delete it?', run, done: 'Deleted.', failed: 'Could not delete', then }),
      {},
    );

    await wrapper.get('#ask').trigger('click');
    await flushPromises();
    expect(run).not.toHaveBeenCalled();
    button('Delete')?.click();
    await vi.waitFor(() => expect(document.body.textContent).toContain('Deleted.'));

    expect(run).toHaveBeenCalledTimes(1);
    expect(then).toHaveBeenCalledWith('run-7');
    wrapper.unmount();
  });

  it('shows the failure with its context and skips what comes after', async () => {
    const then = vi.fn();
    const wrapper = await mountAs(
      'admin',
      harness({
        title: 'Revoke it?',
        confirmText: 'Revoke',
        run: () => Promise.reject(new Error('the token is in use')),
        done: 'Revoked.',
        failed: 'Could not revoke the token',
        then,
      }),
      {},
    );

    await wrapper.get('#ask').trigger('click');
    await flushPromises();
    button('Revoke')?.click();
    await vi.waitFor(() =>
      expect(document.body.textContent).toContain(
        'Could not revoke the token: the token is in use',
      ),
    );

    expect(then).not.toHaveBeenCalled();
    wrapper.unmount();
  });
});
