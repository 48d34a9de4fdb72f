import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { MaintenanceKind, MaintenanceScheduleOptions } from '../maintenance-schedules';
import type { RunError, RunProgress } from '../runs';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (`default now()`) unless given. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
// jsonb columns take plain values: postgres.js serialises them itself (a pre-stringified value
// would be stored as a JSON string scalar).
type Json<T> = ColumnType<T, T, T>;
type NullableJson<T> = ColumnType<T | null, T | null | undefined, T | null>;
type DefaultedJson<T> = ColumnType<T, T | undefined, T>;

export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: 'admin' | 'operator' | 'viewer';
  must_change_password: Generated<boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface UserSessionTable {
  id: string;
  user_id: string;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: DefaultedTimestamp;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface SshKeyTable {
  id: string;
  name: string;
  type: 'ed25519' | 'rsa';
  public_key: string;
  fingerprint: string;
  private_key_secret: string;
  status: Generated<'active' | 'retired'>;
  created_at: DefaultedTimestamp;
  retired_at: NullableTimestamp;
}

export interface RepositoryTable {
  id: string;
  name: string;
  location: string;
  encryption: string;
  passphrase_secret: string | null;
  pending_passphrase_secret: string | null;
  key_escrow_secret: string | null;
  ssh_key_id: string | null;
  remote_path: string | null;
  upload_rate_limit_kbps: number | null;
  allow_relocated: Generated<boolean>;
  host_key_fingerprint: string | null;
  /** The approved known_hosts line; workers write it into their known_hosts before connecting. */
  host_key_line: string | null;
  stats: NullableJson<Record<string, unknown>>;
  last_archive_at: NullableTimestamp;
  last_check_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface PlanTable {
  id: string;
  name: string;
  repository_id: string;
  sources: Json<string[]>;
  excludes: DefaultedJson<string[]>;
  compression: Generated<string>;
  archive_name_template: Generated<string>;
  schedule_cron: string | null;
  schedule_timezone: string | null;
  retention: NullableJson<Record<string, unknown>>;
  prune_after_backup: Generated<boolean>;
  compact_after_prune: Generated<boolean>;
  check_after_backup: Generated<boolean>;
  hooks: DefaultedJson<unknown[]>;
  options: DefaultedJson<Record<string, unknown>>;
  enabled: Generated<boolean>;
  /** Sealed healthchecks-style base URL (`secretContexts`-style context `plan:<id>:ping-url`). */
  ping_url_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the last `backup.missed` alert for this plan went out. */
  missed_backup_alerted_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** A check or prune on its own timetable, kept in step with Temporal Schedule `maintenance-<id>`. */
export interface MaintenanceScheduleTable {
  id: string;
  repository_id: string;
  kind: MaintenanceKind;
  cron: string;
  timezone: ColumnType<string, string | undefined, string>;
  enabled: Generated<boolean>;
  options: Json<MaintenanceScheduleOptions>;
  jitter_seconds: number | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface RunTable {
  id: string;
  kind: string;
  status: string;
  trigger: string;
  repository_id: string | null;
  plan_id: string | null;
  input: DefaultedJson<Record<string, unknown>>;
  progress: NullableJson<RunProgress>;
  stats: NullableJson<Record<string, unknown>>;
  error: NullableJson<RunError>;
  waiting_reason: string | null;
  steps: NullableJson<RunStep[]>;
  /** Where runs before the `run_log_lines` table kept their log; null for newer runs. */
  log_path: string | null;
  retry_of: string | null;
  retried_by: string | null;
  temporal_run_id: string | null;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

/** One step of a run as the timeline shows it. */
export interface RunStep {
  name: string;
  status: 'running' | 'succeeded' | 'warning' | 'failed' | 'skipped' | 'canceled';
  startedAt: string;
  finishedAt?: string;
}

export interface ArchiveTable {
  repository_id: string;
  name: string;
  borg_id: string;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  original_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  compressed_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  deduplicated_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  files: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface RepositorySizeHistoryTable {
  repository_id: string;
  at: Timestamp;
  original_bytes: ColumnType<string, number, number>;
  deduplicated_bytes: ColumnType<string, number, number>;
  archive_count: number;
}

export interface NotificationChannelTable {
  id: string;
  name: string;
  url_secret: string;
  url_masked: string;
  events: Json<string[]>;
  repository_ids: NullableJson<string[]>;
  plan_ids: NullableJson<string[]>;
  enabled: Generated<boolean>;
  last_sent_at: NullableTimestamp;
  last_error: string | null;
  last_error_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultedTimestamp;
  user_id: string | null;
  username: string | null;
  action: string;
  target: string | null;
  address: string | null;
  outcome: string;
  details: NullableJson<Record<string, unknown>>;
}

export interface WorkerTable {
  id: string;
  hostname: string;
  task_queue: string;
  borg_version: string | null;
  started_at: Timestamp;
  last_seen_at: Timestamp;
}

/** Whether an archive's items are in `archive_items`, so browsing it is an index lookup. */
export interface ArchiveIndexTable {
  id: Generated<string>;
  repository_id: string;
  archive_name: string;
  /** The archive's borg id when indexed: a new archive under the same name is indexed afresh. */
  borg_id: string | null;
  state: 'indexing' | 'ready' | 'failed';
  item_count: ColumnType<string, number | undefined, number>;
  error: string | null;
  started_at: DefaultedTimestamp;
  finished_at: NullableTimestamp;
}

/** One item of an indexed archive, filed under its parent directory (`''` for the top level). */
export interface ArchiveItemTable {
  index_id: string;
  parent: string;
  name: string;
  type: string;
  size: ColumnType<string, number, number>;
  mtime: NullableTimestamp;
}

export interface LoginFailureTable {
  /** `user:<name>` or `address:<ip>` */
  key: string;
  failures: number;
  last_failure_at: DefaultedTimestamp;
  locked_until: NullableTimestamp;
}

/** One line of a run's log: a borg command line, what borg or a hook printed. */
export interface RunLogLineTable {
  id: Generated<string>;
  run_id: string;
  logged_at: DefaultedTimestamp;
  line: string;
}

/** Every table Borgflow keeps in PostgreSQL, as kysely sees them. */
export interface Database {
  users: UserTable;
  user_sessions: UserSessionTable;
  login_failures: LoginFailureTable;
  api_tokens: ApiTokenTable;
  ssh_keys: SshKeyTable;
  repositories: RepositoryTable;
  plans: PlanTable;
  maintenance_schedules: MaintenanceScheduleTable;
  runs: RunTable;
  run_log_lines: RunLogLineTable;
  notification_channels: NotificationChannelTable;
  audit_log: AuditLogTable;
  workers: WorkerTable;
  archives: ArchiveTable;
  repository_size_history: RepositorySizeHistoryTable;
  archive_indexes: ArchiveIndexTable;
  archive_items: ArchiveItemTable;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type RepositoryRow = Selectable<RepositoryTable>;
export type PlanRow = Selectable<PlanTable>;
export type MaintenanceScheduleRow = Selectable<MaintenanceScheduleTable>;
export type RunRow = Selectable<RunTable>;
export type SshKeyRow = Selectable<SshKeyTable>;
export type NotificationChannelRow = Selectable<NotificationChannelTable>;
export type WorkerRow = Selectable<WorkerTable>;
export type ArchiveRow = Selectable<ArchiveTable>;
export type ArchiveIndexRow = Selectable<ArchiveIndexTable>;
export type ArchiveItemRow = Selectable<ArchiveItemTable>;
