import { resolve } from "node:path";
// zod/mini: the same parser at a fraction of the size, so every CLI command starts faster.
import * as z from "zod/mini";
import { CofferError } from "../errors/coffer-error.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** auto: bubblewrap when installed, else Node's permission model alone; both: require bubblewrap. */
const SANDBOX_MODES = ["auto", "bubblewrap", "node"] as const;

function intInRange(min: number, max: number, fallback: number) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.issues.push({ code: "custom", message: `must be a whole number from ${min} to ${max}`, input: v });
        return z.NEVER;
      }
      return n;
    }),
  );
}

const nonEmpty = () => z.optional(z.string().check(z.minLength(1, "must not be empty")));

const schema = z.object({
  COFFER_HOME: nonEmpty(),
  COFFER_DATABASE_URL: nonEmpty(),
  COFFER_ENCRYPTION_KEYS: z.optional(z.string()),
  COFFER_LOG_LEVEL: z.optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })),
  COFFER_MAX_VALUE_BYTES: intInRange(1, 16 * 1024 * 1024, 64 * 1024),
  COFFER_VERSIONS_KEPT: intInRange(1, 10_000, 20),
  COFFER_ROTATION_BATCH_SIZE: intInRange(1, 10_000, 200),
  COFFER_PORT: intInRange(0, 65_535, 8080),
  COFFER_HOST: nonEmpty(),
  COFFER_REGISTRY_PATH: z.optional(z.string()),
  COFFER_SANDBOX: z.optional(z.enum(SANDBOX_MODES, { error: `must be one of ${SANDBOX_MODES.join(", ")}` })),
  COFFER_ACTION_TIMEOUT_SECONDS: intInRange(1, 24 * 3600, 300),
  COFFER_SQL_SQLITE_DIR: nonEmpty(),
  COFFER_AWS_STS_ENDPOINT: z.optional(z.url({ error: "must be an http(s) URL" })),
  AWS_REGION: nonEmpty(),
  COFFER_AWS_ACCOUNT_ID: z.optional(z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit AWS account id"))),
  COFFER_AWS_PRINCIPAL_ARN: z.optional(
    z.string().check(z.regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/, "must be an IAM role or user ARN")),
  ),
  COFFER_S3_CONCURRENCY_LIMIT: intInRange(1, 1000, 10),
  COFFER_S3_MAX_OBJECT_BYTES: intInRange(1, 5 * 1024 * 1024 * 1024, 20 * 1024 * 1024),
  COFFER_REDIS_URL: z.optional(z.string().check(z.regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"))),
});

export type LogLevel = (typeof LOG_LEVELS)[number];
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * Everything a Coffer process reads from its environment, parsed once at start-up, in one
 * section per part that uses it: the store never sees the server's port.
 */
export interface CofferConfig {
  /** Folder for the SQLite database, the key file and admin.token. */
  home: string;
  store: {
    databaseUrl: string;
    /** `kid:base64,…`; when absent, embedded mode uses `$COFFER_HOME/master.key`. */
    encryptionKeys: string | undefined;
    maxValueBytes: number;
    versionsKept: number;
    rotationBatchSize: number;
  };
  log: { level: LogLevel };
  server: { port: number; host: string };
  /** For the action runtime: where custom actions live, how they are isolated, how long they may run. */
  runtime: {
    registryPaths: string[];
    sandbox: SandboxMode;
    actionTimeoutMs: number;
    /** The only folder whose SQLite files core.sql.execute_query may open; absent: SQLite URLs are refused. */
    sqlSqliteDir: string | undefined;
  };
  /** Coffer's own AWS identity (AssumeRole into users' roles) and the AWS actions' limits. */
  aws: {
    /** STS endpoint override (tests, private endpoints); absent: the region's public endpoint. */
    stsEndpoint: string | undefined;
    /** The process's region (AWS_REGION); absent: us-east-1. */
    region: string | undefined;
    /** What `GET …/secrets/aws-assume-role` reports; absent: asked of STS GetCallerIdentity. */
    accountId: string | undefined;
    principalArn: string | undefined;
    /** tools.amazon_s3.get_objects: objects fetched at once, across the process. */
    s3ConcurrencyLimit: number;
    /** tools.amazon_s3.put_object: largest object accepted. */
    s3MaxObjectBytes: number;
  };
  /** For scale-out (BullMQ); absent in the embedded default. */
  redis: { url: string | undefined };
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
    store: {
      databaseUrl: v.COFFER_DATABASE_URL ?? resolve(home, "coffer.db"),
      encryptionKeys: keys ? keys : undefined,
      maxValueBytes: v.COFFER_MAX_VALUE_BYTES,
      versionsKept: v.COFFER_VERSIONS_KEPT,
      rotationBatchSize: v.COFFER_ROTATION_BATCH_SIZE,
    },
    log: { level: v.COFFER_LOG_LEVEL ?? "info" },
    server: { port: v.COFFER_PORT, host: v.COFFER_HOST ?? "127.0.0.1" },
    runtime: {
      registryPaths: (v.COFFER_REGISTRY_PATH ?? "")
        .split(":")
        .filter((p) => p !== "")
        .map((p) => resolve(p)),
      sandbox: v.COFFER_SANDBOX ?? "auto",
      actionTimeoutMs: v.COFFER_ACTION_TIMEOUT_SECONDS * 1000,
      sqlSqliteDir: v.COFFER_SQL_SQLITE_DIR === undefined ? undefined : resolve(v.COFFER_SQL_SQLITE_DIR),
    },
    aws: {
      stsEndpoint: v.COFFER_AWS_STS_ENDPOINT,
      region: v.AWS_REGION,
      accountId: v.COFFER_AWS_ACCOUNT_ID,
      principalArn: v.COFFER_AWS_PRINCIPAL_ARN,
      s3ConcurrencyLimit: v.COFFER_S3_CONCURRENCY_LIMIT,
      s3MaxObjectBytes: v.COFFER_S3_MAX_OBJECT_BYTES,
    },
    redis: { url: v.COFFER_REDIS_URL },
  };
}
