/**
 * The web client checked against the API's own description (contract.generated.ts, made from
 * /api/openapi.json). Nothing imports this module: `vue-tsc` compiles it, and a line fails to
 * compile when the server may answer something a client function's result type does not admit, or
 * when the client sends a body the route does not accept.
 */
import * as auth from './auth';
import type { ApiContract } from './contract.generated';
import * as schedules from './maintenance-schedules';
import * as operations from './operations';
import * as repositories from './repositories';

type Operation = keyof ApiContract;
type AnswerOf<O extends Operation> = ApiContract[O]['response'];
type BodyOf<O extends Operation> = ApiContract[O]['body'];
/** What a client function's promise gives its caller. */
type Reads<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
/** The body a client function sends: its parameter at position `At`. */
type Sends<F extends (...args: never[]) => unknown, At extends number> = NonNullable<
  Parameters<F>[At]
>;
/** `true` when every value of `Sent` is also a value of `Read`. */
type Fits<Sent, Read> = [Sent] extends [Read] ? true : false;
type Holds<Check extends true> = Check;

type ListOf<O extends Operation, Key extends keyof AnswerOf<O>> = AnswerOf<O>[Key];
type RunOf<O extends Operation> = AnswerOf<O> extends { run: infer Run } ? Run : never;

/** What the server answers fits what each client function hands its caller. */
export type AnswerChecks = [
  Holds<Fits<AnswerOf<'POST /api/auth/login'>, Reads<typeof auth.login>>>,
  Holds<Fits<AnswerOf<'GET /api/auth/me'>, Reads<typeof auth.fetchMe>>>,
  Holds<Fits<AnswerOf<'POST /api/auth/password'>, Reads<typeof auth.changePassword>>>,
  Holds<Fits<ListOf<'GET /api/users', 'users'>, Reads<typeof auth.listUsers>>>,
  Holds<Fits<AnswerOf<'POST /api/users'>, Reads<typeof auth.createUser>>>,
  Holds<Fits<AnswerOf<'PATCH /api/users/{id}'>, Reads<typeof auth.updateUser>>>,
  Holds<Fits<ListOf<'GET /api/tokens', 'tokens'>, Reads<typeof auth.listTokens>>>,
  Holds<Fits<AnswerOf<'POST /api/tokens'>, Reads<typeof auth.createToken>>>,

  Holds<Fits<ListOf<'GET /api/plans', 'plans'>, Reads<typeof operations.listPlans>>>,
  Holds<Fits<AnswerOf<'GET /api/plans/{id}'>, Reads<typeof operations.getPlan>>>,
  Holds<Fits<AnswerOf<'POST /api/plans'>, Reads<typeof operations.createPlan>>>,
  Holds<Fits<AnswerOf<'PATCH /api/plans/{id}'>, Reads<typeof operations.updatePlan>>>,
  Holds<Fits<RunOf<'POST /api/plans/{id}/run'>, Reads<typeof operations.runPlan>>>,
  Holds<
    Fits<
      AnswerOf<'POST /api/plans/archive-name-preview'>,
      Reads<typeof operations.previewArchiveName>
    >
  >,
  Holds<Fits<AnswerOf<'GET /api/runs'>, Reads<typeof operations.listRuns>>>,
  Holds<Fits<AnswerOf<'GET /api/runs/{id}'>, Reads<typeof operations.getRun>>>,
  Holds<Fits<RunOf<'POST /api/runs/{id}/cancel'>, Reads<typeof operations.commandRun>>>,
  Holds<Fits<RunOf<'POST /api/runs/{id}/retry'>, Reads<typeof operations.commandRun>>>,
  Holds<Fits<RunOf<'POST /api/runs/{id}/resume'>, Reads<typeof operations.commandRun>>>,
  Holds<Fits<RunOf<'POST /api/runs/{id}/skip'>, Reads<typeof operations.commandRun>>>,
  Holds<Fits<RunOf<'POST /api/runs/{id}/abort'>, Reads<typeof operations.commandRun>>>,
  Holds<Fits<ListOf<'GET /api/ssh-keys', 'sshKeys'>, Reads<typeof operations.listSshKeys>>>,
  Holds<Fits<AnswerOf<'GET /api/ssh-keys/{id}'>, Reads<typeof operations.getSshKey>>>,
  Holds<Fits<AnswerOf<'POST /api/ssh-keys'>, Reads<typeof operations.generateSshKey>>>,
  Holds<Fits<AnswerOf<'POST /api/ssh-keys'>, Reads<typeof operations.importSshKey>>>,
  Holds<
    Fits<ListOf<'GET /api/notifications', 'channels'>, Reads<typeof operations.listNotifications>>
  >,
  Holds<Fits<AnswerOf<'POST /api/notifications'>, Reads<typeof operations.createNotification>>>,
  Holds<
    Fits<AnswerOf<'PATCH /api/notifications/{id}'>, Reads<typeof operations.updateNotification>>
  >,
  Holds<
    Fits<AnswerOf<'POST /api/notifications/{id}/test'>, Reads<typeof operations.testNotification>>
  >,
  Holds<Fits<AnswerOf<'GET /api/audit'>, Reads<typeof operations.listAudit>>>,
  Holds<Fits<AnswerOf<'GET /api/about'>, Reads<typeof operations.getAbout>>>,
  Holds<Fits<AnswerOf<'GET /api/dashboard'>, Reads<typeof operations.getDashboard>>>,
  Holds<Fits<AnswerOf<'GET /api/filesystem'>, Reads<typeof operations.browseFilesystem>>>,
  Holds<
    Fits<
      AnswerOf<'GET /api/filesystem/restore-targets'>,
      Reads<typeof operations.browseRestoreTargets>
    >
  >,

  Holds<
    Fits<
      ListOf<'GET /api/repositories', 'repositories'>,
      Reads<typeof repositories.listRepositories>
    >
  >,
  Holds<Fits<AnswerOf<'GET /api/repositories/{id}'>, Reads<typeof repositories.getRepository>>>,
  Holds<Fits<AnswerOf<'POST /api/repositories'>, Reads<typeof repositories.createRepository>>>,
  Holds<
    Fits<AnswerOf<'PATCH /api/repositories/{id}'>, Reads<typeof repositories.updateRepository>>
  >,
  Holds<
    Fits<
      AnswerOf<'POST /api/repositories/test-connection'>,
      Reads<typeof repositories.testConnection>
    >
  >,
  Holds<
    Fits<
      ListOf<'GET /api/repositories/{id}/archives', 'archives'>,
      Reads<typeof repositories.listArchives>
    >
  >,
  Holds<
    Fits<
      AnswerOf<'GET /api/repositories/{id}/archives/{archive}/items'>,
      Reads<typeof repositories.listArchiveItems>
    >
  >,
  Holds<
    Fits<
      AnswerOf<'GET /api/repositories/{id}/archives/{archive}/search'>,
      Reads<typeof repositories.searchArchiveItems>
    >
  >,
  Holds<
    Fits<
      AnswerOf<'GET /api/repositories/{id}/archives/diff'>,
      Reads<typeof repositories.diffArchives>
    >
  >,
  Holds<
    Fits<
      RunOf<'DELETE /api/repositories/{id}/archives/{archive}'>,
      Reads<typeof repositories.deleteArchive>
    >
  >,
  Holds<
    Fits<RunOf<'POST /api/repositories/{id}/restore'>, Reads<typeof repositories.restoreArchive>>
  >,
  Holds<
    Fits<RunOf<'POST /api/repositories/{id}/check'>, Reads<typeof repositories.checkRepository>>
  >,
  Holds<
    Fits<RunOf<'POST /api/repositories/{id}/prune'>, Reads<typeof repositories.pruneRepository>>
  >,
  Holds<
    Fits<RunOf<'POST /api/repositories/{id}/compact'>, Reads<typeof repositories.compactRepository>>
  >,
  Holds<
    Fits<
      RunOf<'POST /api/repositories/{id}/rotate-key'>,
      Reads<typeof repositories.rotateRepositoryKey>
    >
  >,
  Holds<
    Fits<
      RunOf<'POST /api/repositories/{id}/rotate-ssh-key'>,
      Reads<typeof repositories.rotateRepositorySshKey>
    >
  >,
  Holds<
    Fits<AnswerOf<'GET /api/repositories/{id}/key'>, Reads<typeof repositories.exportRepositoryKey>>
  >,
  Holds<
    Fits<
      AnswerOf<'GET /api/repositories/{id}/size-history'>,
      Reads<typeof repositories.getSizeHistory>
    >
  >,

  Holds<
    Fits<
      ListOf<'GET /api/repositories/{id}/schedules', 'schedules'>,
      Reads<typeof schedules.listMaintenanceSchedules>
    >
  >,
  Holds<
    Fits<
      AnswerOf<'POST /api/repositories/{id}/schedules'>,
      Reads<typeof schedules.createMaintenanceSchedule>
    >
  >,
  Holds<
    Fits<
      AnswerOf<'PATCH /api/maintenance-schedules/{id}'>,
      Reads<typeof schedules.updateMaintenanceSchedule>
    >
  >,
];

/** What each client function sends fits the body its route accepts. */
export type BodyChecks = [
  Holds<Fits<{ username: string; password: string }, BodyOf<'POST /api/auth/login'>>>,
  Holds<Fits<{ currentPassword: string; newPassword: string }, BodyOf<'POST /api/auth/password'>>>,
  Holds<Fits<Sends<typeof auth.createUser, 0>, BodyOf<'POST /api/users'>>>,
  Holds<Fits<Sends<typeof auth.updateUser, 1>, BodyOf<'PATCH /api/users/{id}'>>>,
  Holds<Fits<Sends<typeof auth.createToken, 0>, BodyOf<'POST /api/tokens'>>>,
  Holds<Fits<Sends<typeof operations.createPlan, 0>, BodyOf<'POST /api/plans'>>>,
  Holds<Fits<Sends<typeof operations.updatePlan, 1>, BodyOf<'PATCH /api/plans/{id}'>>>,
  Holds<Fits<Sends<typeof operations.createNotification, 0>, BodyOf<'POST /api/notifications'>>>,
  Holds<
    Fits<Sends<typeof operations.updateNotification, 1>, BodyOf<'PATCH /api/notifications/{id}'>>
  >,
  Holds<Fits<Sends<typeof repositories.createRepository, 0>, BodyOf<'POST /api/repositories'>>>,
  Holds<
    Fits<Sends<typeof repositories.updateRepository, 1>, BodyOf<'PATCH /api/repositories/{id}'>>
  >,
  Holds<
    Fits<
      Sends<typeof repositories.testConnection, 0>,
      BodyOf<'POST /api/repositories/test-connection'>
    >
  >,
  Holds<
    Fits<
      Sends<typeof repositories.restoreArchive, 1>,
      BodyOf<'POST /api/repositories/{id}/restore'>
    >
  >,
  Holds<
    Fits<Sends<typeof repositories.checkRepository, 1>, BodyOf<'POST /api/repositories/{id}/check'>>
  >,
  Holds<
    Fits<Sends<typeof repositories.pruneRepository, 1>, BodyOf<'POST /api/repositories/{id}/prune'>>
  >,
  Holds<
    Fits<
      Sends<typeof repositories.rotateRepositoryKey, 1>,
      BodyOf<'POST /api/repositories/{id}/rotate-key'>
    >
  >,
  Holds<
    Fits<
      Sends<typeof repositories.rotateRepositorySshKey, 1>,
      BodyOf<'POST /api/repositories/{id}/rotate-ssh-key'>
    >
  >,
  Holds<
    Fits<
      Sends<typeof schedules.createMaintenanceSchedule, 1>,
      BodyOf<'POST /api/repositories/{id}/schedules'>
    >
  >,
  Holds<
    Fits<
      Sends<typeof schedules.updateMaintenanceSchedule, 1>,
      BodyOf<'PATCH /api/maintenance-schedules/{id}'>
    >
  >,
];
