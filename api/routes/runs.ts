import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { RunRow } from '../../core/db/schema';
import { FINISHED_STATUSES, type OperatorDecision, type RunStatus } from '../../core/runs';
import { operatorDecisionUpdate } from '../../workflows/run-context';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { createRunLauncher, findRun } from '../runs/run-launcher';
import { requesterOf } from '../runs/requester';
import { toRunResponse } from '../runs/run-response';
import { withErrorResponses, schemaRef } from '../schemas/common';
import {
  decisionResponseSchema,
  runEnvelopeSchema,
  runIdParamsSchema,
  runListQuerySchema,
  runListSchema,
} from '../schemas/runs';

interface RunListQuery {
  repositoryId?: string;
  planId?: string;
  kind?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

type RunParams = { Params: { id: string } };

/** How often the event stream reads the run; under a second, as the UI is promised. */
const EVENT_INTERVAL_MS = 500;
// PostgreSQL's text form of a timestamptz, kept exact (microseconds) for the keyset comparison.
const CURSOR_TIME_PATTERN = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/;
const DECISIONS: OperatorDecision[] = ['resume', 'skip', 'abort'];
const tags = ['runs'];

/** Runs: listing, detail, log, live events, and what an operator may do to a run. */
export async function runRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, config, temporal } = deps;
  const launcher = createRunLauncher(deps);

  app.get<{ Querystring: RunListQuery }>(
    '/api/runs',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List runs, newest first, one page at a time',
        querystring: runListQuerySchema,
        response: withErrorResponses({ 200: runListSchema }),
      },
    },
    async (request) => {
      const { repositoryId, planId, kind, status, limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : undefined;
      let query = db
        .selectFrom('runs')
        .selectAll()
        .select(sql<string>`created_at::text`.as('cursor_at'))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (repositoryId) query = query.where('repository_id', '=', repositoryId);
      if (planId) query = query.where('plan_id', '=', planId);
      if (kind) query = query.where('kind', '=', kind);
      if (status) query = query.where('status', '=', status);
      // Keyset pagination: a row comparison the (created_at desc, id desc) index answers directly.
      if (after)
        query = query.where(
          sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id})`,
        );

      const rows = await query.execute();

      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        runs: page.map((row) => toRunResponse(row, config)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
      };
    },
  );

  app.get<RunParams>(
    '/api/runs/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'One run with its steps, progress and Temporal link',
        params: runIdParamsSchema,
        response: withErrorResponses({ 200: schemaRef('Run') }),
      },
    },
    async (request) => toRunResponse(await requireRun(request.params.id), config),
  );

  app.get<RunParams>(
    '/api/runs/:id/log',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'The run’s log: borg command lines and everything borg printed (text/plain)',
        params: runIdParamsSchema,
      },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      const hasLines = await db
        .selectFrom('run_log_lines')
        .select('id')
        .where('run_id', '=', run.id)
        .limit(1)
        .executeTakeFirst();
      if (hasLines) {
        return reply.type('text/plain; charset=utf-8').send(Readable.from(runLogText(db, run.id)));
      }

      // Runs recorded before logs moved into PostgreSQL kept them in a file on the worker.
      const logPath = run.log_path;
      const fileExists = logPath
        ? await access(logPath).then(
            () => true,
            () => false,
          )
        : false;
      if (!logPath || !fileExists) {
        throw new ApiError('NOT_FOUND', `Run ${run.id} has no log yet.`);
      }
      return reply.type('text/plain; charset=utf-8').send(createReadStream(logPath));
    },
  );

  app.get<RunParams>(
    '/api/runs/:id/events',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Server-sent events: the run at least once a second until it finishes',
        description:
          'Each event’s data is `{ "type": "progress" | "status", "run": Run }`; `status` marks a change of status. The stream ends after the run finished.',
        params: runIdParamsSchema,
      },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      await streamRunEvents(request, reply, run);
    },
  );

  app.post<RunParams>(
    '/api/runs/:id/cancel',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Ask a run to stop; borg is interrupted and the run ends as canceled',
        params: runIdParamsSchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const run = await requireActiveRun(request.params.id, 'canceled');
      try {
        await temporal.workflow.getHandle(run.id).cancel();
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        throw new ApiError('CONFLICT', `Run ${run.id} is not running in Temporal any more.`);
      }

      await recordAudit(
        db,
        { action: 'run.cancel', target: `run:${run.id}`, outcome: 'success' },
        request,
      );
      return reply.status(202).send({ run: toRunResponse(await requireRun(run.id), config) });
    },
  );

  app.post<RunParams>(
    '/api/runs/:id/retry',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Start a failed or canceled run again with the same input',
        params: runIdParamsSchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const { run } = await launcher.retryRun(request.params.id, requesterOf(request));

      await recordAudit(
        db,
        {
          action: 'run.retry',
          target: `run:${request.params.id}`,
          outcome: 'success',
          details: { runId: run.id, kind: run.kind },
        },
        request,
      );
      return reply.status(202).send({ run: toRunResponse(run, config) });
    },
  );

  for (const decision of DECISIONS) {
    app.post<RunParams>(
      `/api/runs/:id/${decision}`,
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: `Answer a run that waits after a failed step: ${decision}`,
          params: runIdParamsSchema,
          response: withErrorResponses({ 200: decisionResponseSchema }),
        },
      },
      async (request) => {
        const run = await requireActiveRun(request.params.id, `sent "${decision}"`);
        await decide(run, decision);

        await recordAudit(
          db,
          {
            action: `run.${decision}`,
            target: `run:${run.id}`,
            outcome: 'success',
            details: { decision },
          },
          request,
        );
        return { run: toRunResponse(await requireRun(run.id), config), decision };
      },
    );
  }

  async function decide(run: RunRow, decision: OperatorDecision): Promise<void> {
    try {
      await temporal.workflow
        .getHandle(run.id)
        .executeUpdate(operatorDecisionUpdate, { args: [{ decision }] });
    } catch (error) {
      const isRejected =
        error instanceof WorkflowUpdateFailedError ||
        error instanceof WorkflowNotFoundError ||
        error instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
      if (!isRejected) throw error;
      throw new ApiError(
        'CONFLICT',
        `Run ${run.id} is not waiting for "${decision}": only a run waiting after a failed step takes a decision.`,
      );
    }
  }

  async function requireRun(id: string): Promise<RunRow> {
    const run = await findRun(db, id);

    if (!run) throw new ApiError('NOT_FOUND', `No run with id ${id}.`);
    return run;
  }

  async function requireActiveRun(id: string, verb: string): Promise<RunRow> {
    const run = await requireRun(id);
    if (FINISHED_STATUSES.includes(run.status as RunStatus)) {
      throw new ApiError(
        'CONFLICT',
        `Run ${id} already ended as ${run.status}; it cannot be ${verb}.`,
      );
    }
    return run;
  }

  /**
   * Writes the run as an event on every tick until it finishes or the client goes away. The
   * reply is taken over from Fastify: the connection stays open and each event is flushed.
   */
  async function streamRunEvents(request: FastifyRequest, reply: FastifyReply, first: RunRow) {
    const disconnected = new AbortController();
    reply.raw.on('close', () => disconnected.abort());
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Reverse proxies such as nginx would otherwise hold events back in their buffer.
      'x-accel-buffering': 'no',
    });
    reply.raw.flushHeaders();

    let run: RunRow | undefined = first;
    let lastStatus: string | undefined;
    try {
      while (run && !disconnected.signal.aborted) {
        const type = run.status === lastStatus ? 'progress' : 'status';
        lastStatus = run.status;
        reply.raw.write(`data: ${JSON.stringify({ type, run: toRunResponse(run, config) })}\n\n`);
        if (FINISHED_STATUSES.includes(run.status as RunStatus)) break;
        await sleep(EVENT_INTERVAL_MS, undefined, { signal: disconnected.signal });

        run = await findRun(db, run.id);
      }
    } catch (error) {
      if (!disconnected.signal.aborted) request.log.warn({ err: error }, 'run event stream failed');
    } finally {
      reply.raw.end();
    }
  }
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const isTime =
      typeof at === 'string' &&
      CURSOR_TIME_PATTERN.test(at) &&
      !Number.isNaN(Date.parse(at.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')));
    if (isTime && typeof id === 'string') {
      return { at, id };
    }
  } catch {
    // Falls through to the same answer as a well-formed but meaningless cursor.
  }
  throw new ApiError('VALIDATION_FAILED', 'cursor: not a cursor this API handed out.', {
    field: 'querystring.cursor',
  });
}

const LOG_LINES_PER_QUERY = 5000;

/** A run's log as text, read in keyset pages so a long log never sits in memory whole. */
async function* runLogText(db: RouteDependencies['db'], runId: string): AsyncGenerator<string> {
  let afterId: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('run_log_lines')
      .select(['id', 'line'])
      .where('run_id', '=', runId)
      .orderBy('id')
      .limit(LOG_LINES_PER_QUERY);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await query.execute();
    if (rows.length === 0) return;
    yield rows.map((row) => `${row.line}\n`).join('');
    afterId = rows[rows.length - 1].id;
    if (rows.length < LOG_LINES_PER_QUERY) return;
  }
}
