import { z } from "zod";
import { Description, Tags } from "./common.schema.js";

/** Tracecat's variable body: `{name, description, values: {key: value}, tags, environment}`. */
export const VariableCreateBody = z.strictObject({
  name: z.string().max(200),
  description: Description.optional(),
  values: z.record(z.string().max(200), z.json()),
  tags: Tags.nullable().optional(),
  environment: z.string().max(200).optional(),
});

export const VariableUpdateBody = z.strictObject({
  description: Description.optional(),
  values: z.record(z.string().max(200), z.json()).optional(),
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
