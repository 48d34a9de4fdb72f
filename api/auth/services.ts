import type { ApiDependencies } from '../dependencies';
import { LoginThrottle } from './login-throttle';
import { createSessionStore, type SessionStore } from './sessions';

/** Stateful pieces of authentication, created once per server. */
export interface AuthServices {
  sessions: SessionStore;
  loginThrottle: LoginThrottle;
}

/** What the route plugins of this API receive as their options. */
export type RouteDependencies = ApiDependencies & AuthServices;

export function createAuthServices(deps: ApiDependencies): AuthServices {
  return { sessions: createSessionStore(deps.sql), loginThrottle: new LoginThrottle(deps.db) };
}
