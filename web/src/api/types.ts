import type { NotificationEvent } from '../../../core/notification-events';
export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  id: string;
  username: string;
  role: Role;
  mustChangePassword: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** A new token with its secret, which the server shows this once. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

export type SshKeyType = 'ed25519' | 'rsa';

export interface SshKey {
  id: string;
  name: string;
  type: SshKeyType;
  publicKey: string;
  fingerprint: string;
  status: string;
  createdAt: string;
  authorizedKeysLine: string;
}

export type EncryptionMode =
  | 'repokey-blake2'
  | 'repokey'
  | 'keyfile-blake2'
  | 'keyfile'
  | 'authenticated-blake2'
  | 'authenticated'
  | 'none';

export type Health = 'ok' | 'warning' | 'critical' | 'unknown';

export interface RepositoryStats {
  originalSize: number;
  compressedSize: number;
  deduplicatedSize: number;
  archiveCount: number;
}

/** The server's verdict on a repository or plan; pages show it as given. */
export interface HealthVerdict {
  health: Health;
  /** Why, in a line: "Never checked", "Last backup failed". */
  healthReason: string;
  /** A run failed, found problems or waits: listed first. */
  needsAttention: boolean;
}

export interface Repository extends HealthVerdict {
  id: string;
  name: string;
  location: string;
  encryption: EncryptionMode;
  sshKeyId: string | null;
  remotePath: string | null;
  /** null until a worker first read the repository. */
  stats: RepositoryStats | null;
  lastArchiveAt: string | null;
  lastCheckAt: string | null;
  createdAt: string;
}

export interface CreateRepositoryRequest {
  name: string;
  location: string;
  encryption: EncryptionMode;
  passphrase?: string;
  sshKeyId?: string;
  remotePath?: string;
  /** For ssh locations: the host key fingerprint the person approved. */
  hostKeyFingerprint?: string;
  mode: 'create' | 'import';
}

export type RepositoryChange = Partial<Pick<Repository, 'name' | 'sshKeyId' | 'remotePath'>>;

export interface RestoreRequest {
  archive: string;
  paths: string[];
  target: string;
}

export interface PruneRequest {
  retention?: Retention;
  dryRun?: boolean;
}

export interface ConnectionTestResult {
  hostKeyFingerprint?: string;
  reachable: boolean;
  message: string;
}

/** An archive as last read by a worker; the figures are null until borg described it. */
export interface Archive {
  name: string;
  id: string;
  start: string;
  end: string | null;
  originalSize: number | null;
  compressedSize: number | null;
  deduplicatedSize: number | null;
  files: number | null;
}

export interface ArchiveItem {
  path: string;
  name: string;
  /** borg's item type: `d` directory, `-` file, `l` symlink, and others for devices and fifos. */
  type: string;
  size: number;
  mtime: string | null;
}

export interface ArchiveChange {
  path: string;
  change: string;
  sizeDelta?: number;
}

export interface SizePoint {
  at: string;
  originalSize: number;
  deduplicatedSize: number;
}

export interface Retention {
  keepWithin?: string;
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface Hook {
  name: string;
  when: 'before' | 'after';
  command: string;
  timeoutSeconds?: number;
  onFailure?: 'fail' | 'skip';
  runOn?: 'success' | 'failure' | 'always';
}

export interface PlanInput {
  name: string;
  repositoryId: string;
  sources: string[];
  excludes?: string[];
  compression?: string;
  archiveName?: string;
  schedule?: { cron: string; timezone: string } | null;
  retention?: Retention | null;
  pruneAfterBackup?: boolean;
  compactAfterPrune?: boolean;
  checkAfterBackup?: boolean;
  hooks?: Hook[];
  enabled?: boolean;
}

export interface Plan extends PlanInput {
  id: string;
  nextRuns: string[];
  /** Scheduled starts Temporal skipped because the previous backup still ran. */
  skippedForOverlap: number;
  lastRun?: Run | null;
}

export type RunKind =
  | 'backup'
  | 'check'
  | 'prune'
  | 'compact'
  | 'restore'
  | 'delete-archive'
  | 'rotate-key'
  | 'rotate-ssh-key';

export type RunStatus =
  'queued' | 'running' | 'waiting' | 'succeeded' | 'warning' | 'failed' | 'canceled' | 'skipped';

/** What the run's current step reported last; each kind of step fills in what it knows. */
export interface RunProgress {
  originalBytes?: number;
  compressedBytes?: number;
  deduplicatedBytes?: number;
  files?: number;
  currentPath?: string;
  bytesPerSecond?: number;
  percent?: number;
  /** From the pace of `percent` in this step. */
  etaSeconds?: number;
  /** A backup's `percent` against the size its plan's last backup read: borg knows no total. */
  isPercentEstimated?: boolean;
  step?: string;
  message?: string;
}

export interface RunStep {
  name: string;
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Run {
  id: string;
  kind: RunKind;
  status: RunStatus;
  trigger: string;
  repositoryId: string | null;
  planId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: RunProgress | null;
  stats: (Record<string, unknown> & { pruned?: string[] }) | null;
  error: { type: string; message: string; tail?: string } | null;
  waitingReason?: string | null;
  steps?: RunStep[];
  retryOf: string | null;
  retriedBy: string | null;
  temporal: { workflowId: string; runId: string | null; url: string };
}

export interface RunEvent {
  type: 'progress' | 'status' | 'log';
  run?: Run;
  progress?: RunProgress;
  line?: string;
}

export interface RunFilter {
  repositoryId?: string;
  planId?: string;
  kind?: RunKind;
  status?: RunStatus;
  limit?: number;
  cursor?: string;
}

// One list for the server and this client: core/notification-events.ts holds no Node code.
export { NOTIFICATION_EVENTS } from '../../../core/notification-events';
export type { NotificationEvent };

export interface NotificationInput {
  name: string;
  url: string;
  events: NotificationEvent[];
  enabled: boolean;
  /** null or left out: every repository (or plan). */
  repositoryIds?: string[] | null;
  planIds?: string[] | null;
}

export interface NotificationTarget extends Omit<NotificationInput, 'url'> {
  id: string;
  /** Scheme and host kept, credentials and tokens masked. */
  maskedUrl: string;
  repositoryIds: string[] | null;
  planIds: string[] | null;
  lastSentAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
}

export interface NotificationTestResult {
  sent: boolean;
  error?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  username: string | null;
  action: string;
  target: string | null;
  address: string | null;
  outcome: string;
}

export interface About {
  borgflowVersion: string;
  /** Each worker host's borg; version null where borg is missing. */
  borgVersions: { hostId: string; hostname: string; version: string | null; lastSeenAt: string }[];
  temporal: {
    address: string;
    namespace: string;
    /** Null when the Temporal server did not answer in time. */
    serverVersion: string | null;
    uiUrl: string | null;
  };
}

export interface DashboardPlan extends HealthVerdict {
  id: string;
  name: string;
  repositoryId: string;
  lastSuccessAt: string | null;
  lastRunStatus: RunStatus | null;
  nextRunAt: string | null;
}

export interface Dashboard {
  repositories: Repository[];
  plans: DashboardPlan[];
  runsNeedingAttention: Run[];
  totals: { originalSize: number; deduplicatedSize: number };
}

export interface FilesystemListing {
  path: string;
  roots: string[];
  entries: { name: string; path: string; type: 'directory' | 'file' }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
