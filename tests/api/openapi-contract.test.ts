import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  typescriptFromOpenApi,
  type OpenApiDocument,
} from '../../tools/api-contract/typescript-from-openapi';
import { createApiTestContext, type ApiTestContext } from '../helpers/api';

const CONTRACT_FILE = path.resolve(import.meta.dirname, '../../web/src/api/contract.generated.ts');

let context: ApiTestContext;

beforeAll(async () => {
  context = await createApiTestContext();
});

afterAll(async () => {
  await context?.close();
});

describe('web/src/api/contract.generated.ts', () => {
  it('is what the OpenAPI document the server publishes says', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const options = await prettier.resolveConfig(CONTRACT_FILE);
    const generated = await prettier.format(
      typescriptFromOpenApi(response.json<OpenApiDocument>()),
      { ...options, filepath: CONTRACT_FILE },
    );

    // After a deliberate change of a route's schema, this rewrites the file for review.
    if (process.env.UPDATE_API_CONTRACT === '1') await writeFile(CONTRACT_FILE, generated);
    expect(await readFile(CONTRACT_FILE, 'utf8')).toBe(generated);
  });
});
