/**
 * Coffer's own AWS identity as a user needs it to set up a role Coffer may assume: the account id,
 * the principal ARN (from the configuration, else STS GetCallerIdentity) and, per workspace, the
 * external id and a ready trust policy.
 */
import { CofferError, workspaceExternalId } from "@coffer/core";
import { type AwsHostOptions, hostStsClient, loadSts } from "./assume-role.js";

export interface AwsIdentity {
  account_id: string;
  principal_arn: string;
  external_id: string;
  /** Paste into the role's "Trust relationships" in IAM. */
  trust_policy: TrustPolicy;
  /** Where the account and principal came from. */
  source: "config" | "sts";
}

export interface TrustPolicy {
  Version: "2012-10-17";
  Statement: {
    Effect: "Allow";
    Principal: { AWS: string };
    Action: "sts:AssumeRole";
    Condition: { StringEquals: { "sts:ExternalId": string } };
  }[];
}

export interface AwsHostIdentity {
  describe(workspaceId: string): Promise<AwsIdentity>;
}

export interface AwsHostIdentityOptions extends AwsHostOptions {
  /** COFFER_AWS_ACCOUNT_ID */
  accountId?: string | undefined;
  /** COFFER_AWS_PRINCIPAL_ARN */
  principalArn?: string | undefined;
}

export function trustPolicy(principalArn: string, externalId: string): TrustPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: principalArn },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}

/** `arn:aws:sts::1:assumed-role/Name/session` → `arn:aws:iam::1:role/Name` (what a trust policy names). */
export function principalOf(callerArn: string): string {
  const assumed = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : callerArn;
}

export function createAwsHostIdentity(options: AwsHostIdentityOptions = {}): AwsHostIdentity {
  let fromSts: Promise<{ account: string; principal: string }> | undefined;

  async function callerIdentity(): Promise<{ account: string; principal: string }> {
    const client = await hostStsClient(options, options.region ?? "us-east-1");
    try {
      const { GetCallerIdentityCommand } = await loadSts();
      const out = await client.send(new GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn) throw new Error("STS answered without an account or ARN");
      return { account: out.Account, principal: principalOf(out.Arn) };
    } finally {
      client.destroy();
    }
  }

  async function identity(): Promise<{ account: string; principal: string; source: "config" | "sts" }> {
    if (options.principalArn) {
      const account = options.accountId ?? /^arn:[^:]+:[^:]+::(\d{12}):/.exec(options.principalArn)?.[1];
      if (account) return { account, principal: options.principalArn, source: "config" };
    }
    fromSts ??= callerIdentity();
    try {
      const found = await fromSts;
      return { account: options.accountId ?? found.account, principal: found.principal, source: "sts" };
    } catch (error) {
      fromSts = undefined;
      const name = (error as { name?: string })?.name ?? "Error";
      throw new CofferError(
        "aws_identity_unavailable",
        `AWS AssumeRole is not available: Coffer has no AWS identity (STS GetCallerIdentity failed: ${name}). Set COFFER_AWS_ACCOUNT_ID and COFFER_AWS_PRINCIPAL_ARN, or give the Coffer process AWS credentials (an instance or task role).`,
        { details: { aws_error: name } },
      );
    }
  }

  return {
    async describe(workspaceId) {
      const externalId = workspaceExternalId(workspaceId);
      const { account, principal, source } = await identity();
      return {
        account_id: account,
        principal_arn: principal,
        external_id: externalId,
        trust_policy: trustPolicy(principal, externalId),
        source,
      };
    },
  };
}
