import { parseBorgTime, parseJsonOutput } from './borg-json';
import { runBorg } from './borg-process';
import type {
  BorgCommandResult,
  BorgRepository,
  BorgRunOptions,
  CheckResult,
  EncryptionMode,
  RepositoryDetails,
} from './types';

export interface InitRepositoryRequest {
  /** Default `repokey-blake2`. */
  encryption?: EncryptionMode;
  /** Refuse to delete or overwrite data from this client (`--append-only`). */
  isAppendOnly?: boolean;
  /** Create missing parent directories of a local or remote repository path. */
  makeParentDirs?: boolean;
  /** Quota such as `500G` that borg enforces on the repository. */
  storageQuota?: string;
}

/** Creates a repository; every mode except `none` needs the target's passphrase. */
export async function initRepository(
  { target, environment }: BorgRepository,
  request: InitRepositoryRequest = {},
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  const encryption = request.encryption ?? 'repokey-blake2';
  if (encryption !== 'none' && !target.passphrase) {
    throw new TypeError(`encryption mode ${encryption} needs a passphrase`);
  }

  const result = await runBorg({
    command: ['init'],
    args: [
      `--encryption=${encryption}`,
      ...(request.isAppendOnly ? ['--append-only'] : []),
      ...(request.makeParentDirs ? ['--make-parent-dirs'] : []),
      ...(request.storageQuota ? ['--storage-quota', request.storageQuota] : []),
      '--',
      target.location,
    ],
    target: encryption === 'none' ? { ...target, passphrase: undefined } : target,
    environment,
    options,
  });

  return { status: result.status, warnings: result.warnings };
}

interface RawRepositoryInfo {
  repository: { id: string; location: string; last_modified: string };
  encryption: { mode: string; keyfile?: string };
  cache: {
    stats: {
      total_chunks: number;
      total_unique_chunks: number;
      total_size: number;
      total_csize: number;
      unique_size: number;
      unique_csize: number;
    };
  };
}

export async function repositoryInfo(
  { target, environment }: BorgRepository,
  options?: BorgRunOptions,
): Promise<RepositoryDetails> {
  const result = await runBorg({
    command: ['info'],
    args: ['--json', '--', target.location],
    target,
    environment,
    options,
  });

  const info = parseJsonOutput<RawRepositoryInfo>(result.stdout, 'info');
  const stats = info.cache.stats;
  return {
    id: info.repository.id,
    location: info.repository.location,
    lastModified: parseBorgTime(info.repository.last_modified),
    encryptionMode: info.encryption.mode,
    keyFile: info.encryption.keyfile,
    totalChunks: stats.total_chunks,
    uniqueChunks: stats.total_unique_chunks,
    totalOriginalBytes: stats.total_size,
    totalCompressedBytes: stats.total_csize,
    uniqueOriginalBytes: stats.unique_size,
    uniqueCompressedBytes: stats.unique_csize,
  };
}

export interface CheckRepositoryRequest {
  /** `repository` checks segments only, `archives` metadata only; default both. */
  scope?: 'all' | 'repository' | 'archives';
  /** Decrypt and verify every chunk (`--verify-data`); slow, implies an archives check. */
  verifyData?: boolean;
  /**
   * Check repository segments for at most this long; the next partial check continues where this
   * one stopped. Implies the `repository` scope.
   */
  maxDurationSeconds?: number;
  /** Try to fix what the check finds (`--repair`); borg warns it may lose data. */
  repair?: boolean;
  /** Limit the archives check to archives matching this glob. */
  globArchives?: string;
}

const PARTIAL_CHECK_MESSAGE = /finished partial segment check/i;

export async function checkRepository(
  { target, environment }: BorgRepository,
  request: CheckRepositoryRequest = {},
  options?: BorgRunOptions,
): Promise<CheckResult> {
  const result = await runBorg({
    command: ['check'],
    // --info makes borg say whether a time-limited check stopped early.
    args: ['--info', ...checkScopeArguments(request), '--', target.location],
    target,
    environment,
    options,
    reportsProgress: true,
    extraEnv: request.repair ? { BORG_CHECK_I_KNOW_WHAT_I_AM_DOING: 'YES' } : undefined,
  });

  return {
    status: result.status,
    warnings: [...result.errorMessages.map((message) => ({ message })), ...result.warnings],
    isHealthy: result.status === 'success',
    isPartial: result.infoMessages.some((message) => PARTIAL_CHECK_MESSAGE.test(message)),
  };
}

function checkScopeArguments(request: CheckRepositoryRequest): string[] {
  if (request.maxDurationSeconds) {
    return ['--repository-only', '--max-duration', `${Math.ceil(request.maxDurationSeconds)}`];
  }
  const scope = request.verifyData && request.scope === 'repository' ? 'all' : request.scope;
  return [
    ...(scope === 'repository' ? ['--repository-only'] : []),
    ...(scope === 'archives' ? ['--archives-only'] : []),
    ...(request.verifyData ? ['--verify-data'] : []),
    ...(request.repair ? ['--repair'] : []),
    ...(request.globArchives ? ['--glob-archives', request.globArchives] : []),
  ];
}

export interface CompactRepositoryRequest {
  /** Only compact segments with at least this share of unused space; borg's default is 10. */
  thresholdPercent?: number;
}

/** Frees the space that deleted and pruned archives left behind. */
export async function compactRepository(
  { target, environment }: BorgRepository,
  request: CompactRepositoryRequest = {},
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  const threshold = request.thresholdPercent;
  const result = await runBorg({
    command: ['compact'],
    args: [
      ...(threshold !== undefined ? ['--threshold', `${threshold}`] : []),
      '--',
      target.location,
    ],
    target,
    environment,
    options,
    reportsProgress: true,
  });

  return { status: result.status, warnings: result.warnings };
}

/**
 * Removes the repository and cache locks unconditionally. Only for a lock left by a process on
 * another host that is known to be gone: borg clears stale locks of this host by itself.
 */
export async function breakLock(
  { target, environment }: BorgRepository,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  const result = await runBorg({
    command: ['break-lock'],
    args: ['--', target.location],
    target,
    environment,
    options,
  });

  return { status: result.status, warnings: result.warnings };
}
