/**
 * Writes the API's OpenAPI document as TypeScript types for the web client: for every operation,
 * the JSON body it takes and the JSON body of its successful answer. The web client checks its own
 * types against these (web/src/api/contract-checks.ts), so a route whose schema changes under the
 * UI fails the type check instead of a user's page.
 *
 * Named shapes (components/schemas) become exported types of the same name. It understands the
 * JSON Schema the routes use: type (also as a list), enum, const, properties, required,
 * additionalProperties, items, nullable, oneOf/anyOf/allOf and local $ref.
 */

/** The part of a JSON Schema (OpenAPI 3.0 flavour) that the routes write. */
export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  $ref?: string;
  description?: string;
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaNode }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, SchemaNode> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const INDENT = '  ';

/** The whole generated module, deterministic for one document (operations sorted). */
export function typescriptFromOpenApi(document: OpenApiDocument): string {
  const components = document.components?.schemas ?? {};
  const convert = (schema: SchemaNode | undefined, depth: number) =>
    typeOf(schema, depth, components);
  const named = Object.keys(components)
    .sort()
    .map((name) => {
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`openapi: schema name ${name}`);
      return `/** components/schemas/${name} */\nexport type ${name} = ${convert(components[name], 0)};\n`;
    });
  const entries: string[] = [];

  for (const route of Object.keys(document.paths).sort()) {
    for (const method of METHODS) {
      const operation = document.paths[route]?.[method];
      if (!operation) continue;
      const body = jsonSchemaOf(operation.requestBody?.content);
      const success = successfulResponse(operation);
      entries.push(
        `${INDENT}${JSON.stringify(`${method.toUpperCase()} ${route}`)}: {\n` +
          `${INDENT.repeat(2)}body: ${body ? convert(body, 2) : 'undefined'};\n` +
          `${INDENT.repeat(2)}response: ${success.type === 'json' ? convert(success.schema, 2) : success.type};\n` +
          `${INDENT}};`,
      );
    }
  }

  return [
    '// Generated from /api/openapi.json by tools/api-contract/typescript-from-openapi.ts; do not edit.',
    '// `UPDATE_API_CONTRACT=1 npx vitest run tests/api/openapi-contract.test.ts` writes it anew.',
    '',
    ...named,
    '/** Every operation of the API: the JSON body it takes and the JSON of its successful answer. */',
    'export interface ApiContract {',
    ...entries,
    '}',
    '',
  ].join('\n');
}

function jsonSchemaOf(
  content: Record<string, { schema?: SchemaNode }> | undefined,
): SchemaNode | undefined {
  return content?.['application/json']?.schema;
}

/** The lowest 2xx answer: its JSON schema, `undefined` when it has no body, else `unknown`. */
function successfulResponse(
  operation: Operation,
): { type: 'json'; schema: SchemaNode } | { type: 'undefined' | 'unknown' } {
  const status = Object.keys(operation.responses ?? {})
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
  if (!status) return { type: 'unknown' };
  if (status === '204') return { type: 'undefined' };
  const schema = jsonSchemaOf(operation.responses?.[status]?.content);

  return schema ? { type: 'json', schema } : { type: 'unknown' };
}

function typeOf(
  schema: SchemaNode | undefined,
  depth: number,
  components: Record<string, SchemaNode>,
): string {
  if (!schema) return 'unknown';
  const recurse = (inner: SchemaNode | undefined) => typeOf(inner, depth, components);
  const base = baseTypeOf(schema, depth, components, recurse);

  const isNullAlready = base === 'unknown' || schema.enum?.includes(null) === true;
  return schema.nullable && !isNullAlready ? `${parenthesize(base)} | null` : base;
}

function baseTypeOf(
  schema: SchemaNode,
  depth: number,
  components: Record<string, SchemaNode>,
  recurse: (inner: SchemaNode | undefined) => string,
): string {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    if (!components[name]) throw new Error(`openapi: unresolved $ref ${schema.$ref}`);
    return name;
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.oneOf ?? schema.anyOf) {
    return union((schema.oneOf ?? schema.anyOf)!.map((inner) => parenthesize(recurse(inner))));
  }
  if (schema.allOf) return schema.allOf.map((inner) => parenthesize(recurse(inner))).join(' & ');

  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0)
    return schema.properties ? objectType(schema, depth, components) : 'unknown';
  return union(
    types.map((type) => {
      switch (type) {
        case 'string':
          return 'string';
        case 'number':
        case 'integer':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return `${parenthesize(recurse(schema.items))}[]`;
        case 'object':
          return objectType(schema, depth, components);
        default:
          throw new Error(`openapi: unknown schema type ${type}`);
      }
    }),
  );
}

function objectType(
  schema: SchemaNode,
  depth: number,
  components: Record<string, SchemaNode>,
): string {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  const required = new Set(schema.required ?? []);
  if (properties.length === 0) {
    if (extra === false) return 'Record<string, never>';
    const value = typeof extra === 'object' ? typeOf(extra, depth + 1, components) : 'unknown';
    return `Record<string, ${value}>`;
  }

  const inner = INDENT.repeat(depth + 1);
  const lines = properties.map(([name, property]) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    const optional = required.has(name) ? '' : '?';
    return `${inner}${key}${optional}: ${typeOf(property, depth + 1, components)};`;
  });
  if (extra !== undefined && extra !== false) {
    const value = typeof extra === 'object' ? typeOf(extra, depth + 1, components) : 'unknown';
    lines.push(`${inner}[key: string]: ${value};`);
  }
  return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
}

function union(members: string[]): string {
  return [...new Set(members)].join(' | ');
}

/** Wraps a union or intersection so that `[]`, `|` and `&` bind to the whole of it. */
function parenthesize(type: string): string {
  let depth = 0;
  for (const character of type) {
    if ('{([<'.includes(character)) depth += 1;
    else if ('})]>'.includes(character)) depth -= 1;
    else if (depth === 0 && (character === '|' || character === '&')) return `(${type})`;
  }
  return type;
}
