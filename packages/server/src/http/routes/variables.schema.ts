import { z } from "zod";
import { Description, Tags } from "./common.schema.js";

/**
 * Any JSON value. Not `z.json()`: its recursive schema recursed once per level of nesting (a deep
 * body overflowed the stack) and left an unresolvable `$ref` in the OpenAPI document. The body is
 * parsed JSON already; the store limits how deep it nests.
 */
const JsonValue = z.unknown().describe("Any JSON value (lists and objects nest at most 32 levels).");

/** Tracecat's variable body: `{name, description, values: {key: value}, tags, environment}`. */
export const VariableCreateBody = z.strictObject({
  name: z.string().max(200),
  description: Description.optional(),
  values: z.record(z.string().max(200), JsonValue),
  tags: Tags.nullable().optional(),
  environment: z.string().max(200).optional(),
});

export const VariableUpdateBody = z.strictObject({
  description: Description.optional(),
  values: z.record(z.string().max(200), JsonValue).optional(),
  tags: Tags.nullable().optional(),
});

export const VariableListQuery = z.strictObject({ environment: z.string().max(200).optional() });

export const VariableItemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    environment: z.string(),
    description: z.string().nullable(),
    values: z.record(z.string(), z.unknown()),
    tags: z.record(z.string(), z.string()),
    created_at: z.string(),
    updated_at: z.string(),
    updated_by: z.string(),
  })
  .meta({ id: "Variable" });

export const VariableListSchema = z.object({ items: z.array(VariableItemSchema) });
