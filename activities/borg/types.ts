import type { BorgLogEvent } from './log-json-parser';

/** A borg repository and the secrets needed to open it. */
export interface BorgTarget {
  /** Local absolute path, or `ssh://user@host:port/path`. */
  location: string;
  /** Repository passphrase; omitted for `none` encryption. */
  passphrase?: string;
  /** OpenSSH private key text used to log in to an ssh repository. */
  sshPrivateKey?: string;
  /** known_hosts file that pins the ssh host key; required for ssh repositories to connect. */
  knownHostsFile?: string;
  /** Path of borg on the remote host, passed as `--remote-path`. */
  remotePath?: string;
  /** Upload limit for remote repositories, in KiB/s (`--upload-ratelimit`). */
  uploadRateLimitKbps?: number;
  /** Accept a repository whose location changed since this host last used it. */
  allowRelocated?: boolean;
}

/** Where borg keeps its state on this worker host. */
export interface BorgEnvironment {
  /** Used as BORG_BASE_DIR and HOME, so cache, config and key files live in Borgflow's data dir. */
  baseDir: string;
  /** Stable BORG_HOST_ID of this worker host; borg uses it to recognise its own stale locks. */
  hostId: string;
  /** Borg executable; defaults to `borg` on PATH. */
  borgPath?: string;
}

/** Latest progress of a running borg command. */
export interface BorgProgress {
  originalBytes: number;
  compressedBytes: number;
  deduplicatedBytes: number;
  files: number;
  currentPath: string;
  /** Rate of `originalBytes` over the last progress interval. */
  bytesPerSecond: number;
  /** Completion of the current operation, when borg can tell (check, extract, prune...). */
  percent?: number;
  /** Borg's own description of what it is doing now. */
  message?: string;
}

/** Where a run's log goes: the command line (without secrets) and what borg printed, as text. */
export interface BorgLogSink {
  /** Takes text of one or more lines; never throws. */
  write(text: string): void;
  /** Resolves once everything written so far is stored; awaited when a command ends. */
  flush(): Promise<void>;
}

/** How to run one borg command. */
export interface BorgRunOptions {
  /** Receives the command line and every line borg prints, secrets removed. */
  log?: BorgLogSink;
  /** Called for every parsed line of borg's `--log-json` output. */
  onEvent?: (event: BorgLogEvent) => void;
  /** Called about once per second while borg runs, even when it prints nothing. */
  onProgress?: (progress: BorgProgress) => void;
  /** Aborting sends SIGINT, then SIGTERM, then SIGKILL, each after `cancelGraceMs`. */
  signal?: AbortSignal;
  /** How long to wait for a repository lock held by another live process. Default 60. */
  lockWaitSeconds?: number;
  /** Time borg gets to stop after each cancellation signal. Default 30 000. */
  cancelGraceMs?: number;
}

/** A borg 1.x encryption mode accepted by `borg init`. */
export type EncryptionMode =
  | 'repokey-blake2'
  | 'repokey'
  | 'keyfile-blake2'
  | 'keyfile'
  | 'authenticated-blake2'
  | 'authenticated'
  | 'none';

/** A problem borg reported while still finishing the command (exit code 1). */
export interface BorgWarning {
  message: string;
  /** The file the warning is about, when borg names one. */
  path?: string;
}

/** Outcome shared by every command: `warning` means borg finished but reported problems. */
export interface BorgCommandResult {
  status: 'success' | 'warning';
  warnings: BorgWarning[];
}

export interface BorgVersion {
  /** As printed by `borg --version`, e.g. `1.2.4`. */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** Borg 1.4 and later can report specific exit codes (`BORG_EXIT_CODES=modern`). */
  hasModernExitCodes: boolean;
}

/** Sizes borg reports for an archive or a whole repository. */
export interface ArchiveStats {
  originalBytes: number;
  compressedBytes: number;
  deduplicatedBytes: number;
  files: number;
}

export interface ArchiveSummary {
  name: string;
  id: string;
  start: Date;
}

export interface CreatedArchive extends BorgCommandResult {
  archive: ArchiveSummary & { end: Date; durationSeconds: number; stats: ArchiveStats };
}

export interface ArchiveDetails extends ArchiveSummary {
  end: Date;
  durationSeconds: number;
  hostname: string;
  username: string;
  comment: string;
  commandLine: string[];
  stats: ArchiveStats;
}

export interface RepositoryDetails {
  id: string;
  location: string;
  lastModified: Date;
  encryptionMode: string;
  /** Key file on this host, for the keyfile encryption modes. */
  keyFile?: string;
  totalChunks: number;
  uniqueChunks: number;
  /** Sum of all archives' original sizes. */
  totalOriginalBytes: number;
  totalCompressedBytes: number;
  /** Space the repository takes after deduplication and compression. */
  uniqueCompressedBytes: number;
  uniqueOriginalBytes: number;
}

/** One entry of an archive, as streamed by `borg list --json-lines`. */
export interface ArchiveItem {
  path: string;
  /** `-` file, `d` directory, `l` symlink, `b`/`c` device, `p` fifo, `s` socket, `h` hard link. */
  type: string;
  mode: string;
  user: string;
  group: string;
  uid: number;
  gid: number;
  sizeBytes: number;
  mtime: Date;
  linkTarget: string;
  isHealthy: boolean;
}

export interface CheckResult extends BorgCommandResult {
  /** False when borg found damage; the warnings say what. */
  isHealthy: boolean;
  /** True when `--max-duration` stopped the check early; the next one continues from there. */
  isPartial: boolean;
}

export type PruneDecision = 'keep' | 'prune';

export interface PrunedArchive {
  name: string;
  id: string;
  decision: PruneDecision;
  /** Retention rule that kept the archive, e.g. `daily #1`. */
  rule?: string;
}

export interface PruneResult extends BorgCommandResult {
  isDryRun: boolean;
  archives: PrunedArchive[];
}

/** One change between two archives, from `borg diff --json-lines`. */
export interface DiffEntry {
  path: string;
  changes: DiffChange[];
}

export type DiffChange =
  | { type: 'modified'; addedBytes: number; removedBytes: number }
  | { type: 'added' | 'removed'; sizeBytes: number }
  | { type: 'added directory' | 'removed directory' | 'added link' | 'removed link' }
  | { type: 'changed link' }
  | { type: 'mode'; oldMode: string; newMode: string }
  | { type: 'owner'; oldUser: string; newUser: string; oldGroup: string; newGroup: string }
  | { type: string; [field: string]: unknown };

/** A repository as seen from this worker host: where it is and where borg keeps its state. */
export interface BorgRepository {
  target: BorgTarget;
  environment: BorgEnvironment;
}
