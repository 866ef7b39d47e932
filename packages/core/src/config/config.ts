import { resolve } from "node:path";
import { z } from "zod";
import { CofferError } from "../errors/coffer-error.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function intInRange(min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

const schema = z.object({
  COFFER_HOME: z.string().min(1).optional(),
  COFFER_DATABASE_URL: z.string().min(1).optional(),
  COFFER_ENCRYPTION_KEYS: z.string().optional(),
  COFFER_LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }).optional(),
  COFFER_MAX_VALUE_BYTES: intInRange(1, 16 * 1024 * 1024, 64 * 1024),
  COFFER_VERSIONS_KEPT: intInRange(1, 10_000, 20),
  COFFER_ROTATION_BATCH_SIZE: intInRange(1, 10_000, 200),
  COFFER_PORT: intInRange(0, 65_535, 8080),
  COFFER_HOST: z.string().min(1).optional(),
});

/** Everything a Coffer process reads from its environment, parsed once at start-up. */
export interface CofferConfig {
  home: string;
  databaseUrl: string;
  /** `kid:base64,…`; when absent, embedded mode uses `$COFFER_HOME/master.key`. */
  encryptionKeys: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  maxValueBytes: number;
  versionsKept: number;
  rotationBatchSize: number;
  port: number;
  host: string;
}

/** Parses the environment; a bad value throws a CofferError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CofferConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    throw new CofferError("invalid_config", `${variable} ${issue.message}.`, { status: 400, details: { variable } });
  }
  const v = result.data;
  const home = resolve(v.COFFER_HOME ?? ".coffer");
  const keys = v.COFFER_ENCRYPTION_KEYS?.trim();
  return {
    home,
    databaseUrl: v.COFFER_DATABASE_URL ?? resolve(home, "coffer.db"),
    encryptionKeys: keys ? keys : undefined,
    logLevel: v.COFFER_LOG_LEVEL ?? "info",
    maxValueBytes: v.COFFER_MAX_VALUE_BYTES,
    versionsKept: v.COFFER_VERSIONS_KEPT,
    rotationBatchSize: v.COFFER_ROTATION_BATCH_SIZE,
    port: v.COFFER_PORT,
    host: v.COFFER_HOST ?? "127.0.0.1",
  };
}
