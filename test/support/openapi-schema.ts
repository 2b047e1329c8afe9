/**
 * A small checker of JSON values against the OpenAPI 3.0 schemas @nestjs/swagger writes: $ref,
 * type (with nullable), enum, format date-time/uuid, properties/required, additionalProperties,
 * items, oneOf/allOf/anyOf, minimum/maximum, minItems/maxItems. Stricter than JSON Schema in one
 * way, on purpose: an object whose schema lists properties and says nothing of
 * additionalProperties is closed, so a field the API answers but the document does not name is
 * reported (Nest never writes `additionalProperties: false`).
 */
export interface SchemaObject {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  allOf?: SchemaObject[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export interface OpenApiComponents {
  components: { schemas?: Record<string, SchemaObject> };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` disagrees with `schema`, each as "pointer: problem"; empty when it conforms. */
export function schemaProblems(
  doc: OpenApiComponents,
  schema: SchemaObject,
  value: unknown,
  pointer = '',
): string[] {
  const at = (problem: string) => [`${pointer || '/'}: ${problem}`];
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas?.[name];
    if (!target) return at(`unresolved ${schema.$ref}`);
    return schemaProblems(doc, target, value, pointer);
  }
  if (schema.allOf) return schema.allOf.flatMap((s) => schemaProblems(doc, s, value, pointer));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    if (value === null && schema.nullable) return [];
    const fits = alternatives.filter((s) => schemaProblems(doc, s, value, pointer).length === 0).length;
    return (schema.oneOf ? fits === 1 : fits >= 1) ? [] : at(`matches ${fits} of the alternatives`);
  }
  if (value === null) return schema.nullable ? [] : at('is null, the schema is not nullable');
  const actual = typeOf(value);
  if (schema.enum && !schema.enum.includes(value)) return at(`${JSON.stringify(value)} is not in the enum`);
  if (schema.type && schema.type !== actual && !(schema.type === 'number' && actual === 'integer')) {
    return at(`is ${actual}, the schema says ${schema.type}`);
  }
  const out: string[] = [];
  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) out.push(...at('is not a date-time'));
    if (schema.format === 'uuid' && !UUID.test(value)) out.push(...at('is not a uuid'));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(...at(`is below ${schema.minimum}`));
    if (schema.maximum !== undefined && value > schema.maximum) out.push(...at(`is above ${schema.maximum}`));
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(...at('has too few items'));
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      out.push(...at('has too many items'));
    if (schema.items) {
      value.forEach((item, i) => out.push(...schemaProblems(doc, schema.items!, item, `${pointer}/${i}`)));
    }
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!(name in obj)) out.push(...at(`lacks the required property ${name}`));
    }
    const closed = schema.properties !== undefined && schema.additionalProperties === undefined;
    for (const [name, v] of Object.entries(obj)) {
      const sub = props[name];
      if (sub) out.push(...schemaProblems(doc, sub, v, `${pointer}/${name}`));
      else if (closed || schema.additionalProperties === false) {
        out.push(...at(`has the undocumented property ${name}`));
      } else if (typeof schema.additionalProperties === 'object') {
        out.push(...schemaProblems(doc, schema.additionalProperties, v, `${pointer}/${name}`));
      }
    }
  }
  return out;
}
