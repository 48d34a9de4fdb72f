import { mount } from '@vue/test-utils';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { defineComponent, h, type Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { Role } from '../api/types';
import { setSignedInUser } from '../composables/useAuth';

/** Mounts a component the way the app does: signed in, inside Naive UI's providers and a router. */
export async function mountAs(role: Role, component: Component, props: Record<string, unknown>) {
  setSignedInUser({ id: `user-${role}`, username: role, role, mustChangePassword: false });
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:rest(.*)*', component: { render: () => null } }],
  });
  await router.push('/');
  const host = defineComponent({
    render: () =>
      h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(component, props))),
  });
  return mount(host, { global: { plugins: [router] }, attachTo: document.body });
}

export function testIds(wrapper: {
  findAll: (selector: string) => { attributes: (name: string) => string | undefined }[];
}): string[] {
  return wrapper
    .findAll('[data-testid]')
    .map((element) => element.attributes('data-testid') ?? '')
    .filter(Boolean);
}
