// `coffer workflow run` with the protected AWS secrets, as a user runs it: a real process whose own
// AWS identity (its environment) signs STS AssumeRole on a loopback STS; S3 is s3rver. Built-in and
// custom actions get temporary credentials, never the role ARN or the host's keys.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, LeakHunter, openBootstrapped, type TestEnvironment } from "@coffer/core/testing";
import { type FakeSts, startFakeSts, startTestS3, type TestS3 } from "@coffer/runtime/testing";
import { stringify } from "yaml";
import { runCli } from "./support.js";

const ROLE = "arn:aws-us-gov:iam::123456789012:role/ir/coffer-evidence";
const HOST = { id: "AKIAHOSTCLI000000001", secret: "host-cli-secret-never-for-actions" };

const CUSTOM = `
import { defineAction, z } from "@coffer/sdk";
export default defineAction({
  namespace: "tools.acme", name: "aws_keys", title: "AWS keys", args: z.object({}),
  secrets: [{ name: "aws", optional_keys: ["AWS_ACCESS_KEY_ID"] }],
  handler: (_args, ctx) => {
    const aws = ctx.secrets.of("aws");
    console.log("custom sees " + aws.AWS_SECRET_ACCESS_KEY);
    return { keys: Object.keys(aws).sort(), hostEnv: process.env.AWS_ACCESS_KEY_ID ?? null };
  },
});
`;

describe("coffer workflow run with an aws secret that holds only a role ARN", () => {
  let env: TestEnvironment;
  let sts: FakeSts;
  let s3: TestS3;
  let dir: string;
  let cliEnv: Record<string, string>;
  let workspaceId: string;

  before(async () => {
    env = await createTestEnvironment("sqlite");
    const opened = await openBootstrapped(env);
    workspaceId = opened.workspaceId;
    for (const name of ["aws", "amazon_s3"]) {
      await opened.coffer.secrets.create(
        workspaceId,
        {
          name,
          keys: [
            { key: "AWS_ROLE_ARN", value: ROLE },
            { key: "AWS_REGION", value: "us-gov-west-1" },
          ],
        },
        { actor: "test" },
      );
    }
    await opened.coffer.secrets.create(
      workspaceId,
      { name: "aws_other", keys: [{ key: "AWS_ROLE_ARN", value: ROLE }] },
      { actor: "test" },
    );
    await opened.coffer.close();
    sts = await startFakeSts();
    s3 = await startTestS3(["evidence"]);
    s3.registerKey("S3RVER", "S3RVER");
    sts.onIssue = (c) => s3.registerKey(c.accessKeyId, c.secretAccessKey);
    dir = mkdtempSync(join(tmpdir(), "coffer-aws-cli-"));
    writeFileSync(join(dir, "aws-keys.ts"), CUSTOM);
    cliEnv = {
      ...env.env,
      COFFER_REGISTRY_PATH: dir,
      COFFER_SANDBOX: "node",
      COFFER_AWS_STS_ENDPOINT: sts.endpoint,
      // Coffer's own identity, found by the AWS SDK's default chain.
      AWS_ACCESS_KEY_ID: HOST.id,
      AWS_SECRET_ACCESS_KEY: HOST.secret,
      AWS_EC2_METADATA_DISABLED: "true",
    };
  });
  after(async () => {
    await sts?.close();
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  test("lists buckets, puts and reads an object, one STS call with the workspace's external id; nothing leaks", async () => {
    const file = join(dir, "evidence.yml");
    writeFileSync(
      file,
      stringify({
        title: "evidence",
        description: "d",
        entrypoint: {},
        actions: [
          {
            ref: "buckets",
            action: "tools.aws_boto3.call_api",
            args: { service_name: "s3", method_name: "list_buckets", endpoint_url: s3.endpoint },
          },
          {
            ref: "put",
            action: "tools.amazon_s3.put_object",
            depends_on: ["buckets"],
            args: { bucket: "evidence", key: "case-7.txt", file_data: "Y2FzZSA3", endpoint_url: s3.endpoint },
          },
          {
            ref: "read",
            action: "tools.amazon_s3.get_object",
            depends_on: ["put"],
            args: { bucket: "evidence", key: "case-7.txt", endpoint_url: s3.endpoint },
          },
          { ref: "custom", action: "tools.acme.aws_keys", depends_on: ["read"], args: {} },
        ],
        returns: {
          buckets: "${{ ACTIONS.buckets.result.Buckets }}",
          body: "${{ ACTIONS.read.result }}",
          custom: "${{ ACTIONS.custom.result }}",
        },
      }),
    );
    const r = await runCli(cliEnv, ["workflow", "run", file, "--json"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { status: string; returns: Record<string, unknown> };
    assert.equal(doc.status, "succeeded");
    assert.deepEqual(
      (doc.returns.buckets as { Name: string }[]).map((b) => b.Name),
      ["evidence"],
    );
    assert.equal(doc.returns.body, "case 7");
    assert.deepEqual(doc.returns.custom, {
      keys: [
        "AWS_ACCESS_KEY_ID",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "TRACECAT_AWS_EXTERNAL_ID",
      ],
      hostEnv: null,
    });
    // aws and amazon_s3 name the same role, region and run: one exchange serves both.
    assert.deepEqual(
      sts.calls.map((c) => [c.action, c.roleArn, c.externalId, c.signedBy, c.region]),
      [["AssumeRole", ROLE, workspaceId.replaceAll("-", ""), HOST.id, "us-gov-west-1"]],
    );
    assert.match(r.stderr, /custom sees \*\*\*/);
    const issued = sts.issued[0];
    assert.ok(issued);
    const hunter = new LeakHunter({
      secret: issued.secretAccessKey,
      token: issued.sessionToken,
      arn: ROLE,
      host: HOST.secret,
    });
    hunter.assertClean(r.stdout, "stdout");
    hunter.assertClean(r.stderr, "stderr");
    assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
  });

  test("a role ARN stored in a secret with another name is not exchanged", async () => {
    const file = join(dir, "other.yml");
    writeFileSync(
      file,
      stringify({
        title: "other",
        description: "d",
        entrypoint: {},
        actions: [
          {
            ref: "one",
            action: "core.transform.reshape",
            args: { value: "${{ SECRETS.aws_other.AWS_ROLE_ARN || 'none' }}" },
          },
        ],
      }),
    );
    const before = sts.calls.length;
    const r = await runCli(cliEnv, ["workflow", "run", file, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"\*\*\*"/, "the value as stored, masked");
    new LeakHunter({ arn: ROLE }).assertClean(r.stdout, "stdout");
    assert.equal(sts.calls.length, before, "no STS call");
  });
});
