// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import LinkButton from './LinkButton.vue';

async function mountLink() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:rest(.*)*', component: { render: () => null } }],
  });
  await router.push('/');
  const wrapper = mount(LinkButton, {
    props: { to: '/plans/new' },
    attrs: { type: 'primary', 'data-testid': 'plan-add' },
    slots: { default: 'New plan' },
    global: { plugins: [router] },
  });
  return { wrapper, router };
}

describe('LinkButton', () => {
  it('renders one link styled as a button, with no button nested inside a link', async () => {
    const { wrapper } = await mountLink();
    const link = wrapper.get('a');
    expect(link.attributes('href')).toBe('/plans/new');
    expect(link.attributes('data-testid')).toBe('plan-add');
    expect(link.classes()).toContain('n-button--primary-type');
    expect(link.text()).toBe('New plan');
    expect(wrapper.find('button').exists()).toBe(false);
  });

  it('navigates through the router when clicked', async () => {
    const { wrapper, router } = await mountLink();
    await wrapper.get('a').trigger('click');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(router.currentRoute.value.path).toBe('/plans/new');
  });
});
