/**
 * Credentials and region for an AWS action, from its own secret only (the seed's order): a role
 * (already exchanged on the host for temporary credentials) → key id + secret + session token →
 * key id + secret. Nothing else: the host's own AWS identity never reaches an action.
 */
import { CofferError, isCofferError } from "@coffer/core";
import type { ActionContext } from "@coffer/sdk";
import { type LoadedService, loadService } from "./services.js";

export interface AwsActionOptions {
  /** The process's region (AWS_REGION), used when neither the args nor the secret give one; else us-east-1. */
  region?: string | undefined;
}

export interface AwsSession {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** The secret's values, or none when an optional secret is absent. */
function secretValues(ctx: ActionContext, secretName: string): Readonly<Record<string, string>> | undefined {
  try {
    return ctx.secrets.of(secretName);
  } catch (error) {
    if (isCofferError(error) && error.code === "secret_not_found") return undefined;
    throw error;
  }
}

export function awsSession(
  ctx: ActionContext,
  secretName: string,
  regionName: string | null | undefined,
  options: AwsActionOptions,
): AwsSession {
  const values = secretValues(ctx, secretName) ?? {};
  const keyId = values.AWS_ACCESS_KEY_ID;
  const secret = values.AWS_SECRET_ACCESS_KEY;
  const token = values.AWS_SESSION_TOKEN;
  const region =
    (regionName ?? "").trim() || (values.AWS_REGION ?? "").trim() || (options.region ?? "").trim() || "us-east-1";
  if (present(keyId) && present(secret)) {
    if (!present(token)) ctx.log.warn("Session token not found. Defaulting to IAM credentials (not recommended).");
    return {
      credentials: {
        accessKeyId: keyId.trim(),
        secretAccessKey: secret,
        ...(present(token) ? { sessionToken: token } : {}),
      },
      region,
    };
  }
  if (present(values.AWS_ROLE_ARN)) {
    throw new CofferError(
      "aws_credentials_missing",
      `Secret '${secretName}' holds AWS_ROLE_ARN, but it was not exchanged for temporary credentials before the action started: this Coffer runs without its AWS AssumeRole step. Run the action through \`coffer action run\`, \`coffer workflow run\` or the server.`,
      { details: { secret: secretName } },
    );
  }
  const missing = [
    ...(present(keyId) ? [] : ["AWS_ACCESS_KEY_ID"]),
    ...(present(secret) ? [] : ["AWS_SECRET_ACCESS_KEY"]),
  ];
  throw new CofferError(
    "aws_credentials_missing",
    `No AWS credentials found in secret '${secretName}' (environment \`${ctx.environment}\`): it has no AWS_ROLE_ARN and lacks ${missing.join(" and ")}. Set AWS_ROLE_ARN (recommended: Coffer assumes the role), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary keys).`,
    { details: { secret: secretName, environment: ctx.environment, missing } },
  );
}

/** A client of `service` with the session's credentials; S3 with a custom endpoint uses path-style addressing. */
export async function awsClient(service: string, session: AwsSession, endpointUrl: string | null | undefined) {
  const loaded: LoadedService = await loadService(service);
  const endpoint = (endpointUrl ?? "").trim();
  const client = new loaded.Client({
    region: session.region,
    credentials: { ...session.credentials },
    maxAttempts: 3,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && service === "s3" ? { forcePathStyle: true } : {}),
  });
  return { loaded, client };
}

/** An SDK failure as the run reports it: service, method, AWS's error code and message. */
export function awsCallFailed(service: string, method: string, error: unknown, ctx: ActionContext): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason;
  if (isCofferError(error)) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return new CofferError(
    "aws_api_error",
    `AWS ${service}.${method} failed: ${e?.name ?? "Error"}: ${e?.message ?? String(error)}`,
    {
      details: {
        service,
        method,
        ...(e?.name ? { aws_error: e.name } : {}),
        ...(e?.$metadata?.httpStatusCode ? { http_status: e.$metadata.httpStatusCode } : {}),
      },
    },
  );
}
