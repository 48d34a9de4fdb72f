// Generated from /api/openapi.json by tools/api-contract/typescript-from-openapi.ts; do not edit.
// `UPDATE_API_CONTRACT=1 npx vitest run tests/api/openapi-contract.test.ts` writes it anew.

/** components/schemas/ApiToken */
export type ApiToken = {
  id: string;
  name: string;
  userId: string;
  username: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
};

/** components/schemas/Archive */
export type Archive = {
  name: string;
  id: string;
  start: string;
  end: string | null;
  originalSize: number | null;
  compressedSize: number | null;
  deduplicatedSize: number | null;
  files: number | null;
};

/** components/schemas/ArchiveItem */
export type ArchiveItem = {
  path: string;
  name: string;
  type: string;
  size: number;
  mtime: string | null;
};

/** components/schemas/AuditEntry */
export type AuditEntry = {
  id: string;
  at: string;
  userId: string | null;
  username: string | null;
  action: string;
  target: string | null;
  address: string | null;
  outcome: 'success' | 'failure' | 'denied';
  details: Record<string, unknown> | null;
};

/** components/schemas/MaintenanceSchedule */
export type MaintenanceSchedule = {
  id: string;
  repositoryId: string;
  kind: 'check' | 'prune';
  cron: string;
  timezone: string;
  enabled: boolean;
  options: {
    verifyData?: boolean;
    repositoryOnly?: boolean;
    archivesOnly?: boolean;
    maxDurationSeconds?: number;
    retention?: {
      keepWithin?: string;
      keepLast?: number;
      keepMinutely?: number;
      keepHourly?: number;
      keepDaily?: number;
      keepWeekly?: number;
      keepMonthly?: number;
      keepYearly?: number;
    };
    globArchives?: string;
    compact?: boolean;
  };
  jitterSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  nextRuns: string[];
  skippedForOverlap: number;
};

/** components/schemas/NotificationChannel */
export type NotificationChannel = {
  id: string;
  name: string;
  maskedUrl: string;
  events: (
    | 'run.succeeded'
    | 'run.warning'
    | 'run.failed'
    | 'run.canceled'
    | 'run.skipped'
    | 'run.waiting'
    | 'check.problems'
    | 'key.rotated'
    | 'backup.missed'
  )[];
  enabled: boolean;
  repositoryIds: string[] | null;
  planIds: string[] | null;
  lastSentAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
};

/** components/schemas/Plan */
export type Plan = {
  id: string;
  name: string;
  repositoryId: string;
  sources: string[];
  excludes: string[];
  compression: string;
  archiveName: string;
  schedule: {
    cron: string;
    timezone: string;
  } | null;
  retention: {
    keepWithin?: string;
    keepLast?: number;
    keepMinutely?: number;
    keepHourly?: number;
    keepDaily?: number;
    keepWeekly?: number;
    keepMonthly?: number;
    keepYearly?: number;
  } | null;
  pruneAfterBackup: boolean;
  compactAfterPrune: boolean;
  checkAfterBackup: boolean;
  hooks: {
    name: string;
    when: 'before' | 'after';
    command: string;
    timeoutSeconds?: number;
    onFailure?: 'fail' | 'skip';
    runOn?: 'success' | 'failure' | 'always';
  }[];
  enabled: boolean;
  oneFileSystem: boolean;
  checkpointIntervalSeconds: number | null;
  jitterSeconds: number | null;
  missedBackupHours: number | null;
  hasPingUrl: boolean;
  createdAt: string;
  updatedAt: string;
  nextRuns: string[];
  skippedForOverlap: number;
};

/** components/schemas/Repository */
export type Repository = {
  id: string;
  name: string;
  location: string;
  encryption:
    | 'repokey-blake2'
    | 'repokey'
    | 'keyfile-blake2'
    | 'keyfile'
    | 'authenticated-blake2'
    | 'authenticated'
    | 'none';
  sshKeyId: string | null;
  remotePath: string | null;
  uploadRateLimitKbps: number | null;
  allowRelocated: boolean;
  hostKeyFingerprint: string | null;
  hasKeyEscrow: boolean;
  stats: {
    originalSize: number;
    compressedSize: number;
    deduplicatedSize: number;
    archiveCount: number;
  } | null;
  lastArchiveAt: string | null;
  lastCheckAt: string | null;
  createdAt: string;
  updatedAt: string;
  health: 'ok' | 'warning' | 'critical' | 'unknown';
  healthReason: string;
  needsAttention: boolean;
};

/** components/schemas/Run */
export type Run = {
  id: string;
  kind:
    | 'backup'
    | 'check'
    | 'prune'
    | 'compact'
    | 'restore'
    | 'delete-archive'
    | 'rotate-key'
    | 'rotate-ssh-key';
  status:
    'queued' | 'running' | 'waiting' | 'succeeded' | 'warning' | 'failed' | 'canceled' | 'skipped';
  trigger: string;
  repositoryId: string | null;
  planId: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: {
    step?: string;
    originalBytes?: number;
    compressedBytes?: number;
    deduplicatedBytes?: number;
    files?: number;
    currentPath?: string;
    bytesPerSecond?: number;
    percent?: number;
    etaSeconds?: number;
    isPercentEstimated?: boolean;
    message?: string;
  } | null;
  stats: Record<string, unknown> | null;
  error: {
    type: string;
    message: string;
    step?: string;
    tail?: string;
  } | null;
  waitingReason: string | null;
  steps: {
    name: string;
    status:
      | 'queued'
      | 'running'
      | 'waiting'
      | 'succeeded'
      | 'warning'
      | 'failed'
      | 'canceled'
      | 'skipped';
    startedAt: string;
    finishedAt: string | null;
  }[];
  retryOf: string | null;
  retriedBy: string | null;
  temporal: {
    workflowId: string;
    runId: string | null;
    url: string;
  };
};

/** components/schemas/SshKey */
export type SshKey = {
  id: string;
  name: string;
  type: 'ed25519' | 'rsa';
  publicKey: string;
  fingerprint: string;
  status: 'active' | 'retired';
  createdAt: string;
  authorizedKeysLine: string;
};

/** components/schemas/User */
export type User = {
  id: string;
  username: string;
  role: 'viewer' | 'operator' | 'admin';
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
};

/** Every operation of the API: the JSON body it takes and the JSON of its successful answer. */
export interface ApiContract {
  'GET /api/about': {
    body: undefined;
    response: {
      borgflowVersion: string;
      borgVersions: {
        hostId: string;
        hostname: string;
        version: string | null;
        lastSeenAt: string;
      }[];
      temporal: {
        address: string;
        namespace: string;
        serverVersion: string | null;
        uiUrl: string;
      };
    };
  };
  'GET /api/audit': {
    body: undefined;
    response: {
      entries: AuditEntry[];
      nextCursor: string | null;
    };
  };
  'POST /api/auth/login': {
    body: {
      username: string;
      password: string;
    };
    response: {
      user: User;
    };
  };
  'POST /api/auth/logout': {
    body: undefined;
    response: undefined;
  };
  'GET /api/auth/me': {
    body: undefined;
    response: {
      user: User;
    };
  };
  'POST /api/auth/password': {
    body: {
      currentPassword: string;
      newPassword: string;
    };
    response: {
      user: User;
    };
  };
  'GET /api/dashboard': {
    body: undefined;
    response: {
      repositories: Repository[];
      plans: {
        id: string;
        name: string;
        repositoryId: string;
        enabled: boolean;
        lastSuccessAt: string | null;
        lastRunStatus:
          | 'queued'
          | 'running'
          | 'waiting'
          | 'succeeded'
          | 'warning'
          | 'failed'
          | 'canceled'
          | 'skipped'
          | null;
        nextRunAt: string | null;
        health: 'ok' | 'warning' | 'critical' | 'unknown';
        healthReason: string;
        needsAttention: boolean;
      }[];
      runsNeedingAttention: Run[];
      totals: {
        originalSize: number;
        deduplicatedSize: number;
      };
    };
  };
  'GET /api/filesystem': {
    body: undefined;
    response: {
      path: string;
      roots: string[];
      entries: {
        name: string;
        path: string;
        type: 'directory' | 'file';
      }[];
      truncated: boolean;
    };
  };
  'GET /api/filesystem/restore-targets': {
    body: undefined;
    response: {
      path: string;
      roots: string[];
      entries: {
        name: string;
        path: string;
        type: 'directory' | 'file';
      }[];
      truncated: boolean;
    };
  };
  'PATCH /api/maintenance-schedules/{id}': {
    body: {
      cron?: string;
      timezone?: string;
      enabled?: boolean;
      jitterSeconds?: number | null;
      options?: {
        verifyData?: boolean;
        repositoryOnly?: boolean;
        archivesOnly?: boolean;
        maxDurationSeconds?: number;
        retention?: {
          keepWithin?: string;
          keepLast?: number;
          keepMinutely?: number;
          keepHourly?: number;
          keepDaily?: number;
          keepWeekly?: number;
          keepMonthly?: number;
          keepYearly?: number;
        };
        globArchives?: string;
        compact?: boolean;
      };
    };
    response: MaintenanceSchedule;
  };
  'DELETE /api/maintenance-schedules/{id}': {
    body: undefined;
    response: undefined;
  };
  'GET /api/notifications': {
    body: undefined;
    response: {
      channels: NotificationChannel[];
    };
  };
  'POST /api/notifications': {
    body: {
      name: string;
      url: string;
      events: (
        | 'run.succeeded'
        | 'run.warning'
        | 'run.failed'
        | 'run.canceled'
        | 'run.skipped'
        | 'run.waiting'
        | 'check.problems'
        | 'key.rotated'
        | 'backup.missed'
      )[];
      enabled?: boolean;
      repositoryIds?: string[] | null;
      planIds?: string[] | null;
    };
    response: NotificationChannel;
  };
  'PATCH /api/notifications/{id}': {
    body: {
      name?: string;
      url?: string;
      events?: (
        | 'run.succeeded'
        | 'run.warning'
        | 'run.failed'
        | 'run.canceled'
        | 'run.skipped'
        | 'run.waiting'
        | 'check.problems'
        | 'key.rotated'
        | 'backup.missed'
      )[];
      enabled?: boolean;
      repositoryIds?: string[] | null;
      planIds?: string[] | null;
    };
    response: NotificationChannel;
  };
  'DELETE /api/notifications/{id}': {
    body: undefined;
    response: undefined;
  };
  'POST /api/notifications/{id}/test': {
    body: undefined;
    response: {
      sent: boolean;
      error?: string;
    };
  };
  'GET /api/plans': {
    body: undefined;
    response: {
      plans: Plan[];
    };
  };
  'POST /api/plans': {
    body: {
      name: string;
      repositoryId: string;
      sources: string[];
      excludes?: string[];
      compression?: string;
      archiveName?: string;
      schedule?: {
        cron: string;
        timezone: string;
      } | null;
      retention?: {
        keepWithin?: string;
        keepLast?: number;
        keepMinutely?: number;
        keepHourly?: number;
        keepDaily?: number;
        keepWeekly?: number;
        keepMonthly?: number;
        keepYearly?: number;
      } | null;
      pruneAfterBackup?: boolean;
      compactAfterPrune?: boolean;
      checkAfterBackup?: boolean;
      hooks?: {
        name: string;
        when: 'before' | 'after';
        command: string;
        timeoutSeconds?: number;
        onFailure?: 'fail' | 'skip';
        runOn?: 'success' | 'failure' | 'always';
      }[];
      enabled?: boolean;
      oneFileSystem?: boolean;
      checkpointIntervalSeconds?: number;
      jitterSeconds?: number;
      missedBackupHours?: number;
      pingUrl?: string | null;
    };
    response: Plan;
  };
  'POST /api/plans/archive-name-preview': {
    body: {
      template: string;
      planName: string;
    };
    response: {
      name: string;
    };
  };
  'GET /api/plans/{id}': {
    body: undefined;
    response: Plan;
  };
  'PATCH /api/plans/{id}': {
    body: {
      name?: string;
      repositoryId?: string;
      sources?: string[];
      excludes?: string[];
      compression?: string;
      archiveName?: string;
      schedule?: {
        cron: string;
        timezone: string;
      } | null;
      retention?: {
        keepWithin?: string;
        keepLast?: number;
        keepMinutely?: number;
        keepHourly?: number;
        keepDaily?: number;
        keepWeekly?: number;
        keepMonthly?: number;
        keepYearly?: number;
      } | null;
      pruneAfterBackup?: boolean;
      compactAfterPrune?: boolean;
      checkAfterBackup?: boolean;
      hooks?: {
        name: string;
        when: 'before' | 'after';
        command: string;
        timeoutSeconds?: number;
        onFailure?: 'fail' | 'skip';
        runOn?: 'success' | 'failure' | 'always';
      }[];
      enabled?: boolean;
      oneFileSystem?: boolean;
      checkpointIntervalSeconds?: number;
      jitterSeconds?: number;
      missedBackupHours?: number;
      pingUrl?: string | null;
    };
    response: Plan;
  };
  'DELETE /api/plans/{id}': {
    body: undefined;
    response: undefined;
  };
  'POST /api/plans/{id}/run': {
    body: undefined;
    response: {
      run: Run;
    };
  };
  'GET /api/repositories': {
    body: undefined;
    response: {
      repositories: Repository[];
    };
  };
  'POST /api/repositories': {
    body: {
      name: string;
      location: string;
      encryption?:
        | 'repokey-blake2'
        | 'repokey'
        | 'keyfile-blake2'
        | 'keyfile'
        | 'authenticated-blake2'
        | 'authenticated'
        | 'none';
      passphrase?: string;
      sshKeyId?: string;
      remotePath?: string | null;
      uploadRateLimitKbps?: number | null;
      hostKeyFingerprint?: string;
      mode: 'create' | 'import';
    };
    response: Repository;
  };
  'POST /api/repositories/test-connection': {
    body: {
      location: string;
      sshKeyId?: string;
    };
    response: {
      reachable: boolean;
      hostKeyStatus: 'trusted' | 'unknown' | 'changed' | 'local';
      hostKeyFingerprints: {
        keyType: string;
        fingerprint: string;
      }[];
      hostKeyFingerprint?: string;
      message: string;
    };
  };
  'GET /api/repositories/{id}': {
    body: undefined;
    response: Repository;
  };
  'PATCH /api/repositories/{id}': {
    body: {
      name?: string;
      remotePath?: string | null;
      uploadRateLimitKbps?: number | null;
      sshKeyId?: string | null;
      allowRelocated?: boolean;
    };
    response: Repository;
  };
  'DELETE /api/repositories/{id}': {
    body: undefined;
    response: undefined;
  };
  'GET /api/repositories/{id}/archives': {
    body: undefined;
    response: {
      archives: Archive[];
    };
  };
  'GET /api/repositories/{id}/archives/diff': {
    body: undefined;
    response: {
      from: string;
      to: string;
      changes: {
        path: string;
        change: string;
        sizeDelta?: number;
      }[];
      truncated: boolean;
    };
  };
  'DELETE /api/repositories/{id}/archives/{archive}': {
    body: undefined;
    response: {
      run: Run;
    };
  };
  'GET /api/repositories/{id}/archives/{archive}/file': {
    body: undefined;
    response: unknown;
  };
  'GET /api/repositories/{id}/archives/{archive}/items': {
    body: undefined;
    response: {
      items: ArchiveItem[];
      nextCursor: string | null;
    };
  };
  'GET /api/repositories/{id}/archives/{archive}/search': {
    body: undefined;
    response: {
      items: ArchiveItem[];
      nextCursor: string | null;
    };
  };
  'POST /api/repositories/{id}/check': {
    body: {
      verifyData?: boolean;
      repositoryOnly?: boolean;
      archivesOnly?: boolean;
      maxDurationSeconds?: number;
    };
    response: {
      run: Run;
    };
  };
  'POST /api/repositories/{id}/compact': {
    body: undefined;
    response: {
      run: Run;
    };
  };
  'GET /api/repositories/{id}/key': {
    body: undefined;
    response: {
      key: string;
    };
  };
  'POST /api/repositories/{id}/prune': {
    body: {
      retention?: {
        keepWithin?: string;
        keepLast?: number;
        keepMinutely?: number;
        keepHourly?: number;
        keepDaily?: number;
        keepWeekly?: number;
        keepMonthly?: number;
        keepYearly?: number;
      };
      dryRun?: boolean;
      globArchives?: string;
    };
    response: {
      run: Run;
    };
  };
  'POST /api/repositories/{id}/restore': {
    body: {
      archive: string;
      paths: string[];
      target: string;
      stripComponents?: number;
    };
    response: {
      run: Run;
    };
  };
  'POST /api/repositories/{id}/rotate-key': {
    body: {
      newPassphrase?: string;
    };
    response: {
      run: Run;
    };
  };
  'POST /api/repositories/{id}/rotate-ssh-key': {
    body: {
      authorizedKeysFile?: string;
      appendOnly?: boolean;
      storageQuota?: string;
    };
    response: {
      run: Run;
    };
  };
  'GET /api/repositories/{id}/schedules': {
    body: undefined;
    response: {
      schedules: MaintenanceSchedule[];
    };
  };
  'POST /api/repositories/{id}/schedules': {
    body: {
      kind: 'check' | 'prune';
      cron: string;
      timezone?: string;
      enabled?: boolean;
      jitterSeconds?: number | null;
      options?: {
        verifyData?: boolean;
        repositoryOnly?: boolean;
        archivesOnly?: boolean;
        maxDurationSeconds?: number;
        retention?: {
          keepWithin?: string;
          keepLast?: number;
          keepMinutely?: number;
          keepHourly?: number;
          keepDaily?: number;
          keepWeekly?: number;
          keepMonthly?: number;
          keepYearly?: number;
        };
        globArchives?: string;
        compact?: boolean;
      };
    };
    response: MaintenanceSchedule;
  };
  'GET /api/repositories/{id}/size-history': {
    body: undefined;
    response: {
      points: {
        at: string;
        originalSize: number;
        deduplicatedSize: number;
        archiveCount: number;
      }[];
    };
  };
  'POST /api/repositories/{id}/trust-host-key': {
    body: {
      fingerprint: string;
    };
    response: Repository;
  };
  'GET /api/runs': {
    body: undefined;
    response: {
      runs: Run[];
      nextCursor: string | null;
    };
  };
  'GET /api/runs/{id}': {
    body: undefined;
    response: Run;
  };
  'POST /api/runs/{id}/abort': {
    body: undefined;
    response: {
      run: Run;
      decision: 'resume' | 'skip' | 'abort';
    };
  };
  'POST /api/runs/{id}/cancel': {
    body: undefined;
    response: {
      run: Run;
    };
  };
  'GET /api/runs/{id}/events': {
    body: undefined;
    response: unknown;
  };
  'GET /api/runs/{id}/log': {
    body: undefined;
    response: unknown;
  };
  'POST /api/runs/{id}/resume': {
    body: undefined;
    response: {
      run: Run;
      decision: 'resume' | 'skip' | 'abort';
    };
  };
  'POST /api/runs/{id}/retry': {
    body: undefined;
    response: {
      run: Run;
    };
  };
  'POST /api/runs/{id}/skip': {
    body: undefined;
    response: {
      run: Run;
      decision: 'resume' | 'skip' | 'abort';
    };
  };
  'GET /api/ssh-keys': {
    body: undefined;
    response: {
      sshKeys: SshKey[];
    };
  };
  'POST /api/ssh-keys': {
    body: {
      name: string;
      type?: 'ed25519' | 'rsa';
      privateKey?: string;
    };
    response: SshKey;
  };
  'GET /api/ssh-keys/{id}': {
    body: undefined;
    response: SshKey;
  };
  'DELETE /api/ssh-keys/{id}': {
    body: undefined;
    response: undefined;
  };
  'GET /api/tokens': {
    body: undefined;
    response: {
      tokens: ApiToken[];
    };
  };
  'POST /api/tokens': {
    body: {
      name: string;
      expiresInDays?: number;
    };
    response: {
      id: string;
      name: string;
      userId: string;
      username: string;
      createdAt: string;
      expiresAt: string | null;
      lastUsedAt: string | null;
      token: string;
    };
  };
  'DELETE /api/tokens/{id}': {
    body: undefined;
    response: undefined;
  };
  'GET /api/users': {
    body: undefined;
    response: {
      users: User[];
    };
  };
  'POST /api/users': {
    body: {
      username: string;
      password: string;
      role: 'viewer' | 'operator' | 'admin';
    };
    response: User;
  };
  'GET /api/users/{id}': {
    body: undefined;
    response: User;
  };
  'PATCH /api/users/{id}': {
    body: {
      role?: 'viewer' | 'operator' | 'admin';
      password?: string;
    };
    response: User;
  };
  'DELETE /api/users/{id}': {
    body: undefined;
    response: undefined;
  };
  'GET /healthz': {
    body: undefined;
    response: {
      ok?: boolean;
    };
  };
  'GET /metrics': {
    body: undefined;
    response: unknown;
  };
  'GET /readyz': {
    body: undefined;
    response: unknown;
  };
}
