/**
 * `tools.aws_boto3.call_api` and `call_paginated_api` (reference §7.4) with Tracecat's args:
 * boto3's service and snake_case method names, AWS's PascalCase params, mapped onto the AWS SDK
 * v3 client, Command and paginator of the service (see ../aws/services.ts for the services).
 */
import { type ActionContext, defineAction, type SecretDeclaration, z } from "@coffer/sdk";
import { decodeResult } from "../aws/results.js";
import { resolveCommand, resolvePaginator } from "../aws/services.js";
import { type AwsActionOptions, awsCallFailed, awsClient, awsSession } from "../aws/session.js";

const AWS_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
] as const;

/** `aws` for tools.aws_boto3.* (must exist), `amazon_s3` for tools.amazon_s3.* (optional: may be MinIO etc.). */
export const awsSecretDeclaration = (name: "aws" | "amazon_s3", optional: boolean): SecretDeclaration => ({
  name,
  optional_keys: AWS_KEYS,
  secret_type: "custom",
  ...(optional ? { optional: true } : {}),
});

const common = {
  service_name: z.string().trim().min(1),
  endpoint_url: z.string().trim().url().nullish(),
  region_name: z.string().nullish(),
  params: z.record(z.string(), z.unknown()).nullish(),
};

export const callApiArgs = z.object({ ...common, method_name: z.string().trim().min(1) }).strict();
export const callPaginatedApiArgs = z.object({ ...common, paginator_name: z.string().trim().min(1) }).strict();

export interface AwsCall {
  secretName: "aws" | "amazon_s3";
  service: string;
  method: string;
  params?: Record<string, unknown> | null | undefined;
  endpointUrl?: string | null | undefined;
  regionName?: string | null | undefined;
}

/** One API call with the action's own credentials; the response decoded. */
export async function callAws(call: AwsCall, ctx: ActionContext, options: AwsActionOptions): Promise<unknown> {
  const session = awsSession(ctx, call.secretName, call.regionName, options);
  const { loaded, client } = await awsClient(call.service, session, call.endpointUrl);
  try {
    const Command = loaded.module[resolveCommand(loaded, call.method)];
    const output = await client.send(new Command({ ...(call.params ?? {}) }), { abortSignal: ctx.signal });
    return await decodeResult(output);
  } catch (error) {
    throw awsCallFailed(call.service, call.method, error, ctx);
  } finally {
    client.destroy();
  }
}

/** Every page of a paginated operation, each decoded. */
export async function callAwsPaginated(call: AwsCall, ctx: ActionContext, options: AwsActionOptions) {
  const session = awsSession(ctx, call.secretName, call.regionName, options);
  const { loaded, client } = await awsClient(call.service, session, call.endpointUrl);
  try {
    const paginate = loaded.module[resolvePaginator(loaded, call.method)];
    const pages: unknown[] = [];
    for await (const page of paginate({ client }, { ...(call.params ?? {}) })) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      pages.push(await decodeResult(page));
    }
    return pages;
  } catch (error) {
    throw awsCallFailed(call.service, call.method, error, ctx);
  } finally {
    client.destroy();
  }
}

export function createAwsBoto3Actions(options: AwsActionOptions = {}) {
  const callApi = defineAction({
    namespace: "tools.aws_boto3",
    name: "call_api",
    title: "Call AWS API",
    description: "Call an AWS API method (boto3's service and snake_case method names) with the `aws` secret.",
    display_group: "AWS Boto3",
    args: callApiArgs,
    secrets: [awsSecretDeclaration("aws", false)],
    handler: (args, ctx) =>
      callAws(
        {
          secretName: "aws",
          service: args.service_name,
          method: args.method_name,
          params: args.params,
          endpointUrl: args.endpoint_url,
          regionName: args.region_name,
        },
        ctx,
        options,
      ),
  });
  const callPaginatedApi = defineAction({
    namespace: "tools.aws_boto3",
    name: "call_paginated_api",
    title: "Call paginated AWS API",
    description: "Call a paginated AWS API method and return every page, with the `aws` secret.",
    display_group: "AWS Boto3",
    args: callPaginatedApiArgs,
    secrets: [awsSecretDeclaration("aws", false)],
    handler: (args, ctx) =>
      callAwsPaginated(
        {
          secretName: "aws",
          service: args.service_name,
          method: args.paginator_name,
          params: args.params,
          endpointUrl: args.endpoint_url,
          regionName: args.region_name,
        },
        ctx,
        options,
      ),
  });
  return [callApi, callPaginatedApi] as const;
}
