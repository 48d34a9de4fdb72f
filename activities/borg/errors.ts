import { ApplicationFailure } from '@temporalio/common';
import { redactSecrets } from './redact';

export type BorgErrorType =
  | 'WRONG_PASSPHRASE'
  | 'REPOSITORY_NOT_FOUND'
  | 'REPOSITORY_ALREADY_EXISTS'
  | 'NOT_A_REPOSITORY'
  | 'LOCK_TIMEOUT'
  | 'CONNECTION_FAILED'
  | 'HOST_KEY_CHANGED'
  | 'HOST_KEY_UNKNOWN'
  | 'PERMISSION_DENIED'
  | 'NO_SPACE_LEFT'
  | 'ARCHIVE_ALREADY_EXISTS'
  | 'ARCHIVE_NOT_FOUND'
  | 'PATH_NOT_ALLOWED'
  | 'CANCELLED'
  | 'KILLED'
  | 'UNKNOWN';

interface BorgErrorRule {
  type: BorgErrorType;
  isRetryable: boolean;
  /** One sentence for a person: what failed and what to do. */
  message: string;
  /** Ids from borg's JSON log lines; remote errors arrive with the bare class name. */
  msgids?: string[];
  /** Specific exit codes of borg 1.4+ with `BORG_EXIT_CODES=modern`. */
  modernExitCodes?: number[];
  /** Text that ssh or the operating system prints, which borg passes on as a log line. */
  outputPatterns?: RegExp[];
}

// Message ids and modern exit codes are those of borg's error list:
// https://borgbackup.readthedocs.io/en/1.4-maintenance/internals/frontends.html#message-ids
// Rules with output patterns come first: ssh failures end in a generic ConnectionClosed, and only
// ssh's own words say whether a host key, an account or the network was at fault.
const ERROR_RULES: readonly BorgErrorRule[] = [
  {
    type: 'HOST_KEY_CHANGED',
    isRetryable: false,
    message:
      "The repository host's ssh key changed since it was approved: confirm the new key with the host's administrator before trusting it.",
    outputPatterns: [/REMOTE HOST IDENTIFICATION HAS CHANGED/],
  },
  {
    type: 'HOST_KEY_UNKNOWN',
    isRetryable: false,
    message:
      "The repository host's ssh key has not been approved yet: check its fingerprint and trust it before connecting.",
    outputPatterns: [/No \S+ host key is known for/, /Host key verification failed/],
  },
  {
    type: 'PERMISSION_DENIED',
    isRetryable: false,
    message:
      "The repository host refused Borgflow's ssh key or the repository path: authorize the key for that account and check the directory permissions.",
    msgids: ['Repository.PathPermissionDenied'],
    modernExitCodes: [21],
    outputPatterns: [/Permission denied \(publickey/],
  },
  {
    type: 'NO_SPACE_LEFT',
    isRetryable: false,
    message:
      "The disk holding the repository or borg's cache is full: free some space or raise the storage quota, then run again.",
    msgids: ['Repository.InsufficientFreeSpaceError', 'Repository.StorageQuotaExceeded'],
    modernExitCodes: [14],
    outputPatterns: [/No space left on device/],
  },
  {
    type: 'CONNECTION_FAILED',
    isRetryable: true,
    message:
      'Borgflow could not reach the repository host: check that the host is up and accepts ssh connections on the configured port.',
    msgids: ['ConnectionClosed', 'ConnectionClosedWithHint', 'ConnectionBrokenWithHint'],
    modernExitCodes: [80, 81, 87],
    outputPatterns: [
      /Connection refused/,
      /No route to host/,
      /Could not resolve hostname/,
      /Network is unreachable/,
      /Connection timed out/,
      /Connection reset by peer/,
    ],
  },
  {
    type: 'WRONG_PASSPHRASE',
    isRetryable: false,
    message:
      'The repository passphrase is wrong: enter the passphrase the repository key was last protected with.',
    msgids: ['PassphraseWrong', 'PasswordRetriesExceeded', 'NoPassphraseFailure'],
    modernExitCodes: [50, 52, 53],
  },
  {
    type: 'REPOSITORY_NOT_FOUND',
    isRetryable: false,
    message:
      'No borg repository exists at this location: check the path, or initialise the repository first.',
    msgids: ['Repository.DoesNotExist', 'DoesNotExist', 'Repository.ParentPathDoesNotExist'],
    modernExitCodes: [13, 18],
  },
  {
    type: 'REPOSITORY_ALREADY_EXISTS',
    isRetryable: false,
    message:
      'A repository or other data already exists at this location: use the existing repository or choose an empty path.',
    msgids: ['Repository.AlreadyExists', 'AlreadyExists', 'Repository.PathAlreadyExists'],
    modernExitCodes: [10, 19],
  },
  {
    type: 'NOT_A_REPOSITORY',
    isRetryable: false,
    message:
      'The location holds something that is not a valid borg repository: point to the repository directory itself.',
    msgids: [
      'Repository.InvalidRepository',
      'InvalidRepository',
      'Repository.InvalidRepositoryConfig',
      'InvalidRepositoryConfig',
    ],
    modernExitCodes: [15, 16],
  },
  {
    type: 'LOCK_TIMEOUT',
    isRetryable: true,
    message:
      'Another borg process still holds the repository lock: wait for it to finish, then run again.',
    msgids: ['LockTimeout', 'LockError'],
    modernExitCodes: [70, 73],
  },
  {
    type: 'ARCHIVE_ALREADY_EXISTS',
    isRetryable: false,
    message:
      'An archive with this name already exists in the repository: choose another archive name.',
    msgids: ['Archive.AlreadyExists'],
    modernExitCodes: [30],
  },
  {
    type: 'ARCHIVE_NOT_FOUND',
    isRetryable: false,
    message:
      'The archive does not exist in the repository: refresh the archive list and pick an existing archive.',
    msgids: ['Archive.DoesNotExist'],
    modernExitCodes: [31],
  },
  {
    type: 'PATH_NOT_ALLOWED',
    isRetryable: false,
    message:
      'The ssh account may only use other repository paths: choose a path inside the directory that account is restricted to.',
    msgids: ['PathNotAllowed'],
    modernExitCodes: [83],
  },
  {
    type: 'CANCELLED',
    isRetryable: false,
    message: 'The borg command was cancelled before it finished: start it again when needed.',
  },
  {
    type: 'KILLED',
    isRetryable: true,
    message:
      'Borg was stopped by a signal before it finished: check the worker host for memory pressure or restarts, then run again.',
  },
  {
    // Unrecognised failures stay retryable: the retry policy's attempt limit bounds the cost.
    type: 'UNKNOWN',
    isRetryable: true,
    message: "Borg failed for a reason Borgflow does not recognise: read borg's output below.",
  },
];

const RULES_BY_TYPE = new Map(ERROR_RULES.map((rule) => [rule.type, rule]));

export const EXIT_SUCCESS = 0;
export const EXIT_WARNING = 1;
const EXIT_SIGNAL_BASE = 128;

// Borg 1.4's modern warning codes, e.g. 107 for a source file that was not found.
const MODERN_WARNING_CODES = { min: 100, max: 127 };

/** What a finished borg process left behind, as input to {@link classifyBorgFailure}. */
export interface BorgFailureEvidence {
  exitCode?: number;
  signal?: string;
  isCancelled: boolean;
  /** `msgid`s of the ERROR lines borg logged, in order. */
  msgids: string[];
  /** Borg's stderr as text, scanned for ssh and operating system messages. */
  output: string;
  hasModernExitCodes: boolean;
}

export function isWarningExit(exitCode: number, hasModernExitCodes: boolean): boolean {
  if (exitCode === EXIT_WARNING) return true;
  if (!hasModernExitCodes) return false;
  return exitCode >= MODERN_WARNING_CODES.min && exitCode <= MODERN_WARNING_CODES.max;
}

/** Finds the error type that explains a failed borg run. */
export function classifyBorgFailure(evidence: BorgFailureEvidence): BorgErrorType {
  if (evidence.isCancelled) return 'CANCELLED';

  const byOutput = ERROR_RULES.find((rule) =>
    rule.outputPatterns?.some((pattern) => pattern.test(evidence.output)),
  );
  if (byOutput) return byOutput.type;

  const byMsgid = [...evidence.msgids]
    .reverse()
    .map((msgid) => ERROR_RULES.find((rule) => rule.msgids?.includes(msgid)))
    .find((rule) => rule !== undefined);
  if (byMsgid) return byMsgid.type;

  return classifyExitCode(evidence);
}

function classifyExitCode({ exitCode, signal, hasModernExitCodes }: BorgFailureEvidence) {
  if (signal || (exitCode !== undefined && exitCode >= EXIT_SIGNAL_BASE)) return 'KILLED';
  if (!hasModernExitCodes || exitCode === undefined) return 'UNKNOWN';

  const byExitCode = ERROR_RULES.find((rule) => rule.modernExitCodes?.includes(exitCode));
  return byExitCode?.type ?? 'UNKNOWN';
}

export function isRetryableBorgError(type: BorgErrorType): boolean {
  return RULES_BY_TYPE.get(type)?.isRetryable ?? true;
}

export function describeBorgError(type: BorgErrorType): string {
  return RULES_BY_TYPE.get(type)?.message ?? '';
}

const MAX_TAIL_BYTES = 4096;

/** Keeps the last {@link MAX_TAIL_BYTES} of borg's output, cut at a line start when possible. */
export function capTail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_TAIL_BYTES) return text;

  const kept = bytes.subarray(bytes.length - MAX_TAIL_BYTES).toString('utf8');
  const firstLineBreak = kept.indexOf('\n');
  return firstLineBreak >= 0 ? kept.slice(firstLineBreak + 1) : kept.replace(/^\uFFFD+/, '');
}

export interface BorgErrorFields {
  type: BorgErrorType;
  /** Borg subcommand, e.g. `create` or `key export`. */
  commandName: string;
  exitCode?: number;
  msgid?: string;
  /** Borg's own last words; redacted and capped here again before they are kept. */
  tail?: string;
  /** Secrets to remove from the tail. */
  secrets?: readonly (string | undefined)[];
}

/** A borg command that failed, classified into a stable type that retry policies key on. */
export class BorgError extends Error {
  readonly type: BorgErrorType;
  readonly isRetryable: boolean;
  readonly exitCode: number | null;
  readonly msgid: string | null;
  readonly tail: string;
  readonly commandName: string;

  constructor(fields: BorgErrorFields) {
    super(describeBorgError(fields.type));
    this.name = 'BorgError';
    this.type = fields.type;
    this.isRetryable = isRetryableBorgError(fields.type);
    this.exitCode = fields.exitCode ?? null;
    this.msgid = fields.msgid ?? null;
    this.tail = capTail(redactSecrets(fields.tail ?? '', fields.secrets ?? []));
    this.commandName = fields.commandName;
  }

  /** The same failure as Temporal sees it: `type` drives the retry policy. */
  toApplicationFailure(): ApplicationFailure {
    return ApplicationFailure.create({
      message: `borg ${this.commandName}: ${this.message}`,
      type: this.type,
      nonRetryable: !this.isRetryable,
      details: [
        { exitCode: this.exitCode, msgid: this.msgid, tail: this.tail, command: this.commandName },
      ],
    });
  }
}
