import type { Readable } from 'node:stream';
import { execa, type ResultPromise, type StdoutStderrOption } from 'execa';
import { BorgOutput } from './borg-output';
import { commandEnvironment } from './environment';
import { BorgError, classifyBorgFailure, isWarningExit } from './errors';
import { logLineOf } from './log-json-parser';
import { redactSecrets } from './redact';
import { openSshSession, parseSshLocation, quoteForShlex, type SshSession } from './ssh';
import { openStderrFile, type StderrFile } from './stderr-file';
import type {
  BorgCommandResult,
  BorgEnvironment,
  BorgLogSink,
  BorgRunOptions,
  BorgTarget,
} from './types';
import { borgVersion } from './version';

const DEFAULT_LOCK_WAIT_SECONDS = 60;
const DEFAULT_CANCEL_GRACE_MS = 30_000;
const PROGRESS_INTERVAL_MS = 1000;

/** One borg command line and everything it needs to run. */
export interface BorgInvocation {
  /** Subcommand words, e.g. `['create']` or `['key', 'export']`. */
  command: string[];
  /** Options and positional arguments after the subcommand. */
  args: string[];
  environment: BorgEnvironment;
  target?: BorgTarget;
  options?: BorgRunOptions;
  /** Whether the subcommand accepts `--progress`. */
  reportsProgress?: boolean;
  /** Variables this operation needs beyond the clean environment, e.g. prompt answers. */
  extraEnv?: Record<string, string>;
  /** Secrets besides the target's that must not reach the log or an error. */
  extraSecrets?: string[];
  /** Text fed to borg's standard input. */
  stdin?: string;
  cwd?: string;
  /** Keep standard output out of the log file, e.g. an exported key. */
  isStdoutSecret?: boolean;
}

export interface BorgRunResult extends BorgCommandResult {
  exitCode: number;
  /** Messages of borg's listing loggers, e.g. `prune --list`. */
  listings: string[];
  /** ERROR lines, e.g. the damage `check` found. */
  errorMessages: string[];
  /** INFO lines, logged only when a command passes `--info`. */
  infoMessages: string[];
  /** Standard output as text; empty when the caller streamed it. */
  stdout: string;
}

/** A started borg command whose standard output the caller consumes as a stream. */
export interface RunningBorg {
  stdout: Readable;
  /** Settles once borg has exited; rejects with a {@link BorgError}. */
  completion: Promise<BorgRunResult>;
  /** Asks borg to stop, e.g. when the consumer no longer wants its output. */
  stop: () => void;
}

/** Runs borg to completion, collecting its standard output as text. */
export async function runBorg(invocation: BorgInvocation): Promise<BorgRunResult> {
  const running = await launch(invocation, { isStdoutStreamed: false });

  return running.completion;
}

/** Starts borg and hands its standard output to the caller as a stream. */
export function startBorg(invocation: BorgInvocation): Promise<RunningBorg> {
  return launch(invocation, { isStdoutStreamed: true });
}

/**
 * Spawns borg so that the kernel interrupts it with exactly one SIGINT if the worker dies, even by
 * SIGKILL, instead of leaving it running with the repository locked; see `supervisedArgv`.
 */
async function launch(invocation: BorgInvocation, mode: SpawnMode): Promise<RunningBorg> {
  throwIfCancelled(invocation);
  const version = await borgVersion(invocation.environment);

  const ssh = await openSshSessionFor(invocation.target);
  let stderr: StderrFile | undefined;
  try {
    stderr = await openStderrFile();
    const spawnMode = { ...mode, hasModernExitCodes: version.hasModernExitCodes };
    return spawnBorg(invocation, spawnMode, { ssh, stderr });
  } catch (error) {
    await stderr?.dispose();
    await ssh?.dispose();
    throw error;
  }
}

function throwIfCancelled({ options, command }: BorgInvocation): void {
  if (!options?.signal?.aborted) return;
  throw new BorgError({ type: 'CANCELLED', commandName: command.join(' ') });
}

function openSshSessionFor(target: BorgTarget | undefined): Promise<SshSession | undefined> {
  if (!target || !parseSshLocation(target.location)) return Promise.resolve(undefined);
  return openSshSession(target);
}

interface SpawnMode {
  isStdoutStreamed: boolean;
}

function spawnBorg(
  invocation: BorgInvocation,
  { isStdoutStreamed, hasModernExitCodes }: SpawnMode & { hasModernExitCodes: boolean },
  { ssh, stderr }: { ssh: SshSession | undefined; stderr: StderrFile },
): RunningBorg {
  const secrets = secretsOf(invocation);
  const argv = borgArguments(invocation);
  const log = redactingLog(invocation.options?.log, secrets);
  log?.write(`$ ${argv.map(quoteForShlex).join(' ')}\n`);

  const [command, ...args] = supervisedArgv(argv);
  const subprocess = execa(command, args, {
    cwd: invocation.cwd,
    // Its own process group, so a last-resort SIGKILL reaches borg and whatever borg started.
    detached: true,
    env: commandEnvironment(invocation.environment, {
      target: invocation.target,
      borgRsh: ssh?.borgRsh,
      hasModernExitCodes,
      extra: invocation.extraEnv,
    }),
    extendEnv: false,
    stdio: stdioFor(invocation, stderr.fd),
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
  });

  const output = new BorgOutput();
  const stdoutLog = invocation.isStdoutSecret || printsJson(invocation) ? undefined : log;
  let hasExited = false;
  const exited = subprocess.finally(() => {
    hasExited = true;
  });
  const run: RunState = {
    output,
    exited,
    stdout: isStdoutStreamed ? undefined : collectStdout(subprocess.stdout, stdoutLog),
    stderr,
    stderrDone: followStderr(stderr, () => hasExited, output, invocation.options, log),
    stopProgress: reportProgress(output, invocation.options),
    cancellation: escalateOnAbort(subprocess, invocation.options),
    log,
    ssh,
    secrets,
    hasModernExitCodes,
  };

  const completion = finishRun(invocation, run);
  // The caller may stop consuming before it awaits completion; the failure stays observable.
  completion.catch(() => undefined);

  return { stdout: subprocess.stdout, completion, stop: () => subprocess.kill('SIGTERM') };
}

/** Everything that watches one borg process and must be released when it exits. */
interface RunState {
  output: BorgOutput;
  /** Settles once borg has exited. */
  exited: Promise<BorgExit>;
  stdout?: { text: () => string };
  log?: RedactingLog;
  ssh?: SshSession;
  stderr: StderrFile;
  secrets: string[];
  hasModernExitCodes: boolean;
  stderrDone: Promise<void>;
  stopProgress: () => void;
  cancellation: Cancellation;
}

async function finishRun(invocation: BorgInvocation, run: RunState): Promise<BorgRunResult> {
  try {
    const result = await run.exited;
    await run.stderrDone;

    const sshLog = (await run.ssh?.readLog()) ?? '';
    run.log?.write(sshLog);
    run.output.addDiagnostic(sshLog);
    return toRunResult(invocation, result, run.output, {
      stdout: run.stdout?.text() ?? '',
      isCancelled: run.cancellation.isCancelled(),
      hasModernExitCodes: run.hasModernExitCodes,
      secrets: run.secrets,
    });
  } finally {
    run.stopProgress();
    run.cancellation.dispose();
    await run.log?.flush();
    await run.stderr.dispose();
    await run.ssh?.dispose();
  }
}

function borgArguments({
  environment,
  command,
  args,
  target,
  options,
  reportsProgress,
}: BorgInvocation) {
  const lockWait = options?.lockWaitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS;
  return [
    environment.borgPath ?? 'borg',
    ...command,
    '--log-json',
    ...['--lock-wait', `${lockWait}`],
    ...(target?.remotePath ? ['--remote-path', target.remotePath] : []),
    ...(target?.uploadRateLimitKbps ? ['--upload-ratelimit', `${target.uploadRateLimitKbps}`] : []),
    ...(reportsProgress ? ['--progress'] : []),
    ...args,
  ];
}

function secretsOf({ target, extraSecrets }: BorgInvocation): string[] {
  return [target?.passphrase, target?.sshPrivateKey, ...(extraSecrets ?? [])].filter(
    (secret): secret is string => Boolean(secret),
  );
}

// The passphrase travels through an extra pipe (BORG_PASSPHRASE_FD), never argv or the
// environment, which other processes of the same user can read in /proc. Standard error goes
// straight into a file (see StderrFile): execa hands any descriptor number to spawn untouched,
// although its types name only the numbers 1 to 9.
function stdioFor({ stdin, target }: BorgInvocation, stderrFd: number) {
  const input = stdin === undefined ? 'ignore' : Buffer.from(stdin, 'utf8');
  const stderr = stderrFd as unknown as StdoutStderrOption;
  const passphrase = target?.passphrase;
  if (passphrase === undefined) return [input, 'pipe', stderr] as const;
  return [input, 'pipe', stderr, Buffer.from(passphrase, 'utf8')] as const;
}

type RedactingLog = BorgLogSink;

function redactingLog(sink: BorgLogSink | undefined, secrets: string[]): RedactingLog | undefined {
  if (!sink) return undefined;
  return {
    write: (text) => text && sink.write(redactSecrets(text, secrets)),
    flush: () => sink.flush(),
  };
}

// JSON on standard output is for Borgflow to read; the run's log is for a person.
function printsJson({ args }: BorgInvocation): boolean {
  return args.includes('--json') || args.includes('--json-lines');
}

function collectStdout(stdout: Readable, log: RedactingLog | undefined) {
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    log?.write(chunk.toString('utf8'));
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

function followStderr(
  stderr: StderrFile,
  hasExited: () => boolean,
  output: BorgOutput,
  options: BorgRunOptions | undefined,
  log: RedactingLog | undefined,
): Promise<void> {
  const onLine = (line: string) => {
    const event = output.accept(line);
    const logLine = logLineOf(event);
    if (logLine !== undefined) log?.write(`${logLine}\n`);
    options?.onEvent?.(event);
  };
  return stderr.follow(onLine, hasExited);
}

function reportProgress(output: BorgOutput, options: BorgRunOptions | undefined): () => void {
  const onProgress = options?.onProgress;
  if (!onProgress) return () => undefined;

  const timer = setInterval(() => onProgress(output.sampleProgress()), PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}

/**
 * borg 1.2 writes a checkpoint on its first SIGINT and aborts without one on the second. A
 * parent-death signal fires each time the child is handed to another thread of the dying parent,
 * and the worker has many threads: borg under it directly got two or three SIGINTs and often left
 * no checkpoint. A single-threaded `timeout` (with no time limit) in between dies once, by its own
 * parent-death SIGKILL, and borg's parent-death SIGINT then fires once. `--foreground` keeps
 * `timeout` in our process group and makes it forward a signal to borg once, not twice.
 */
export function supervisedArgv(argv: string[]): string[] {
  return [
    ...['setpriv', '--pdeathsig', 'SIGKILL', '--'],
    ...['timeout', '--foreground', '0'],
    ...['setpriv', '--pdeathsig', 'SIGINT', '--'],
    ...argv,
  ];
}

interface Cancellation {
  isCancelled: () => boolean;
  dispose: () => void;
}

// SIGINT lets `borg create` write a checkpoint archive before it exits; SIGTERM and SIGKILL
// follow for a borg that does not stop in time. `timeout` passes SIGINT and SIGTERM on to borg;
// SIGKILL goes to the whole process group, since `timeout` cannot pass it on.
function escalateOnAbort(
  subprocess: ResultPromise,
  options: BorgRunOptions | undefined,
): Cancellation {
  const signal = options?.signal;
  const graceMs = options?.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
  const timers: NodeJS.Timeout[] = [];
  let isCancelled = false;

  const onAbort = () => {
    isCancelled = true;
    subprocess.kill('SIGINT');
    timers.push(setTimeout(() => subprocess.kill('SIGTERM'), graceMs));
    timers.push(setTimeout(() => killGroup(subprocess), 2 * graceMs));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  return {
    isCancelled: () => isCancelled,
    dispose: () => {
      signal?.removeEventListener('abort', onAbort);
      timers.forEach(clearTimeout);
    },
  };
}

interface ExitContext {
  stdout: string;
  isCancelled: boolean;
  hasModernExitCodes: boolean;
  secrets: string[];
}

/** How the borg process ended, as execa reports it. */
interface BorgExit {
  exitCode?: number;
  signal?: string;
  message?: string;
}

function toRunResult(
  invocation: BorgInvocation,
  result: BorgExit,
  output: BorgOutput,
  context: ExitContext,
): BorgRunResult {
  const { exitCode, signal } = result;
  const base = {
    exitCode: exitCode ?? -1,
    warnings: output.warnings,
    listings: output.listings,
    errorMessages: output.errorMessages,
    infoMessages: output.infoMessages,
    stdout: context.stdout,
  };
  if (exitCode === 0) return { ...base, status: 'success' };
  if (exitCode !== undefined && isWarningExit(exitCode, context.hasModernExitCodes)) {
    return { ...base, status: 'warning' };
  }

  const type = classifyBorgFailure({
    exitCode,
    signal,
    isCancelled: context.isCancelled,
    msgids: output.msgids,
    output: output.text,
    hasModernExitCodes: context.hasModernExitCodes,
  });
  throw new BorgError({
    type,
    commandName: invocation.command.join(' '),
    exitCode,
    msgid: output.msgids.at(-1),
    tail: output.text || (exitCode === undefined ? result.message : ''),
    secrets: context.secrets,
  });
}

function killGroup(subprocess: ResultPromise): void {
  if (subprocess.pid === undefined) return;
  try {
    process.kill(-subprocess.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}
