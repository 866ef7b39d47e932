import { z } from "zod";

export const TokenCreateBody = z.strictObject({
  name: z.string().max(200),
  role: z.enum(["viewer", "editor", "admin"]),
});

export const TokenItemSchema = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    name: z.string(),
    role: z.enum(["viewer", "editor", "admin"]),
    created_by: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .meta({ id: "Token" });

export const TokenListSchema = z.object({ items: z.array(TokenItemSchema) });

export const TokenCreatedSchema = z.object({
  token: z.string().describe("The bearer token. Shown once: only its SHA-256 is stored."),
  item: TokenItemSchema,
});
