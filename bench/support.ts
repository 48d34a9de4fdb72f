// What the benchmark scripts share: signing in to an API built in-process, and summing up timings.
import { DEFAULT_ADMIN_PASSWORD } from '../api/auth/default-admin';
import type { buildServer } from '../api/server';

type App = Awaited<ReturnType<typeof buildServer>>;

const NEW_PASSWORD = 'bench-password-for-browsing-42';

/** Signs in as the default administrator and sets its password; returns headers for inject. */
export async function signIn(app: App): Promise<Record<string, string>> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
  });
  const origin = 'http://localhost';
  const first = { cookie: sessionCookie(login.cookies), origin };
  const changed = await app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: first,
    payload: { currentPassword: DEFAULT_ADMIN_PASSWORD, newPassword: NEW_PASSWORD },
  });
  if (changed.statusCode !== 200) throw new Error(`sign-in failed: ${changed.body}`);

  return { cookie: sessionCookie(changed.cookies), origin };
}

function sessionCookie(cookies: { name: string; value: string }[]): string {
  const session = cookies.find((cookie) => cookie.value !== '');
  if (!session) throw new Error('no session cookie');
  return `${session.name}=${session.value}`;
}

/** Seconds `work` took. */
export async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** "median …, p95 …, max …" of durations in milliseconds. */
export function summarize(durationsMs: number[]): string {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}
