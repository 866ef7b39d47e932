import { CofferError } from "@coffer/core";
import { z } from "zod";
import { Description, IsoDate, Tags, WorkspaceParams } from "./common.schema.js";

// Request bodies are strict: an unknown field is refused, not silently dropped.

const KeyValue = z.strictObject({
  key: z.string().max(200),
  value: z.string(),
});

export const SecretCreateBody = z.strictObject({
  name: z.string().max(200),
  type: z.string().max(40).optional(),
  environment: z.string().max(200).optional(),
  description: Description.optional(),
  tags: Tags.nullable().optional(),
  expires_at: IsoDate.nullable().optional(),
  keys: z.array(KeyValue).min(1).max(100),
});

export const SecretUpdateBody = z.strictObject({
  /** Only accepted to refuse a type change with a clear message (Tracecat sends it). */
  type: z.string().max(40).optional(),
  description: Description.optional(),
  tags: Tags.nullable().optional(),
  expires_at: IsoDate.nullable().optional(),
  /** The new key set; a blank (or null) value keeps the stored value of that key. */
  keys: z
    .array(z.strictObject({ key: z.string().max(200), value: z.string().nullable() }))
    .min(1)
    .max(100)
    .optional(),
});

export const SecretListQuery = z.strictObject({
  environment: z.string().max(200).optional(),
  type: z.string().max(40).optional(),
  prefix: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});

export const ByNameParams = WorkspaceParams.extend({ name: z.string().min(1).max(200) });
export const ByNameQuery = z.strictObject({ environment: z.string().max(200).optional() });

export const RestoreParams = WorkspaceParams.extend({
  id: z.string().min(1).max(200),
  // Checked by versionNumber(): decimal digits only, so `0x1`, ` 1`, `1e0` or `+1` are not version 1.
  number: z.string().min(1).max(40).describe("A version number: decimal digits, from 1."),
});

/** A path's version number, strictly: decimal digits without sign, space, exponent or leading zero. */
export function versionNumber(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new CofferError(
      "invalid_version_number",
      "A version number is written in decimal digits, from 1 (as in .../versions/2/restore); list them with GET .../versions.",
      { status: 400, details: { location: "path", parameter: "number" } },
    );
  }
  return Number(text);
}

const KeyFacts = z.object({
  type: z.string(),
  bits: z.number(),
  curve: z.string().optional(),
  format: z.string(),
  fingerprint: z.string().optional(),
});

const CertificateFacts = z.object({
  key: z.string(),
  index: z.number(),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprint256: z.string(),
  isCA: z.boolean(),
});

/** Response schemas strip every field they do not name: a second guard against returning a value. */
export const SecretItemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    environment: z.string(),
    description: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    keys: z.array(z.string()).describe("Key names; values are never returned."),
    version: z.number().int(),
    version_count: z.number().int(),
    status: z.enum(["ok", "corrupted"]),
    expires_at: z.string().nullable(),
    expiry: z
      .object({ state: z.enum(["ok", "expiring", "expired", "none"]), days_left: z.number().int().nullable() })
      .describe("From expires_at and the clock: `expiring` within 30 days; days_left is negative once expired."),
    metadata: z.object({
      keys: z.record(z.string(), KeyFacts).optional(),
      certificates: z.array(CertificateFacts).optional(),
    }),
    created_at: z.string(),
    updated_at: z.string(),
    updated_by: z.string(),
  })
  .meta({ id: "Secret" });

export const SecretPageSchema = z.object({
  items: z.array(SecretItemSchema),
  next_cursor: z.string().nullable(),
});

export const SecretVersionSchema = z.object({
  number: z.number().int(),
  keys: z.array(z.string()),
  created_by: z.string(),
  created_at: z.string(),
  current: z.boolean(),
});

export const SecretVersionsSchema = z.object({ items: z.array(SecretVersionSchema) });
