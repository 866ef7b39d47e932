/**
 * The rules of the protected AWS secrets (`aws`, `amazon_s3`; reference §7.1), shared by the
 * write path (refused when stored) and the run path (refused again for values stored before the
 * rule, with the same message, before any STS call). Messages name the secret and the key,
 * never a value: a role ARN is a secret value like any other here.
 */
import { CofferError } from "../errors/coffer-error.js";

/** Secret names whose `AWS_ROLE_ARN` is exchanged on the host for temporary credentials. */
export const PROTECTED_AWS_SECRET_NAMES: readonly string[] = Object.freeze(["aws", "amazon_s3"]);

/** Where the workspace's external id reaches the action (Tracecat's key name, for compatibility). */
export const AWS_EXTERNAL_ID_KEY = "TRACECAT_AWS_EXTERNAL_ID";

/** `arn:<partition>:iam::<12-digit account>:role/<path/>name`, every partition (aws, aws-cn, aws-us-gov, …). */
export const AWS_ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+(-[a-z]+)*)?:iam::\d{12}:role\/[\w+=,.@\-/]+$/;

export function isProtectedAwsSecretName(name: string): boolean {
  return PROTECTED_AWS_SECRET_NAMES.includes(name);
}

/** The workspace's stable external id for AssumeRole: its id without hyphens, 32 lowercase hex. */
export function workspaceExternalId(workspaceId: string): string {
  const hex = workspaceId.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new CofferError(
      "invalid_argument",
      "The workspace id is not a UUID, so it has no AWS external id; AssumeRole needs a workspace created by Coffer.",
      { details: { workspace: workspaceId } },
    );
  }
  return hex;
}

const blank = (value: string | undefined) => value === undefined || value.trim() === "";

export interface ProtectedAwsSecretView {
  /** The trimmed role ARN, when one is set (blank values are ignored). */
  roleArn: string | undefined;
  /** Keys whose blank value is dropped before the action sees the secret. */
  blankKeys: string[];
}

/**
 * Checks one protected AWS secret's values: `AWS_PROFILE` refused (a blank one is ignored), the
 * role ARN's format, and the external id key reserved for Coffer. A name that is not protected
 * passes unchecked: its role ARN is never exchanged.
 */
export function checkProtectedAwsSecret(
  name: string,
  values: Readonly<Record<string, string>>,
): ProtectedAwsSecretView {
  const blankKeys: string[] = [];
  if (!isProtectedAwsSecretName(name)) return { roleArn: undefined, blankKeys };
  const profile = values.AWS_PROFILE;
  if (profile !== undefined) {
    if (!blank(profile)) {
      throw new CofferError(
        "aws_profile_unsupported",
        `AWS_PROFILE is not supported in protected secret '${name}'. Use AWS_ROLE_ARN or static/session credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) instead, and remove the AWS_PROFILE key.`,
        { details: { secret: name, key: "AWS_PROFILE" } },
      );
    }
    blankKeys.push("AWS_PROFILE");
  }
  const arn = values.AWS_ROLE_ARN;
  let roleArn: string | undefined;
  if (arn !== undefined) {
    if (blank(arn)) blankKeys.push("AWS_ROLE_ARN");
    else {
      roleArn = arn.trim();
      if (!AWS_ROLE_ARN_PATTERN.test(roleArn)) {
        throw new CofferError(
          "invalid_aws_role_arn",
          `Invalid AWS role ARN format in secret '${name}' (key AWS_ROLE_ARN): expected arn:<partition>:iam::<12-digit account id>:role/<optional/path/>role-name, e.g. arn:aws:iam::111122223333:role/coffer-reader. Copy the role's ARN from the IAM console.`,
          { details: { secret: name, key: "AWS_ROLE_ARN", expected: AWS_ROLE_ARN_PATTERN.source } },
        );
      }
    }
  }
  if (roleArn !== undefined && values[AWS_EXTERNAL_ID_KEY] !== undefined) {
    throw new CofferError(
      "aws_external_id_reserved",
      `Secret '${name}' sets ${AWS_EXTERNAL_ID_KEY}, which Coffer sets itself (the workspace's external id) when it assumes AWS_ROLE_ARN. Remove the ${AWS_EXTERNAL_ID_KEY} key.`,
      { details: { secret: name, key: AWS_EXTERNAL_ID_KEY } },
    );
  }
  return { roleArn, blankKeys };
}
