import { request } from './client';
import { getList, getOne, id, send } from './resources';
import type {
  About,
  AuditEntry,
  Dashboard,
  FilesystemListing,
  NotificationInput,
  NotificationTarget,
  NotificationTestResult,
  Plan,
  PlanInput,
  Run,
  RunFilter,
  SshKey,
  SshKeyType,
} from './types';

export const listPlans = () => getList<Plan>('/api/plans', 'plans');
export const getPlan = (planId: string) => getOne<Plan>(`/api/plans/${id(planId)}`);
export const createPlan = (body: PlanInput) => send<Plan>('POST', '/api/plans', body);
export const updatePlan = (planId: string, body: Partial<PlanInput>) =>
  send<Plan>('PATCH', `/api/plans/${id(planId)}`, body);
export const deletePlan = (planId: string) =>
  request<void>(`/api/plans/${id(planId)}`, { method: 'DELETE' });
export const runPlan = async (planId: string) =>
  (await request<{ run: Run }>(`/api/plans/${id(planId)}/run`, { method: 'POST' })).run;
export const previewArchiveName = (template: string, planName: string) =>
  request<{ name: string }>('/api/plans/archive-name-preview', {
    method: 'POST',
    body: { template, planName },
  });

export const listRuns = (filter: RunFilter = {}) =>
  request<{ runs: Run[]; nextCursor: string | null }>('/api/runs', { query: { ...filter } });
export const getRun = (runId: string) => getOne<Run>(`/api/runs/${id(runId)}`);
export const getRunLog = (runId: string) =>
  request<string>(`/api/runs/${id(runId)}/log`, { as: 'text' });
export const runEventsUrl = (runId: string) => `/api/runs/${id(runId)}/events`;

export type RunCommand = 'cancel' | 'retry' | 'resume' | 'skip' | 'abort';

/** Sends a command to a run; `retry` answers with the new run, the others with the run itself. */
export const commandRun = async (runId: string, command: RunCommand) =>
  (await request<{ run: Run }>(`/api/runs/${id(runId)}/${command}`, { method: 'POST' })).run;

export const listSshKeys = () => getList<SshKey>('/api/ssh-keys', 'sshKeys');
/** One key; with `restrictToPath`, its authorized_keys line confines borg serve to that folder. */
export const getSshKey = (
  keyId: string,
  restrictToPath?: string,
  options: { signal?: AbortSignal } = {},
) =>
  request<SshKey>(`/api/ssh-keys/${id(keyId)}`, {
    query: { restrictToPath },
    signal: options.signal,
  });
export const generateSshKey = (name: string, type: SshKeyType) =>
  send<SshKey>('POST', '/api/ssh-keys', { name, type });
export const importSshKey = (name: string, privateKey: string) =>
  send<SshKey>('POST', '/api/ssh-keys', { name, privateKey });
export const deleteSshKey = (keyId: string) =>
  request<void>(`/api/ssh-keys/${id(keyId)}`, { method: 'DELETE' });

export const listNotifications = () =>
  getList<NotificationTarget>('/api/notifications', 'channels');
export const createNotification = (body: NotificationInput) =>
  send<NotificationTarget>('POST', '/api/notifications', body);
export const updateNotification = (targetId: string, body: Partial<NotificationInput>) =>
  send<NotificationTarget>('PATCH', `/api/notifications/${id(targetId)}`, body);
export const deleteNotification = (targetId: string) =>
  request<void>(`/api/notifications/${id(targetId)}`, { method: 'DELETE' });
export const testNotification = (targetId: string) =>
  request<NotificationTestResult>(`/api/notifications/${id(targetId)}/test`, { method: 'POST' });

export const listAudit = (query: { cursor?: string; limit?: number }) =>
  request<{ entries: AuditEntry[]; nextCursor: string | null }>('/api/audit', { query });

export const getAbout = () => request<About>('/api/about');

export const getDashboard = () => request<Dashboard>('/api/dashboard');

export const browseFilesystem = (path?: string) =>
  request<FilesystemListing>('/api/filesystem', { query: { path } });

/** Folders under RESTORE_ROOTS, to choose where a restore goes. */
export const browseRestoreTargets = (path?: string) =>
  request<FilesystemListing>('/api/filesystem/restore-targets', { query: { path } });
