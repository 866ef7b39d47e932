import { z } from "zod";

export const AuditListQuery = z.strictObject({
  secret: z.string().min(1).max(200).optional().describe("Only events about this secret (name or id)."),
  since: z.string().max(64).optional().describe("Only events at or after this ISO-8601 date or date-time."),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("Page size, 1–1000 (default 50)."),
  cursor: z.string().max(200).optional().describe("`next_cursor` of the previous page."),
});

export const AuditItemSchema = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    occurred_at: z.string(),
    actor: z.string(),
    action: z.string(),
    outcome: z.string(),
    target: z.object({ type: z.string().nullable(), id: z.string().nullable(), name: z.string().nullable() }),
    environment: z.string().nullable(),
    request_id: z.string().nullable(),
    run_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).describe("Names, ids and counts: never a value."),
  })
  .meta({ id: "AuditEvent" });

export const AuditPageSchema = z.object({
  items: z.array(AuditItemSchema).describe("Newest first."),
  next_cursor: z.string().nullable(),
});
