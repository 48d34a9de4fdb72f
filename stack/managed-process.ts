import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Logger } from '../core/logger';

/** How a supervised child ended, in words a person can act on. */
export interface ProcessExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this uid/gid (PostgreSQL refuses to run as root). */
  runAs?: { uid: number; gid: number };
  /** Where the child's stdout and stderr go: a log file, or the supervisor's own streams. */
  output: { logFile: string } | 'inherit';
  /** Node children get an IPC channel, so they notice when the supervisor disappears. */
  ipc?: boolean;
  logger: Logger;
}

/**
 * A long-running child of the supervisor. Started through `setpriv --pdeathsig` so it cannot
 * outlive a supervisor that was killed with SIGKILL, and in its own process group so a Ctrl-C at
 * the terminal reaches only the supervisor, which then stops the children in order.
 */
export class ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly logStream?: WriteStream;
  private isStopping = false;

  constructor(private readonly options: ManagedProcessOptions) {
    const { command, args, runAs } = options;
    const privileges = runAs
      ? [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups']
      : [];
    const stdio: StdioOptions =
      options.output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'];
    if (options.ipc) stdio.push('ipc');
    this.child = spawn(
      'setpriv',
      ['--pdeathsig', 'SIGTERM', ...privileges, '--', command, ...args],
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio,
        detached: true,
      },
    );
    if (options.output !== 'inherit') {
      this.logStream = createWriteStream(options.output.logFile, { flags: 'a', mode: 0o600 });
      this.child.stdout?.pipe(this.logStream, { end: false });
      this.child.stderr?.pipe(this.logStream, { end: false });
    }
    this.exited = this.watchExit();
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Asks the child to stop, then insists after the grace period. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<ProcessExit> {
    this.isStopping = true;
    if (!this.isRunning) return this.exited;
    this.options.logger.debug({ process: this.options.name, signal }, 'stopping process');
    this.child.kill(signal);
    const timer = setTimeout(() => {
      this.options.logger.warn(
        { process: this.options.name, graceMs },
        'process did not stop, killing it',
      );
      this.child.kill('SIGKILL');
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);

    return exit;
  }

  get wasStopped(): boolean {
    return this.isStopping;
  }

  private async watchExit(): Promise<ProcessExit> {
    const [code, signal] = (await once(this.child, 'exit')) as [
      number | null,
      NodeJS.Signals | null,
    ];
    this.logStream?.end();

    return { name: this.options.name, code, signal };
  }
}

export function describeExit({ name, code, signal }: ProcessExit): string {
  if (signal) return `${name} was killed by ${signal}`;
  return `${name} exited with code ${code}`;
}
