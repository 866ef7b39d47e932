// The AWS contract end to end: real store (SQLite and PostgreSQL), the executor with the AssumeRole
// preprocessor, workflows, a loopback STS and s3rver.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type Coffer, workspaceExternalId } from "@coffer/core";
import {
  canary,
  createTestEnvironment,
  LeakHunter,
  openBootstrapped,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import { stringify } from "yaml";
import { BUILTIN_ACTIONS } from "../actions/builtins.js";
import { createAmazonS3Actions } from "../actions/tools/amazon-s3/amazon-s3.js";
import { quietSdkNodeWarning } from "../actions/tools/aws/sdk-warning.js";
import { createExecutor, type Executor } from "../executor/executor.js";
import type { ActionRunResult } from "../executor/executor.types.js";
import { createMasker } from "../masking/masker.js";
import { createRegistry, type LoadedRegistry } from "../registry/registry.js";
import { parseWorkflowText } from "../workflows/document.js";
import { runWorkflow } from "../workflows/engine.js";
import { type AwsAssumeRolePreprocessor, createAwsAssumeRolePreprocessor } from "./assume-role.js";
import { startTestS3, type TestS3 } from "./s3rver.test-support.js";
import { type FakeSts, HOST_TEST_CREDENTIALS, startFakeSts } from "./sts-fake.test-support.js";

const actor = { actor: "test:aws" };
const ROLE = "arn:aws:iam::123456789012:role/security/coffer-reader";

/** What an action holding the `aws` secret sees: its key names, and a temporary secret it prints. */
const probe = defineAction({
  namespace: "test",
  name: "aws_probe",
  title: "Shows what the aws secret holds",
  args: z.object({}),
  secrets: [{ name: "aws", optional_keys: ["AWS_ROLE_ARN"] }],
  handler: (_args, ctx) => {
    const values = ctx.secrets.of("aws");
    ctx.log.info(`temporary secret is ${values.AWS_SECRET_ACCESS_KEY}`);
    return {
      keys: Object.keys(values).sort(),
      secret: values.AWS_SECRET_ACCESS_KEY,
      token: values.AWS_SESSION_TOKEN,
      hasHostKey: Object.values(values).includes(HOST_TEST_CREDENTIALS.accessKeyId),
    };
  },
});

function ok(result: ActionRunResult) {
  assert.equal(result.status, "succeeded", `expected success, got ${JSON.stringify(result)}`);
  return (result as Extract<ActionRunResult, { status: "succeeded" }>).result;
}
function failed(result: ActionRunResult) {
  assert.equal(result.status, "failed", `expected failure, got ${JSON.stringify(result)}`);
  return (result as Extract<ActionRunResult, { status: "failed" }>).error;
}

let sts: FakeSts;
let s3: TestS3;
before(async () => {
  quietSdkNodeWarning();
  sts = await startFakeSts();
  s3 = await startTestS3(["evidence", "archive"]);
  s3.registerKey("S3RVER", "S3RVER");
  sts.onIssue = (c) => s3.registerKey(c.accessKeyId, c.secretAccessKey);
  const admin = new S3Client({
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  await admin.send(new PutObjectCommand({ Bucket: "evidence", Key: "report.txt", Body: "incident 42: contained" }));
  await admin.send(new PutObjectCommand({ Bucket: "evidence", Key: "logs/a.log", Body: "line a" }));
  await admin.send(new PutObjectCommand({ Bucket: "evidence", Key: "logs/b.bin", Body: Buffer.from([0xff, 0, 0xfe]) }));
  admin.destroy();
});
after(async () => {
  await sts.close();
  await s3.close();
});

for (const dialect of await testDialects("AWS actions")) {
  describe(`AWS credentials and actions (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    let registry: LoadedRegistry;
    let clock = Date.now();

    const s3Actions = createAmazonS3Actions({ maxObjectBytes: 16, retryDelayMs: { min: 1, max: 2 } });
    const builtins = [
      ...BUILTIN_ACTIONS.filter((a) => !a.id.startsWith("tools.amazon_s3.")),
      ...s3Actions,
      probe,
    ] as ActionDefinition[];

    function open(): { executor: Executor; preprocessor: AwsAssumeRolePreprocessor } {
      const preprocessor = createAwsAssumeRolePreprocessor({
        stsEndpoint: sts.endpoint,
        hostCredentials: HOST_TEST_CREDENTIALS,
        now: () => clock,
      });
      const executor = createExecutor({
        registry,
        resolution: coffer.resolution,
        preprocessors: [preprocessor],
        logger: coffer.logger,
        config: coffer.config,
        createMasker,
        runCustomAction: () => {
          throw new Error("no custom actions here");
        },
      });
      return { executor, preprocessor };
    }

    const secret = (name: string, environment: string, keys: Record<string, string>) =>
      coffer.secrets.create(
        ws,
        { name, environment, keys: Object.entries(keys).map(([key, value]) => ({ key, value })) },
        actor,
      );

    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
      registry = await createRegistry({ builtins, paths: [] });
      await secret("aws", "default", { AWS_ROLE_ARN: ROLE });
      await secret("amazon_s3", "default", { AWS_ROLE_ARN: ROLE });
      await secret("aws", "named", { AWS_ROLE_ARN: ROLE, AWS_ROLE_SESSION_NAME: "soc-automation" });
      await secret("amazon_s3", "static", { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
      await secret("amazon_s3", "empty", { AWS_REGION: "eu-west-1" });
    });
    after(async () => {
      await registry.close();
      await coffer.close();
      await env.cleanup();
    });

    const workflow = (environment = "default") =>
      parseWorkflowText(
        stringify({
          title: "S3 evidence",
          description: "lists buckets and reads an object with an assumed role",
          config: { environment },
          entrypoint: {},
          actions: [
            {
              ref: "buckets",
              action: "tools.aws_boto3.call_api",
              args: { service_name: "s3", method_name: "list_buckets", endpoint_url: s3.endpoint },
            },
            {
              ref: "report",
              action: "tools.aws_boto3.call_api",
              depends_on: ["buckets"],
              args: {
                service_name: "s3",
                method_name: "get_object",
                endpoint_url: s3.endpoint,
                params: { Bucket: "evidence", Key: "report.txt" },
              },
            },
            { ref: "probe", action: "test.aws_probe", depends_on: ["report"], args: {} },
          ],
          returns: {
            buckets: "${{ ACTIONS.buckets.result.Buckets }}",
            body: "${{ ACTIONS.report.result.Body }}",
            modified: "${{ ACTIONS.report.result.LastModified }}",
            metadata: "${{ ACTIONS.report.result }}",
            probe: "${{ ACTIONS.probe.result }}",
          },
        }),
      );

    test("a workflow whose aws secret holds only a role ARN lists buckets and reads an object with assumed credentials", async () => {
      const { executor, preprocessor } = open();
      sts.calls.length = 0;
      const lines: string[] = [];
      const run = await runWorkflow(workflow(), {
        runAction: (request) => executor.runAction({ ...request, onOutput: (_s, text) => lines.push(text) }),
        workspaceId: ws,
        actor,
      });
      assert.equal(run.status, "succeeded", JSON.stringify(run.error));
      const returns = run.returns as Record<string, unknown>;
      assert.deepEqual(
        (returns.buckets as { Name: string }[]).map((b) => b.Name),
        ["archive", "evidence"],
      );
      assert.equal(returns.body, "incident 42: contained");
      assert.match(String(returns.modified), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, "dates as ISO strings");
      assert.ok(!Object.hasOwn(returns.metadata as object, "$metadata"), "$metadata dropped");

      // Three actions of one run: one STS call, with the workspace's external id and the run's session name.
      assert.equal(preprocessor.stsCalls, 1);
      assert.equal(sts.calls.length, 1);
      const call = sts.calls[0];
      assert.equal(call?.roleArn, ROLE);
      assert.equal(call?.externalId, workspaceExternalId(ws));
      assert.match(call?.roleSessionName ?? "", /^coffer-ws-[0-9a-f]{8}-run-[0-9a-f]{8}$/);
      assert.equal(call?.signedBy, HOST_TEST_CREDENTIALS.accessKeyId, "STS was called with Coffer's identity");

      // The action saw temporary credentials and the external id, not the ARN, and not the host's keys.
      const seen = returns.probe as { keys: string[]; secret: string; token: string; hasHostKey: boolean };
      assert.deepEqual(seen.keys, [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "TRACECAT_AWS_EXTERNAL_ID",
      ]);
      assert.equal(seen.hasHostKey, false);
      // A temporary credential the action printed or returned is masked.
      assert.equal(seen.secret, "***");
      assert.equal(seen.token, "***");
      const issued = sts.issued.at(-1);
      assert.ok(issued);
      assert.ok(
        lines.some((l) => l.includes("temporary secret is ***")),
        lines.join("\n"),
      );
      const hunter = new LeakHunter({ secret: issued.secretAccessKey, token: issued.sessionToken, arn: ROLE });
      hunter.assertClean(JSON.stringify(run), "the run result");
      hunter.assertClean(lines.join("\n"), "the log lines");
    });

    test("with AWS_ROLE_SESSION_NAME a second run reuses the credentials, a run near expiry refreshes them", async () => {
      const { executor, preprocessor } = open();
      sts.calls.length = 0;
      clock = Date.now();
      sts.now = () => clock;
      const runOnce = () =>
        runWorkflow(workflow("named"), { runAction: (r) => executor.runAction(r), workspaceId: ws, actor });
      assert.equal((await runOnce()).status, "succeeded");
      assert.equal((await runOnce()).status, "succeeded");
      assert.equal(preprocessor.stsCalls, 1, "the second run used the cached credentials");
      assert.equal(sts.calls[0]?.roleSessionName, "soc-automation");
      clock += 56 * 60_000; // 4 minutes before the hour's expiry: inside the 5-minute margin.
      const third = await runOnce();
      assert.equal(third.status, "succeeded", JSON.stringify(third.error));
      assert.equal(preprocessor.stsCalls, 2, "refreshed near expiry");
      sts.now = () => Date.now();
      clock = Date.now();
    });

    test("20 concurrent runs with a session name make one STS call", async () => {
      const { executor, preprocessor } = open();
      sts.calls.length = 0;
      sts.delayMs = 50;
      try {
        const runs = await Promise.all(
          Array.from({ length: 20 }, () =>
            runWorkflow(workflow("named"), { runAction: (r) => executor.runAction(r), workspaceId: ws, actor }),
          ),
        );
        assert.deepEqual(new Set(runs.map((r) => r.status)), new Set(["succeeded"]));
        assert.equal(preprocessor.stsCalls, 1);
        assert.equal(sts.calls.filter((c) => c.action === "AssumeRole").length, 1);
      } finally {
        sts.delayMs = 0;
      }
    });

    test("tools.amazon_s3: put, get, get_objects, list, copy, delete, call_method, parse_uri", async () => {
      const { executor } = open();
      const run = (name: string, args: Record<string, unknown>, environment = "default") =>
        executor.runAction({
          workspaceId: ws,
          actionId: `tools.amazon_s3.${name}`,
          args: { endpoint_url: s3.endpoint, ...args },
          actor,
          runEnvironment: environment,
        });
      assert.deepEqual(
        ok(
          await executor.runAction({
            workspaceId: ws,
            actionId: "tools.amazon_s3.parse_uri",
            args: { uri: "s3://evidence/logs/a.log" },
            actor,
          }),
        ),
        ["evidence", "logs/a.log"],
      );
      assert.equal(ok(await run("put_object", { bucket: "evidence", key: "new.txt", file_data: "aGVsbG8=" })), null);
      assert.equal(ok(await run("get_object", { bucket: "evidence", key: "new.txt" })), "hello");
      assert.deepEqual(
        ok(await run("get_objects", { bucket: "evidence", keys: ["new.txt", "logs/a.log", "logs/b.bin"] })),
        ["hello", "line a", Buffer.from([0xff, 0, 0xfe]).toString("base64")],
      );
      const listed = ok(await run("list_objects", { bucket: "evidence", prefix: "logs/" })) as { Key: string }[];
      assert.deepEqual(
        listed.map((o) => o.Key),
        ["logs/a.log", "logs/b.bin"],
      );
      // (s3rver cannot make continuation tokens on OpenSSL 3, so no listing here is truncated.)
      assert.equal(
        (ok(await run("list_objects", { bucket: "evidence", prefix: "rep", limit: 1 })) as unknown[]).length,
        1,
      );
      assert.deepEqual(
        ok(await run("copy_objects", { src_bucket: "evidence", dst_bucket: "archive", prefix: "logs/" })),
        [
          { Key: "logs/a.log", SourceBucket: "evidence", DestinationBucket: "archive", Success: true },
          { Key: "logs/b.bin", SourceBucket: "evidence", DestinationBucket: "archive", Success: true },
        ],
      );
      const toMissing = ok(
        await run("copy_objects", { src_bucket: "evidence", dst_bucket: "nope", prefix: "logs/a" }),
      ) as {
        Success: boolean;
        Error: string;
      }[];
      assert.equal(toMissing[0]?.Success, false);
      assert.match(toMissing[0]?.Error ?? "", /NoSuchBucket/);
      assert.equal(ok(await run("get_object", { bucket: "archive", key: "logs/a.log" })), "line a");
      const head = ok(
        await run("call_method", { method_name: "head_object", params: { Bucket: "archive", Key: "logs/a.log" } }),
      );
      assert.equal((head as { ContentLength: number }).ContentLength, 6);
      ok(await run("delete_object", { bucket: "archive", key: "logs/a.log" }));
      const gone = failed(await run("get_object", { bucket: "archive", key: "logs/a.log" }));
      assert.equal(gone.code, "aws_api_error");
      assert.match(gone.message, /AWS s3\.get_object failed: NoSuchKey/);
      const paged = ok(
        await executor.runAction({
          workspaceId: ws,
          actionId: "tools.aws_boto3.call_paginated_api",
          args: {
            service_name: "s3",
            paginator_name: "list_objects_v2",
            endpoint_url: s3.endpoint,
            params: { Bucket: "evidence" },
          },
          actor,
        }),
      ) as { Contents: { Key: string }[] }[];
      assert.equal(paged.length, 1);
      assert.deepEqual(
        paged.flatMap((p) => p.Contents.map((c) => c.Key)),
        ["logs/a.log", "logs/b.bin", "new.txt", "report.txt"],
      );
    });

    test("§7.4 limits: S3 URI scheme, object key, strict base64, maximum size", async () => {
      const { executor } = open();
      const put = (args: Record<string, unknown>) =>
        executor.runAction({
          workspaceId: ws,
          actionId: "tools.amazon_s3.put_object",
          args: { bucket: "evidence", endpoint_url: s3.endpoint, ...args },
          actor,
        });
      const uri = failed(
        await executor.runAction({
          workspaceId: ws,
          actionId: "tools.amazon_s3.parse_uri",
          args: { uri: "https://x/y" },
          actor,
        }),
      );
      assert.equal(uri.code, "s3_invalid_uri");
      assert.match(uri.message, /S3 URI must start with 's3:\/\/'/);
      for (const key of ["", "a\0b"]) {
        const e = failed(await put({ key, file_data: "aGk=" }));
        assert.equal(e.code, "s3_invalid_key");
        assert.match(e.message, /cannot be empty or contain null bytes/);
      }
      for (const data of ["aGk", "aGk=\n", "a*k="]) {
        const e = failed(await put({ key: "k", file_data: data }));
        assert.equal(e.code, "s3_invalid_data");
        assert.match(e.message, /Invalid base64 data for S3 object 'k'/);
      }
      const big = failed(await put({ key: "big", file_data: Buffer.alloc(17).toString("base64") }));
      assert.equal(big.code, "s3_object_too_large");
      assert.match(big.message, /S3 object 'big' exceeds maximum size limit of/);
    });

    test("credential order inside actions: static keys work (with a warning), none is a clear error", async () => {
      const { executor, preprocessor } = open();
      const lines: string[] = [];
      const body = ok(
        await executor.runAction({
          workspaceId: ws,
          actionId: "tools.amazon_s3.get_object",
          args: { bucket: "evidence", key: "report.txt", endpoint_url: s3.endpoint },
          actor,
          runEnvironment: "static",
          onOutput: (_s, t) => lines.push(t),
        }),
      );
      assert.equal(body, "incident 42: contained");
      assert.ok(lines.some((l) => l.includes("Session token not found")));
      assert.equal(preprocessor.stsCalls, 0);
      const none = failed(
        await executor.runAction({
          workspaceId: ws,
          actionId: "tools.amazon_s3.get_object",
          args: { bucket: "evidence", key: "report.txt", endpoint_url: s3.endpoint },
          actor,
          runEnvironment: "empty",
        }),
      );
      assert.equal(none.code, "aws_credentials_missing");
      assert.match(
        none.message,
        /No AWS credentials found in secret 'amazon_s3'.*lacks AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      );
      // The required `aws` secret missing in an environment fails before the action starts.
      const missing = failed(
        await executor.runAction({
          workspaceId: ws,
          actionId: "tools.aws_boto3.call_api",
          args: { service_name: "sts", method_name: "get_caller_identity" },
          actor,
          runEnvironment: "static",
        }),
      );
      assert.equal(missing.code, "secrets_unresolved");
    });

    test("a role ARN STS refuses fails the action with STS's reason and no credential", async () => {
      const { executor } = open();
      sts.failWith = { status: 403, code: "AccessDenied", message: "is not authorized to perform: sts:AssumeRole" };
      try {
        const error = failed(
          await executor.runAction({
            workspaceId: ws,
            actionId: "tools.aws_boto3.call_api",
            args: { service_name: "s3", method_name: "list_buckets", endpoint_url: s3.endpoint },
            actor,
          }),
        );
        assert.equal(error.code, "aws_assume_role_failed");
        assert.match(error.message, /Failed to assume the AWS role of secret 'aws': AccessDenied/);
        new LeakHunter({ arn: ROLE, host: HOST_TEST_CREDENTIALS.secretAccessKey }).assertClean(
          JSON.stringify(error),
          "the error",
        );
      } finally {
        sts.failWith = undefined;
      }
    });

    test("canary: a static secret key never shows in results, logs or errors", async () => {
      const { executor } = open();
      const value = canary("aws_static_secret");
      await secret("amazon_s3", "canary", { AWS_ACCESS_KEY_ID: "AKIACANARY", AWS_SECRET_ACCESS_KEY: value });
      const lines: string[] = [];
      const result = await executor.runAction({
        workspaceId: ws,
        actionId: "tools.amazon_s3.list_objects",
        args: { bucket: "evidence", endpoint_url: s3.endpoint },
        actor,
        runEnvironment: "canary",
        onOutput: (_s, t) => lines.push(t),
      });
      new LeakHunter({ value }).assertClean(`${JSON.stringify(result)}\n${lines.join("\n")}`, "the run");
    });
  });
}
