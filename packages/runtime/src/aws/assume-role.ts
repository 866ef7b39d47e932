/**
 * The AWS AssumeRole preprocessor (reference §7.1): a run's `aws` / `amazon_s3` secret that holds
 * `AWS_ROLE_ARN` is exchanged on the host, with Coffer's own AWS identity and the workspace's
 * external id, for temporary credentials; the action sees those and not the ARN. Credentials are
 * cached per process until five minutes before they expire, one STS call per key at a time.
 */

import type { AssumeRoleCommandOutput, STSClientConfig } from "@aws-sdk/client-sts";
import {
  AWS_EXTERNAL_ID_KEY,
  CofferError,
  checkProtectedAwsSecret,
  PROTECTED_AWS_SECRET_NAMES,
  workspaceExternalId,
} from "@coffer/core";
import { quietSdkNodeWarning } from "../actions/tools/aws/sdk-warning.js";
import type { PreprocessorInput, SecretPreprocessor } from "../executor/executor.types.js";

/** Credentials are refreshed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const DEFAULT_REGION = "us-east-1";
/** Entries kept at most; expired ones go first (default session names make one per run). */
const MAX_CACHE_ENTRIES = 10_000;

export interface AwsHostOptions {
  /** COFFER_AWS_STS_ENDPOINT; absent: the region's public STS endpoint. */
  stsEndpoint?: string | undefined;
  /** The process's region (AWS_REGION); absent: us-east-1. */
  region?: string | undefined;
  /** Coffer's own identity; absent: the AWS SDK's default credential chain of this process. */
  hostCredentials?: STSClientConfig["credentials"] | undefined;
  /** For the cache's expiry checks (tests move it). */
  now?: () => number;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleRequest {
  roleArn: string;
  externalId: string;
  sessionName: string;
  region: string;
}

export interface AwsAssumeRolePreprocessor extends SecretPreprocessor {
  /** STS AssumeRole calls made so far by this process (cache misses). */
  readonly stsCalls: number;
}

type StsModule = typeof import("@aws-sdk/client-sts");
let stsModule: Promise<StsModule> | undefined;
/** The STS client loads on the first exchange, so no command that never assumes a role pays for it. */
export const loadSts = (): Promise<StsModule> => {
  quietSdkNodeWarning();
  stsModule ??= import("@aws-sdk/client-sts");
  return stsModule;
};

/** An STS client with Coffer's own identity, for `region` (and the configured endpoint). */
export async function hostStsClient(options: AwsHostOptions, region: string) {
  const { STSClient } = await loadSts();
  return new STSClient({
    region,
    ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
    // A copy: the SDK marks the object it is given (its `$source`), and ours may be frozen.
    ...(options.hostCredentials
      ? {
          credentials:
            typeof options.hostCredentials === "function" ? options.hostCredentials : { ...options.hostCredentials },
        }
      : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  });
}

/** Tracecat's default session name with Coffer's prefix; the ids' last 8 hex (a v7 id begins with its time). */
export function defaultSessionName(workspaceId: string, runId: string): string {
  const tail = (id: string) =>
    id
      .replace(/^[a-z]+_/i, "")
      .replaceAll("-", "")
      .toLowerCase()
      .slice(-8);
  return `coffer-ws-${tail(workspaceId)}-run-${tail(runId)}`.slice(0, 64);
}

export function createAwsAssumeRolePreprocessor(options: AwsHostOptions = {}): AwsAssumeRolePreprocessor {
  const now = options.now ?? (() => Date.now());
  const clients = new Map<string, ReturnType<typeof hostStsClient>>();
  const cache = new Map<string, { pending: Promise<TemporaryCredentials>; expiresAt?: number }>();
  let stsCalls = 0;

  async function assumeRole(request: AssumeRoleRequest, secretName: string): Promise<TemporaryCredentials> {
    stsCalls += 1;
    let client = clients.get(request.region);
    if (!client) {
      client = hostStsClient(options, request.region);
      clients.set(request.region, client);
    }
    const { AssumeRoleCommand } = await loadSts();
    let output: AssumeRoleCommandOutput;
    try {
      output = await (await client).send(
        new AssumeRoleCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.sessionName,
          ExternalId: request.externalId,
        }),
      );
    } catch (error) {
      throw assumeRoleFailed(secretName, error);
    }
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new CofferError(
        "aws_assume_role_failed",
        `Failed to assume the AWS role of secret '${secretName}': STS answered without credentials.`,
        { details: { secret: secretName } },
      );
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken ?? "",
      expiration: c.Expiration instanceof Date ? c.Expiration : new Date(now() + 3600_000),
    };
  }

  function cached(request: AssumeRoleRequest, secretName: string): Promise<TemporaryCredentials> {
    const key = JSON.stringify([request.roleArn, request.externalId, request.region, request.sessionName]);
    const at = now();
    const hit = cache.get(key);
    // In flight (no expiry yet) or fresh enough: everyone shares it.
    if (hit && (hit.expiresAt === undefined || hit.expiresAt - REFRESH_MARGIN_MS > at)) return hit.pending;
    if (cache.size >= MAX_CACHE_ENTRIES) prune(at);
    const entry: { pending: Promise<TemporaryCredentials>; expiresAt?: number } = {
      pending: assumeRole(request, secretName),
    };
    cache.set(key, entry);
    entry.pending.then(
      (credentials) => {
        entry.expiresAt = credentials.expiration.getTime();
      },
      () => {
        if (cache.get(key) === entry) cache.delete(key);
      },
    );
    return entry.pending;
  }

  function prune(at: number) {
    for (const [key, entry] of cache) {
      if (entry.expiresAt !== undefined && entry.expiresAt - REFRESH_MARGIN_MS <= at) cache.delete(key);
    }
    // Still full of live entries: drop the oldest.
    while (cache.size >= MAX_CACHE_ENTRIES) {
      const first = cache.keys().next().value;
      if (first === undefined) break;
      cache.delete(first);
    }
  }

  async function process(input: PreprocessorInput): Promise<void> {
    // Every protected secret is checked before any STS call: one bad secret fails the run cleanly.
    const plans: { name: string; values: Record<string, string>; roleArn?: string; blankKeys: string[] }[] = [];
    for (const name of PROTECTED_AWS_SECRET_NAMES) {
      const values = input.secrets.get(name);
      if (!values) continue;
      const view = checkProtectedAwsSecret(name, values);
      plans.push({ name, values, blankKeys: view.blankKeys, ...(view.roleArn ? { roleArn: view.roleArn } : {}) });
    }
    // amazon_bedrock is not exchanged on the host; its consumer assumes the role with the external id.
    const bedrock = input.secrets.get("amazon_bedrock");
    if (bedrock && (bedrock.AWS_ROLE_ARN ?? "").trim() !== "") {
      input.secrets.set("amazon_bedrock", {
        ...bedrock,
        [AWS_EXTERNAL_ID_KEY]: workspaceExternalId(input.workspaceId),
      });
    }
    for (const plan of plans) {
      const projected = { ...plan.values };
      for (const key of plan.blankKeys) delete projected[key];
      if (plan.roleArn) {
        const externalId = workspaceExternalId(input.workspaceId);
        const explicit = (projected.AWS_ROLE_SESSION_NAME ?? "").trim();
        const region = (projected.AWS_REGION ?? "").trim() || options.region || DEFAULT_REGION;
        const credentials = await cached(
          {
            roleArn: plan.roleArn,
            externalId,
            region,
            sessionName: explicit || defaultSessionName(input.workspaceId, input.runId),
          },
          plan.name,
        );
        delete projected.AWS_ROLE_ARN;
        delete projected.AWS_PROFILE;
        projected.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
        projected.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
        projected.AWS_SESSION_TOKEN = credentials.sessionToken;
        projected[AWS_EXTERNAL_ID_KEY] = externalId;
      }
      input.secrets.set(plan.name, projected);
    }
  }

  return {
    name: "aws-assume-role",
    process,
    get stsCalls() {
      return stsCalls;
    },
  };
}

/** What went wrong, from STS or before it (no host identity, no network); never a credential. */
function assumeRoleFailed(secretName: string, error: unknown): CofferError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const noIdentity = e?.name === "CredentialsProviderError";
  const reason = noIdentity
    ? "Coffer has no AWS identity of its own to call STS with: give the Coffer process AWS credentials (an instance or task role, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in its environment)"
    : `${e?.name ?? "Error"}: ${e?.message ?? String(error)}`;
  return new CofferError(
    "aws_assume_role_failed",
    `Failed to assume the AWS role of secret '${secretName}': ${reason}. Check that the role's trust policy names Coffer's principal with the workspace's external id (GET /api/v1/workspaces/{ws}/secrets/aws-assume-role).`,
    {
      details: {
        secret: secretName,
        ...(e?.name ? { aws_error: e.name } : {}),
        ...(e?.$metadata?.httpStatusCode ? { http_status: e.$metadata.httpStatusCode } : {}),
      },
    },
  );
}
