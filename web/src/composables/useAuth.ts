import { computed, ref } from 'vue';
import * as authApi from '../api/auth';
import { ApiError } from '../api/client';
import type { User } from '../api/types';
import { can, type Permission } from '../features/auth/permissions';

// One signed-in user per tab: every component shares these refs.
const user = ref<User | null>(null);
const isLoaded = ref(false);
const error = ref<ApiError | Error | null>(null);
let pending: Promise<void> | null = null;

async function load(): Promise<void> {
  try {
    user.value = (await authApi.fetchMe()).user;
    error.value = null;
  } catch (cause) {
    user.value = null;
    if (!(cause instanceof ApiError && cause.status === 401)) error.value = cause as Error;
  } finally {
    isLoaded.value = true;
  }
}

export function useAuth() {
  return {
    user,
    isLoaded,
    error,
    role: computed(() => user.value?.role ?? null),
    /** Loads the session once; later callers share the same request. */
    ensureLoaded(): Promise<void> {
      if (isLoaded.value) return Promise.resolve();
      pending ??= load().finally(() => (pending = null));
      return pending;
    },
    reload: load,
    async signIn(username: string, password: string): Promise<User> {
      const signedIn = (await authApi.login(username, password)).user;
      user.value = signedIn;
      isLoaded.value = true;
      return signedIn;
    },
    async signOut(): Promise<void> {
      try {
        await authApi.logout();
      } finally {
        user.value = null;
      }
    },
    async changePassword(currentPassword: string, newPassword: string): Promise<void> {
      await authApi.changePassword(currentPassword, newPassword);
      if (user.value) user.value = { ...user.value, mustChangePassword: false };
    },
    markSignedOut(): void {
      user.value = null;
    },
    markPasswordChangeRequired(): void {
      if (user.value) user.value = { ...user.value, mustChangePassword: true };
    },
    can: (permission: Permission) => can(user.value?.role, permission),
  };
}

/** Test seam: sets the signed-in user without a request. */
export function setSignedInUser(next: User | null): void {
  user.value = next;
  isLoaded.value = true;
}
