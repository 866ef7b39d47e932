import type { SecretMetadata, SecretType } from "../secret-types/index.js";
import type { SecretExpiry } from "./expiry.js";

export type { Actor } from "../audit/audit.service.js";

export interface SecretCreateInput {
  name: string;
  type?: string;
  environment?: string;
  description?: string | null;
  tags?: Record<string, string>;
  /** ISO-8601; when absent, a certificate's earliest notAfter is used. */
  expiresAt?: string | null;
  keys: { key: string; value: string }[];
}

export interface SecretUpdateInput {
  /** Only to catch an attempted type change, which is refused. */
  type?: string;
  description?: string | null;
  tags?: Record<string, string>;
  /** ISO-8601, or null to clear (and derive from certificates again). */
  expiresAt?: string | null;
  /**
   * The complete new key set. `value: null` keeps the stored value of that key; keys not listed
   * are removed.
   */
  keys?: { key: string; value: string | null }[];
}

export type SecretStatus = "ok" | "corrupted";

/** What Coffer shows about a secret: everything but its values. */
export interface SecretItem {
  id: string;
  name: string;
  type: SecretType;
  environment: string;
  description: string | null;
  tags: Record<string, string>;
  keys: string[];
  version: number;
  version_count: number;
  status: SecretStatus;
  expires_at: string | null;
  /** From expires_at and the clock: `expiring` within 30 days. */
  expiry: SecretExpiry;
  metadata: SecretMetadata;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface SecretVersionItem {
  number: number;
  keys: string[];
  created_by: string;
  created_at: string;
  current: boolean;
}

export interface SecretListFilter {
  environment?: string;
  type?: string;
  prefix?: string;
  limit?: number;
  cursor?: string;
}

export interface SecretPage {
  items: SecretItem[];
  next_cursor: string | null;
}

/** A list line: what `coffer secrets list` shows of a secret. */
export type SecretSummary = Pick<
  SecretItem,
  "id" | "name" | "type" | "environment" | "keys" | "version" | "status" | "expires_at" | "expiry"
>;

export interface SecretSummaryPage {
  items: SecretSummary[];
  next_cursor: string | null;
}
