import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BorgError } from './errors';
import type { BorgTarget } from './types';

const DEFAULT_SSH_PORT = 22;
const CONNECT_TIMEOUT_SECONDS = 15;

export interface SshLocation {
  user?: string;
  host: string;
  port: number;
  path: string;
}

/** Reads `ssh://user@host:port/path`; returns undefined for local repositories. */
export function parseSshLocation(location: string): SshLocation | undefined {
  if (!location.startsWith('ssh://')) return undefined;

  const url = new URL(location);
  return {
    user: url.username ? decodeURIComponent(url.username) : undefined,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : DEFAULT_SSH_PORT,
    path: decodeURIComponent(url.pathname),
  };
}

/** How known_hosts names a host: a bare name on port 22, `[host]:port` elsewhere. */
export function knownHostsName({ host, port }: Pick<SshLocation, 'host' | 'port'>): string {
  return port === DEFAULT_SSH_PORT ? host : `[${host}]:${port}`;
}

/** The ssh command borg uses for one run, and the cleanup of the key file it points to. */
export interface SshSession {
  borgRsh: string;
  /** The same ssh command as an argument list, for running ssh directly. */
  command: string[];
  /** What ssh itself reported, e.g. a refused connection or an unknown host key. */
  readLog: () => Promise<string>;
  dispose: () => Promise<void>;
}

/**
 * Writes the private key to a 0600 file in a fresh 0700 directory for the duration of one command.
 * Host keys are checked strictly against Borgflow's known_hosts file: an unpinned host fails with
 * HOST_KEY_UNKNOWN instead of being trusted silently.
 */
export async function openSshSession(target: BorgTarget): Promise<SshSession> {
  const keyDir = await mkdtemp(path.join(tmpdir(), 'borgflow-ssh-'));
  const dispose = () => rm(keyDir, { recursive: true, force: true });
  // Borg may give up on a closed connection before it has read ssh's stderr; a log file keeps
  // ssh's explanation of the failure.
  const logFile = path.join(keyDir, 'ssh.log');
  const readLog = () => readFile(logFile, 'utf8').catch(() => '');
  try {
    const keyFile = target.sshPrivateKey ? await writePrivateKey(keyDir, target.sshPrivateKey) : '';
    const command = sshCommand({ keyFile, logFile, knownHostsFile: target.knownHostsFile });
    return { borgRsh: command.map(quoteForShlex).join(' '), command, readLog, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function writePrivateKey(keyDir: string, privateKey: string): Promise<string> {
  const keyFile = path.join(keyDir, 'id');
  // ssh rejects a key file whose last line lacks its newline.
  const text = privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`;
  await writeFile(keyFile, text, { mode: 0o600, flag: 'wx' });
  return keyFile;
}

interface SshCommandFiles {
  keyFile: string;
  logFile: string;
  knownHostsFile?: string;
}

function sshCommand({ keyFile, logFile, knownHostsFile }: SshCommandFiles): string[] {
  const identity = keyFile ? ['-i', keyFile, '-o', 'IdentitiesOnly=yes'] : [];
  return [
    'ssh',
    ...['-F', 'none'],
    ...['-E', logFile],
    ...identity,
    ...['-o', `UserKnownHostsFile=${knownHostsFile ?? '/dev/null'}`],
    ...['-o', 'GlobalKnownHostsFile=/dev/null'],
    ...['-o', 'StrictHostKeyChecking=yes'],
    ...['-o', 'UpdateHostKeys=no'],
    ...['-o', 'BatchMode=yes'],
    ...['-o', `ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`],
    ...['-o', 'ServerAliveInterval=30'],
    ...['-o', 'ServerAliveCountMax=4'],
  ];
}

/** Quotes one word so Python's shlex.split, which borg applies to BORG_RSH, gives it back. */
export function quoteForShlex(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** One host key offered by an ssh server, for a person to approve. */
export interface ScannedHostKey {
  keyType: string;
  /** As `ssh-keygen -l` prints it: `SHA256:` and unpadded base64. */
  fingerprintSha256: string;
  /** The line to add to known_hosts once the key is approved. */
  knownHostsLine: string;
}

/** Fetches the host keys of an ssh repository's server (first contact, before trusting them). */
export async function scanHostKeys(location: string): Promise<ScannedHostKey[]> {
  const ssh = requireSshLocation(location);
  const result = await execa(
    'ssh-keyscan',
    ['-T', `${CONNECT_TIMEOUT_SECONDS}`, '-p', `${ssh.port}`, '--', ssh.host],
    { extendEnv: false, env: { PATH: process.env.PATH ?? '' }, reject: false, stdin: 'ignore' },
  );

  const keys = result.stdout.split('\n').flatMap((line) => parseKnownHostsLine(line) ?? []);
  if (keys.length === 0) {
    throw new BorgError({
      type: 'CONNECTION_FAILED',
      commandName: 'ssh-keyscan',
      tail: result.stderr,
    });
  }
  return keys;
}

/** Pins the approved keys in known_hosts, replacing whatever was pinned for that host before. */
export async function trustHostKeys(
  knownHostsFile: string,
  keys: readonly ScannedHostKey[],
): Promise<void> {
  const hostNames = new Set(keys.map((key) => key.knownHostsLine.split(' ')[0]));
  const existing = await readKnownHosts(knownHostsFile);
  const kept = existing.filter((line) => !hostNames.has(line.split(' ')[0]));
  const lines = [...kept, ...keys.map((key) => key.knownHostsLine)];

  await mkdir(path.dirname(knownHostsFile), { recursive: true });

  await writeFile(knownHostsFile, `${lines.join('\n')}\n`, { mode: 0o600 });
}

export type HostKeyStatus = 'trusted' | 'unknown' | 'changed';

/** Compares the keys the server offers now with those pinned for it. */
export async function verifyHostKeys(
  location: string,
  knownHostsFile: string,
): Promise<{ status: HostKeyStatus; keys: ScannedHostKey[] }> {
  const ssh = requireSshLocation(location);
  const offered = await scanHostKeys(location);
  const hostName = knownHostsName(ssh);
  const pinned = (await readKnownHosts(knownHostsFile))
    .filter((line) => line.split(' ')[0] === hostName)
    .flatMap((line) => parseKnownHostsLine(line) ?? []);

  if (pinned.length === 0) return { status: 'unknown', keys: offered };
  const pinnedLines = new Set(pinned.map((key) => key.knownHostsLine));
  const isTrusted = offered.some((key) => pinnedLines.has(key.knownHostsLine));
  return { status: isTrusted ? 'trusted' : 'changed', keys: offered };
}

function requireSshLocation(location: string): SshLocation {
  const ssh = parseSshLocation(location);
  if (!ssh) throw new TypeError('host keys exist only for ssh:// repository locations');
  return ssh;
}

async function readKnownHosts(knownHostsFile: string): Promise<string[]> {
  const text = await readFile(knownHostsFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
}

function parseKnownHostsLine(line: string): ScannedHostKey | undefined {
  const [hostName, keyType, keyBlob] = line.trim().split(/\s+/);
  if (!hostName || !keyType || !keyBlob || line.startsWith('#')) return undefined;

  const digest = createHash('sha256').update(Buffer.from(keyBlob, 'base64')).digest('base64');
  return {
    keyType,
    fingerprintSha256: `SHA256:${digest.replace(/=+$/, '')}`,
    knownHostsLine: `${hostName} ${keyType} ${keyBlob}`,
  };
}

const REMOTE_SCRIPT_TIMEOUT_MS = 60_000;

/** What a shell script run on an ssh repository's server printed. */
export interface RemoteScriptResult {
  exitCode: number | undefined;
  stdout: string;
  /** ssh's own messages and the script's stderr. */
  stderr: string;
}

/**
 * Runs a POSIX sh script on the server of an ssh repository with the target's key, under the same
 * strict host-key rules as borg. The script is fixed text; data goes through stdin, so nothing
 * the user typed is ever parsed by a remote shell. A key restricted to `borg serve` runs borg
 * instead of the script: callers tell by the marker the script prints.
 */
export async function runRemoteScript(
  target: BorgTarget,
  script: string,
  input: string,
  options: { signal?: AbortSignal } = {},
): Promise<RemoteScriptResult> {
  const ssh = requireSshLocation(target.location);
  if (script.includes("'")) throw new TypeError('remote scripts are quoted with single quotes');
  const session = await openSshSession(target);
  try {
    const [program, ...sshOptions] = session.command;
    const destination = ssh.user ? `${ssh.user}@${ssh.host}` : ssh.host;
    const result = await execa(
      program,
      [...sshOptions, '-p', `${ssh.port}`, '--', destination, `sh -c '${script}'`],
      {
        input,
        extendEnv: false,
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
        reject: false,
        timeout: REMOTE_SCRIPT_TIMEOUT_MS,
        cancelSignal: options.signal,
      },
    );
    const sshLog = await session.readLog();
    return {
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: [sshLog, result.stderr].filter(Boolean).join('\n'),
    };
  } finally {
    await session.dispose();
  }
}
