import type { AwsHostIdentity } from "@coffer/runtime";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorResponse, errorResponses, security, WorkspaceParams } from "./common.schema.js";

export const AwsAssumeRoleSchema = z
  .object({
    account_id: z.string().describe("The AWS account Coffer runs in."),
    principal_arn: z.string().describe("The IAM principal Coffer calls STS AssumeRole with."),
    external_id: z.string().describe("This workspace's external id (its id without hyphens, 32 hex)."),
    trust_policy: z
      .object({
        Version: z.literal("2012-10-17"),
        Statement: z.array(
          z.object({
            Effect: z.literal("Allow"),
            Principal: z.object({ AWS: z.string() }),
            Action: z.literal("sts:AssumeRole"),
            Condition: z.object({ StringEquals: z.object({ "sts:ExternalId": z.string() }) }),
          }),
        ),
      })
      .describe("Paste into the role's trust relationships in IAM."),
    source: z
      .enum(["config", "sts"])
      .describe("config: COFFER_AWS_ACCOUNT_ID / COFFER_AWS_PRINCIPAL_ARN; sts: GetCallerIdentity."),
  })
  .meta({ id: "AwsAssumeRole" });

/** What a user needs to let Coffer assume an AWS role for this workspace; no secret is read. */
export function awsAssumeRoleRoutes(app: FastifyInstance, identity: AwsHostIdentity): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/workspaces/:workspace/secrets/aws-assume-role",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["secrets"],
        security,
        operationId: "getAwsAssumeRole",
        summary: "Coffer's AWS principal, the workspace's external id and a trust policy for an IAM role",
        params: WorkspaceParams,
        response: { 200: AwsAssumeRoleSchema, ...errorResponses, 503: ErrorResponse },
      },
    },
    async (request) => identity.describe(request.workspaceId),
  );
}
