import { buildUrl, request } from './client';
import { getList, getOne, id, send } from './resources';
import type {
  Archive,
  ArchiveChange,
  ArchiveItem,
  ConnectionTestResult,
  CreateRepositoryRequest,
  PruneRequest,
  Repository,
  RepositoryChange,
  RestoreRequest,
  Run,
  SizePoint,
} from './types';

const base = (repositoryId: string) => `/api/repositories/${id(repositoryId)}`;
const archivePath = (repositoryId: string, archive: string) =>
  `${base(repositoryId)}/archives/${id(archive)}`;

export const listRepositories = () => getList<Repository>('/api/repositories', 'repositories');

export const getRepository = (repositoryId: string) => getOne<Repository>(base(repositoryId));

export const createRepository = (body: CreateRepositoryRequest) =>
  send<Repository>('POST', '/api/repositories', body);

export const updateRepository = (repositoryId: string, body: RepositoryChange) =>
  send<Repository>('PATCH', base(repositoryId), body);

export const deleteRepository = (repositoryId: string) =>
  request<void>(base(repositoryId), { method: 'DELETE' });

export const testConnection = (body: { location: string; sshKeyId?: string }) =>
  request<ConnectionTestResult>('/api/repositories/test-connection', { method: 'POST', body });

export const listArchives = async (repositoryId: string) =>
  getList<Archive>(`${base(repositoryId)}/archives`, 'archives');

export const listArchiveItems = (
  repositoryId: string,
  archive: string,
  query: { path?: string; cursor?: string; limit?: number },
) =>
  request<{ items: ArchiveItem[]; nextCursor: string | null }>(
    `${archivePath(repositoryId, archive)}/items`,
    { query },
  );

/** Items anywhere in the archive whose name contains `name`, by folder and name. */
export const searchArchiveItems = (
  repositoryId: string,
  archive: string,
  query: { name: string; cursor?: string; limit?: number },
) =>
  request<{ items: ArchiveItem[]; nextCursor: string | null }>(
    `${archivePath(repositoryId, archive)}/search`,
    { query },
  );

/** A link the browser follows itself, so large files stream straight to disk. */
export const archiveFileUrl = (repositoryId: string, archive: string, path: string) =>
  buildUrl(`${archivePath(repositoryId, archive)}/file`, { path });

export const diffArchives = (repositoryId: string, from: string, to: string) =>
  request<{ changes: ArchiveChange[] }>(`${base(repositoryId)}/archives/diff`, {
    query: { from, to },
  });

const startRun = async (path: string, body?: unknown) =>
  (await request<{ run: Run }>(path, { method: 'POST', body })).run;

export const deleteArchive = async (repositoryId: string, archive: string) =>
  (await request<{ run: Run }>(archivePath(repositoryId, archive), { method: 'DELETE' })).run;

export const restoreArchive = (repositoryId: string, body: RestoreRequest) =>
  startRun(`${base(repositoryId)}/restore`, body);

export interface CheckOptions {
  verifyData?: boolean;
  repositoryOnly?: boolean;
  archivesOnly?: boolean;
  maxDurationSeconds?: number;
}

export const checkRepository = (repositoryId: string, body: CheckOptions) =>
  startRun(`${base(repositoryId)}/check`, body);

export const pruneRepository = (repositoryId: string, body: PruneRequest) =>
  startRun(`${base(repositoryId)}/prune`, body);

export const compactRepository = (repositoryId: string) =>
  startRun(`${base(repositoryId)}/compact`);

export const rotateRepositoryKey = (repositoryId: string, body: { newPassphrase?: string }) =>
  startRun(`${base(repositoryId)}/rotate-key`, body);

export interface SshKeyRotationOptions {
  /** authorized_keys on the server, relative to the login's home unless absolute. */
  authorizedKeysFile?: string;
  appendOnly?: boolean;
  storageQuota?: string;
}

export const rotateRepositorySshKey = (repositoryId: string, body: SshKeyRotationOptions = {}) =>
  startRun(`${base(repositoryId)}/rotate-ssh-key`, body);

export const exportRepositoryKey = (repositoryId: string) =>
  request<{ key: string }>(`${base(repositoryId)}/key`);

export const getSizeHistory = (repositoryId: string) =>
  request<{ points: SizePoint[] }>(`${base(repositoryId)}/size-history`);
