import { describe, expect, it } from 'vitest';
import {
  typescriptFromOpenApi,
  type SchemaNode,
} from '../../tools/api-contract/typescript-from-openapi';

/** The generated type of one GET operation's 200 answer, whitespace folded. */
function answerType(schema: SchemaNode): string {
  const module = typescriptFromOpenApi({
    paths: {
      '/x': { get: { responses: { '200': { content: { 'application/json': { schema } } } } } },
    },
  });
  const match = /response: ([\s\S]*);\n {2}\};/.exec(module);
  return (match?.[1] ?? '').replace(/\s+/g, ' ');
}

describe('typescriptFromOpenApi', () => {
  it('marks properties outside `required` optional and keeps nullable ones nullable', () => {
    expect(
      answerType({
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } },
      }),
    ).toBe('{ id: string; note?: string | null; }');
  });

  it('wraps a union before it becomes an array', () => {
    expect(
      answerType({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }),
    ).toBe('(string | number)[]');
  });

  it('writes enums as literal unions without a second null', () => {
    expect(answerType({ type: 'string', nullable: true, enum: ['a', 'b', null] })).toBe(
      '"a" | "b" | null',
    );
  });

  it('refuses a reference it cannot resolve', () => {
    const document = {
      paths: {
        '/x': {
          get: {
            responses: {
              '200': {
                content: {
                  'application/json': { schema: { $ref: '#/components/schemas/Missing' } },
                },
              },
            },
          },
        },
      },
    };
    expect(() => typescriptFromOpenApi(document)).toThrow('unresolved $ref');
  });

  it('gives an answer without a body the type undefined', () => {
    const module = typescriptFromOpenApi({
      paths: { '/x': { delete: { responses: { '204': {} } } } },
    });
    expect(module).toContain("'DELETE /x'".replace(/'/g, '"'));
    expect(module).toMatch(/response: undefined;/);
  });
});
