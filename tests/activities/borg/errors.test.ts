import { describe, expect, it } from 'vitest';
import {
  BorgError,
  capTail,
  classifyBorgFailure,
  isWarningExit,
  type BorgFailureEvidence,
} from '../../../activities/borg/errors';
import { redactSecrets } from '../../../activities/borg/redact';

function evidence(overrides: Partial<BorgFailureEvidence>): BorgFailureEvidence {
  return {
    exitCode: 2,
    isCancelled: false,
    msgids: [],
    output: '',
    hasModernExitCodes: false,
    ...overrides,
  };
}

describe('classifyBorgFailure', () => {
  it.each([
    ['PassphraseWrong', 'WRONG_PASSPHRASE'],
    ['Repository.DoesNotExist', 'REPOSITORY_NOT_FOUND'],
    ['Repository.AlreadyExists', 'REPOSITORY_ALREADY_EXISTS'],
    ['Repository.InvalidRepository', 'NOT_A_REPOSITORY'],
    ['InvalidRepository', 'NOT_A_REPOSITORY'],
    ['LockTimeout', 'LOCK_TIMEOUT'],
    ['ConnectionClosed', 'CONNECTION_FAILED'],
    ['Archive.AlreadyExists', 'ARCHIVE_ALREADY_EXISTS'],
    ['Archive.DoesNotExist', 'ARCHIVE_NOT_FOUND'],
    ['PathNotAllowed', 'PATH_NOT_ALLOWED'],
    ['Repository.InsufficientFreeSpaceError', 'NO_SPACE_LEFT'],
    ['Exception', 'UNKNOWN'],
  ])('maps msgid %s to %s', (msgid, type) => {
    expect(classifyBorgFailure(evidence({ msgids: [msgid] }))).toBe(type);
  });

  it.each([
    ['@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@', 'HOST_KEY_CHANGED'],
    ['No ED25519 host key is known for [127.0.0.1]:2222', 'HOST_KEY_UNKNOWN'],
    ['Remote: root@127.0.0.1: Permission denied (publickey).', 'PERMISSION_DENIED'],
    ['Remote: ssh: connect to host 127.0.0.1 port 9: Connection refused', 'CONNECTION_FAILED'],
    [
      'Remote: ssh: Could not resolve hostname nowhere: Name or service not known',
      'CONNECTION_FAILED',
    ],
    ['[Errno 28] No space left on device', 'NO_SPACE_LEFT'],
  ])('prefers what ssh or the system said: %s', (output, type) => {
    const failure = evidence({ output, msgids: ['ConnectionClosed'] });

    expect(classifyBorgFailure(failure)).toBe(type);
  });

  it('reports CANCELLED whatever borg said once the run was cancelled', () => {
    const failure = evidence({ isCancelled: true, msgids: ['LockTimeout'], exitCode: 130 });

    expect(classifyBorgFailure(failure)).toBe('CANCELLED');
  });

  it('reports KILLED for a signal exit that nobody asked for', () => {
    expect(classifyBorgFailure(evidence({ exitCode: undefined, signal: 'SIGKILL' }))).toBe(
      'KILLED',
    );
    expect(classifyBorgFailure(evidence({ exitCode: 143 }))).toBe('KILLED');
  });

  it('uses modern exit codes only when borg reports them', () => {
    expect(classifyBorgFailure(evidence({ exitCode: 52, hasModernExitCodes: true }))).toBe(
      'WRONG_PASSPHRASE',
    );
    expect(classifyBorgFailure(evidence({ exitCode: 73, hasModernExitCodes: true }))).toBe(
      'LOCK_TIMEOUT',
    );
    expect(classifyBorgFailure(evidence({ exitCode: 52 }))).toBe('UNKNOWN');
  });
});

describe('isWarningExit', () => {
  it('treats 1 as a warning, and 100-127 only with modern exit codes', () => {
    expect(isWarningExit(1, false)).toBe(true);
    expect(isWarningExit(107, true)).toBe(true);
    expect(isWarningExit(107, false)).toBe(false);
    expect(isWarningExit(2, true)).toBe(false);
  });
});

describe('BorgError', () => {
  it('marks lock timeouts retryable and wrong passphrases not', () => {
    expect(new BorgError({ type: 'LOCK_TIMEOUT', commandName: 'list' }).isRetryable).toBe(true);
    expect(new BorgError({ type: 'WRONG_PASSPHRASE', commandName: 'list' }).isRetryable).toBe(
      false,
    );
  });

  it('converts to an ApplicationFailure whose type and retryability follow the table', () => {
    const error = new BorgError({
      type: 'REPOSITORY_NOT_FOUND',
      commandName: 'info',
      exitCode: 2,
      msgid: 'Repository.DoesNotExist',
      tail: 'Repository /nowhere does not exist.',
    });

    const failure = error.toApplicationFailure();

    expect(failure.type).toBe('REPOSITORY_NOT_FOUND');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('No borg repository exists');
    expect(failure.details).toEqual([
      {
        exitCode: 2,
        msgid: 'Repository.DoesNotExist',
        tail: 'Repository /nowhere does not exist.',
        command: 'info',
      },
    ]);
  });

  it('redacts secrets from its tail', () => {
    const error = new BorgError({
      type: 'UNKNOWN',
      commandName: 'create',
      tail: 'failed with hunter2-passphrase and BORG_PASSPHRASE=other-secret',
      secrets: ['hunter2-passphrase'],
    });

    expect(error.tail).not.toContain('hunter2-passphrase');
    expect(error.tail).not.toContain('other-secret');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});

describe('capTail', () => {
  it('keeps the last 4 KB starting at a line boundary', () => {
    const text = Array.from({ length: 500 }, (_, index) => `line ${index} of borg output`).join(
      '\n',
    );

    const tail = capTail(text);

    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4096);
    expect(tail.endsWith('line 499 of borg output')).toBe(true);
    expect(tail.startsWith('line ')).toBe(true);
  });
});

describe('redactSecrets', () => {
  it('removes a private key block, each of its lines and named secrets', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    const text = `key: ${key} line: b3BlbnNzaC1rZXktdjEAAAAA pass: s3cret-pass`;

    const redacted = redactSecrets(text, [key, 's3cret-pass']);

    expect(redacted).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(redacted).not.toContain('s3cret-pass');
    expect(redacted).not.toContain('PRIVATE KEY');
  });
});
