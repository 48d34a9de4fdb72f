import fc from 'fast-check';

/** The subset of JSON Schema the route schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

const MAX_GENERATED_LENGTH = 40;

/** Mostly values shaped by the schema, sometimes any JSON at all (wrong types, nulls, arrays). */
export function arbitraryFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 2 });

  return fc.oneof(
    { weight: 9, arbitrary: conforming(schema) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

/** An object for `schema`, sometimes with one field the schema does not know. */
export function objectWithExtras(
  schema: JsonSchema | undefined,
): fc.Arbitrary<Record<string, unknown>> {
  const base = (schema?.properties ? conforming(schema) : fc.constant({})) as fc.Arbitrary<
    Record<string, unknown>
  >;
  const extra = fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }));

  return fc.oneof(
    { weight: 2, arbitrary: base },
    {
      weight: 1,
      arbitrary: fc
        .tuple(base, extra)
        .map(([value, [name, inner]]) => ({ ...value, [name]: inner })),
    },
  );
}

function conforming(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = [schema.type ?? 'string'].flat();

  return fc.oneof(...types.map((type) => forType(type, schema)));
}

function forType(type: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      if (schema.pattern)
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .map((text) => text.slice(0, schema.maxLength ?? 4096));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? MAX_GENERATED_LENGTH, MAX_GENERATED_LENGTH),
      });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryFor(schema.items), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const record = Object.fromEntries(
        Object.entries(properties).map(([name, inner]) => [name, arbitraryFor(inner)]),
      );
      return fc.record(record, {
        requiredKeys: (schema.required ?? []).filter((name) => name in properties),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}
