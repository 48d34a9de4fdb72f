import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  bearer,
  createApiTestContext,
  createToken,
  type ApiTestContext,
} from '../helpers/api';
import { arbitraryFor, objectWithExtras, type JsonSchema } from './support/schema-arbitrary';

interface Parameter {
  in: 'path' | 'query';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const RUNS_PER_OPERATION = 30;
// /readyz answers 503 while no worker polls the task queue: that is its job, not a fault.
const EXPECTED_5XX = new Set(['GET /readyz']);

let context: ApiTestContext;
let token: string;

beforeAll(async () => {
  // No worker runs here: roots that random paths never fall under keep the folder listings from
  // waiting for one (a listing under a root is a worker's job, tested in filesystem.test.ts).
  context = await createApiTestContext({
    SOURCE_ROOTS: '/nonexistent/fuzz-sources',
    RESTORE_ROOTS: '/nonexistent/fuzz-restores',
  });
  token = await createToken(context.app, await adminSession(context.app));
});

afterAll(async () => {
  await context?.close();
});

// JSON rather than String(): a generated object may carry a `toString` key that is not a function.
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function requestFor(path: string, operation: Operation) {
  const parameters = operation.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;

  return fc
    .record({
      path: fc.record(
        Object.fromEntries(
          pathParameters.map((parameter) => [parameter.name, arbitraryFor(parameter.schema)]),
        ),
      ),
      query: objectWithExtras({
        type: 'object',
        properties: Object.fromEntries(
          queryParameters.map((parameter) => [parameter.name, parameter.schema ?? {}]),
        ),
      }),
      body: bodySchema
        ? fc.oneof(
            { weight: 4, arbitrary: objectWithExtras(bodySchema) },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          )
        : fc.constant(undefined),
    })
    .map(({ path: values, query, body }) => {
      const url = path.replace(/\{(\w+)\}/g, (_match, name: string) =>
        encodeURIComponent(asText(values[name])),
      );
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined) search.append(name, asText(value));
      }
      const queryString = search.toString();

      return { url: queryString ? `${url}?${queryString}` : url, body };
    });
}

describe('every documented operation', () => {
  // 30 random requests per operation against real PostgreSQL, ssh-keygen and argon2.
  it(
    'never answers 5xx to random parameters, queries and bodies',
    { timeout: 120_000 },
    async () => {
      const document = (
        await context.app.inject({ method: 'GET', url: '/api/openapi.json' })
      ).json<{ paths: Record<string, Record<string, Operation>> }>();
      const failures: string[] = [];
      let operations = 0;
      const statuses = new Map<number, number>();

      for (const [path, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const label = `${method.toUpperCase()} ${path}`;
          operations += 1;
          await fc.assert(
            fc.asyncProperty(requestFor(path, operation), async ({ url, body }) => {
              const response = await context.app.inject({
                method: method.toUpperCase(),
                url,
                headers: bearer(token),
                ...(body !== undefined
                  ? {
                      payload: JSON.stringify(body),
                      headers: { ...bearer(token), 'content-type': 'application/json' },
                    }
                  : {}),
              });
              statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
              if (response.statusCode >= 500 && !EXPECTED_5XX.has(label)) {
                failures.push(
                  `${label} ${url} ${JSON.stringify(body)?.slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 200)}`,
                );
              }
              expect(response.body).not.toMatch(/at .*\.(ts|js):\d+:\d+/);
            }),
            { numRuns: RUNS_PER_OPERATION },
          );
        }
      }

      expect(operations).toBeGreaterThanOrEqual(20);
      expect(failures).toEqual([]);
      // The generator must get past validation often enough to exercise the handlers too.
      const successes = [...statuses]
        .filter(([status]) => status < 300)
        .reduce((sum, [, count]) => sum + count, 0);
      expect(successes).toBeGreaterThan(operations);
    },
  );
});
