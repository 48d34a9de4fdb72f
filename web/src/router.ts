import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';
import { onApiError } from './api/client';
import { useAuth } from './composables/useAuth';
import type { Permission } from './features/auth/permissions';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    isPublic?: boolean;
    requires?: Permission;
    title?: string;
  }
}

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./features/auth/LoginPage.vue'),
    meta: { isPublic: true, title: 'Sign in' },
  },
  {
    path: '/password',
    name: 'password',
    component: () => import('./features/auth/PasswordChangePage.vue'),
    meta: { title: 'Change password' },
  },
  {
    path: '/',
    name: 'dashboard',
    component: () => import('./features/dashboard/DashboardPage.vue'),
    meta: { title: 'Dashboard' },
  },
  {
    path: '/repositories',
    name: 'repositories',
    component: () => import('./features/repositories/RepositoryListPage.vue'),
    meta: { title: 'Repositories' },
  },
  {
    path: '/repositories/new',
    name: 'repository-new',
    component: () => import('./features/repositories/RepositoryWizardPage.vue'),
    meta: { title: 'Add repository', requires: 'repositories.manage' },
  },
  {
    path: '/repositories/:id',
    name: 'repository',
    component: () => import('./features/repositories/RepositoryDetailPage.vue'),
    props: true,
    meta: { title: 'Repository' },
  },
  {
    path: '/repositories/:id/archives/:archive',
    name: 'archive',
    component: () => import('./features/archives/ArchiveBrowserPage.vue'),
    // The folder shown lives in the address, so a link or a reload opens the same folder.
    props: (route) => ({
      id: route.params.id,
      archive: route.params.archive,
      folder: typeof route.query.folder === 'string' ? route.query.folder : '',
    }),
    meta: { title: 'Archive', requires: 'archives.browse' },
  },
  {
    path: '/repositories/:id/compare',
    name: 'archive-compare',
    component: () => import('./features/archives/ArchiveComparePage.vue'),
    props: true,
    meta: { title: 'Compare archives', requires: 'archives.browse' },
  },
  {
    path: '/plans',
    name: 'plans',
    component: () => import('./features/plans/PlanListPage.vue'),
    meta: { title: 'Plans' },
  },
  {
    path: '/plans/new',
    name: 'plan-new',
    component: () => import('./features/plans/PlanEditPage.vue'),
    meta: { title: 'New plan', requires: 'plans.manage' },
  },
  {
    path: '/plans/:id',
    name: 'plan',
    component: () => import('./features/plans/PlanEditPage.vue'),
    props: true,
    meta: { title: 'Plan' },
  },
  {
    path: '/runs',
    name: 'runs',
    component: () => import('./features/runs/RunListPage.vue'),
    meta: { title: 'Runs' },
  },
  {
    path: '/runs/:id',
    name: 'run',
    component: () => import('./features/runs/RunDetailPage.vue'),
    props: true,
    meta: { title: 'Run' },
  },
  {
    path: '/ssh-keys',
    name: 'ssh-keys',
    component: () => import('./features/ssh-keys/SshKeyListPage.vue'),
    meta: { title: 'SSH keys' },
  },
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('./features/notifications/NotificationListPage.vue'),
    meta: { title: 'Notifications' },
  },
  {
    path: '/users',
    name: 'users',
    component: () => import('./features/users/UserListPage.vue'),
    meta: { title: 'Users', requires: 'users.manage' },
  },
  {
    path: '/tokens',
    name: 'tokens',
    component: () => import('./features/tokens/TokenListPage.vue'),
    meta: { title: 'API tokens', requires: 'tokens.own' },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('./features/audit/AuditLogPage.vue'),
    meta: { title: 'Audit log', requires: 'audit.view' },
  },
  {
    path: '/about',
    name: 'about',
    component: () => import('./features/about/AboutPage.vue'),
    meta: { title: 'About' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./components/NotFoundPage.vue'),
    meta: { title: 'Not found' },
  },
];

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes });
  const auth = useAuth();

  router.beforeEach(async (to) => {
    await auth.ensureLoaded();
    const user = auth.user.value;
    if (to.meta.isPublic) return user && to.name === 'login' ? { name: 'dashboard' } : true;
    if (!user) return { name: 'login', query: { redirect: to.fullPath } };
    if (user.mustChangePassword && to.name !== 'password') {
      return { name: 'password', query: { redirect: to.fullPath } };
    }
    if (to.meta.requires && !auth.can(to.meta.requires)) return { name: 'dashboard' };
    return true;
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Borgflow` : 'Borgflow';
  });

  // A session can end or be restricted while a page is open; follow the server's word.
  onApiError((error) => {
    const current = router.currentRoute.value;
    if (error.code === 'PASSWORD_CHANGE_REQUIRED') {
      auth.markPasswordChangeRequired();
      if (current.name !== 'password') {
        void router.push({ name: 'password', query: { redirect: current.fullPath } });
      }
      return;
    }
    if (error.status === 401 && error.code !== 'INVALID_CREDENTIALS' && !current.meta.isPublic) {
      auth.markSignedOut();
      void router.push({ name: 'login', query: { redirect: current.fullPath } });
    }
  });

  return router;
}
