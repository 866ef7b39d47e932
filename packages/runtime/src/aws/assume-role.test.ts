import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { isCofferError } from "@coffer/core";
import type { PreprocessorInput } from "../executor/executor.types.js";
import { createAwsAssumeRolePreprocessor, defaultSessionName, REFRESH_MARGIN_MS } from "./assume-role.js";
import { type FakeSts, HOST_TEST_CREDENTIALS, startFakeSts } from "./sts-fake.test-support.js";

const WS = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const EXTERNAL_ID = "0193a1b2c3d47e5f8a9b0c1d2e3f4a5b";
const ROLE = "arn:aws:iam::123456789012:role/security/coffer-reader";

let sts: FakeSts;
before(async () => {
  sts = await startFakeSts();
});
after(() => sts.close());
beforeEach(() => {
  sts.calls.length = 0;
  sts.issued.length = 0;
  sts.failWith = undefined;
  sts.delayMs = 0;
  sts.lifetimeMs = 3600_000;
});

function input(secrets: Record<string, Record<string, string>>, runId = "wfr_6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab") {
  const map = new Map(Object.entries(secrets).map(([k, v]) => [k, { ...v }]));
  const request: PreprocessorInput = {
    workspaceId: WS,
    environment: "default",
    actionId: "tools.aws_boto3.call_api",
    runId,
    secrets: map,
    signal: new AbortController().signal,
  };
  return request;
}

function preprocessor(now?: () => number) {
  return createAwsAssumeRolePreprocessor({
    stsEndpoint: sts.endpoint,
    hostCredentials: HOST_TEST_CREDENTIALS,
    ...(now ? { now } : {}),
  });
}

test("a role ARN becomes temporary credentials; STS got the ARN, the external id and the default session name", async () => {
  const p = preprocessor();
  const raw = { AWS_ROLE_ARN: ` ${ROLE} `, AWS_REGION: " eu-west-2 ", AWS_PROFILE: "" };
  const request = input({ aws: raw, slack: { SLACK_BOT_TOKEN: "xoxb-1" } });
  await p.process(request);
  const issued = sts.issued[0];
  assert.ok(issued);
  assert.deepEqual(request.secrets.get("aws"), {
    AWS_REGION: " eu-west-2 ",
    AWS_ACCESS_KEY_ID: issued.accessKeyId,
    AWS_SECRET_ACCESS_KEY: issued.secretAccessKey,
    AWS_SESSION_TOKEN: issued.sessionToken,
    TRACECAT_AWS_EXTERNAL_ID: EXTERNAL_ID,
  });
  assert.deepEqual(request.secrets.get("slack"), { SLACK_BOT_TOKEN: "xoxb-1" });
  assert.equal(raw.AWS_ROLE_ARN, ` ${ROLE} `, "the stored mapping is not changed");
  assert.equal(sts.calls.length, 1);
  const call = sts.calls[0];
  assert.equal(call?.roleArn, ROLE);
  assert.equal(call?.externalId, EXTERNAL_ID);
  assert.equal(call?.roleSessionName, "coffer-ws-2e3f4a5b-run-456789ab");
  assert.equal(call?.durationSeconds, undefined, "AWS's default duration");
  assert.equal(call?.signedBy, HOST_TEST_CREDENTIALS.accessKeyId, "signed with the host's identity");
  assert.equal(call?.region, "eu-west-2", "the secret's region, trimmed");
});

test("session names: AWS_ROLE_SESSION_NAME trimmed when set, else coffer-ws-<8>-run-<8> within 64 chars", async () => {
  assert.equal(defaultSessionName(WS, "wfr_11111111-2222-4333-8444-555566667777"), "coffer-ws-2e3f4a5b-run-66667777");
  assert.ok(defaultSessionName("x".repeat(200), "y".repeat(200)).length <= 64);
  const p = preprocessor();
  await p.process(input({ amazon_s3: { AWS_ROLE_ARN: ROLE, AWS_ROLE_SESSION_NAME: "  audit-label  " } }));
  assert.equal(sts.calls[0]?.roleSessionName, "audit-label");
  assert.equal(sts.calls[0]?.region, "us-east-1", "no region anywhere: us-east-1");
});

test("static keys pass through; a blank ARN or profile is dropped; other names are never exchanged", async () => {
  const p = preprocessor();
  const request = input({
    aws: { AWS_ACCESS_KEY_ID: "AKIASTATIC", AWS_SECRET_ACCESS_KEY: "s", AWS_ROLE_ARN: "  ", AWS_PROFILE: "" },
    aws_prod: { AWS_ROLE_ARN: ROLE },
  });
  await p.process(request);
  assert.deepEqual(request.secrets.get("aws"), { AWS_ACCESS_KEY_ID: "AKIASTATIC", AWS_SECRET_ACCESS_KEY: "s" });
  assert.deepEqual(request.secrets.get("aws_prod"), { AWS_ROLE_ARN: ROLE });
  assert.equal(sts.calls.length, 0);
});

test("run-time checks (values stored before the rule): the write-time messages, before any STS call", async () => {
  const p = preprocessor();
  const refused = async (secrets: Record<string, Record<string, string>>, code: string, message: RegExp) => {
    await assert.rejects(p.process(input(secrets)), (e: unknown) => {
      assert.ok(isCofferError(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("prod-profile") && !e.message.includes("123:role"), "no value in the message");
      return true;
    });
  };
  await refused(
    { aws: { AWS_ROLE_ARN: ROLE }, amazon_s3: { AWS_PROFILE: "prod-profile" } },
    "aws_profile_unsupported",
    /AWS_PROFILE is not supported in protected secret 'amazon_s3'/,
  );
  await refused(
    { aws: { AWS_ROLE_ARN: "arn:aws:iam::123:role/x" } },
    "invalid_aws_role_arn",
    /Invalid AWS role ARN format in secret 'aws'/,
  );
  await refused(
    { aws: { AWS_ROLE_ARN: ROLE, TRACECAT_AWS_EXTERNAL_ID: "mine" } },
    "aws_external_id_reserved",
    /TRACECAT_AWS_EXTERNAL_ID/,
  );
  assert.equal(sts.calls.length, 0);
});

test("STS refusing the role: a clear error naming the secret and STS's code", async () => {
  sts.failWith = { status: 403, code: "AccessDenied", message: "not authorized to perform sts:AssumeRole" };
  const p = preprocessor();
  await assert.rejects(p.process(input({ aws: { AWS_ROLE_ARN: ROLE } })), (e: unknown) => {
    assert.ok(isCofferError(e));
    assert.equal(e.code, "aws_assume_role_failed");
    assert.match(e.message, /Failed to assume the AWS role of secret 'aws': AccessDenied: not authorized/);
    return true;
  });
  // A failure is not cached: the next run asks again.
  sts.failWith = undefined;
  await p.process(input({ aws: { AWS_ROLE_ARN: ROLE } }));
  assert.equal(sts.calls.length, 2);
});

test("no host identity: the error says Coffer needs AWS credentials of its own", async () => {
  const p = createAwsAssumeRolePreprocessor({
    stsEndpoint: sts.endpoint,
    hostCredentials: async () => {
      const error = new Error("Could not load credentials from any providers");
      error.name = "CredentialsProviderError";
      throw error;
    },
  });
  await assert.rejects(p.process(input({ aws: { AWS_ROLE_ARN: ROLE } })), /Coffer has no AWS identity of its own/);
});

test("cache: one run's actions share one call; an explicit session name serves every run until 5 minutes before expiry", async () => {
  let clock = Date.now();
  sts.now = () => clock;
  const p = preprocessor(() => clock);
  await p.process(input({ aws: { AWS_ROLE_ARN: ROLE } }, "run-a"));
  await p.process(input({ aws: { AWS_ROLE_ARN: ROLE } }, "run-a"));
  assert.equal(sts.calls.length, 1, "two actions of one run");
  await p.process(input({ aws: { AWS_ROLE_ARN: ROLE } }, "run-b"));
  assert.equal(sts.calls.length, 2, "the default session name names the run");

  const named = { AWS_ROLE_ARN: ROLE, AWS_ROLE_SESSION_NAME: "soc" };
  const first = input({ aws: named }, "run-c");
  await p.process(first);
  const second = input({ aws: named }, "run-d");
  await p.process(second);
  assert.equal(sts.calls.length, 3, "a second run reuses the named session's credentials");
  assert.equal(second.secrets.get("aws")?.AWS_ACCESS_KEY_ID, first.secrets.get("aws")?.AWS_ACCESS_KEY_ID);

  clock += 3600_000 - REFRESH_MARGIN_MS - 1000;
  await p.process(input({ aws: named }, "run-e"));
  assert.equal(sts.calls.length, 3, "still outside the margin");
  clock += 2000;
  const near = input({ aws: named }, "run-f");
  await p.process(near);
  assert.equal(sts.calls.length, 4, "inside the 5-minute margin: refreshed");
  assert.notEqual(near.secrets.get("aws")?.AWS_ACCESS_KEY_ID, first.secrets.get("aws")?.AWS_ACCESS_KEY_ID);
  sts.now = () => Date.now();
});

test("single flight: 20 concurrent runs with one session name make one STS call", async () => {
  sts.delayMs = 100;
  const p = preprocessor();
  const runs = Array.from({ length: 20 }, (_, i) =>
    input({ aws: { AWS_ROLE_ARN: ROLE, AWS_ROLE_SESSION_NAME: "fleet" } }, `run-${i}`),
  );
  await Promise.all(runs.map((r) => p.process(r)));
  assert.equal(sts.calls.length, 1);
  assert.equal(p.stsCalls, 1);
  const keys = new Set(runs.map((r) => r.secrets.get("aws")?.AWS_ACCESS_KEY_ID));
  assert.equal(keys.size, 1);
});

test("amazon_bedrock gets the external id for its own AssumeRole, and is not exchanged", async () => {
  const p = preprocessor();
  const request = input({ amazon_bedrock: { AWS_ROLE_ARN: ROLE } });
  await p.process(request);
  assert.deepEqual(request.secrets.get("amazon_bedrock"), {
    AWS_ROLE_ARN: ROLE,
    TRACECAT_AWS_EXTERNAL_ID: EXTERNAL_ID,
  });
  assert.equal(sts.calls.length, 0);
});
