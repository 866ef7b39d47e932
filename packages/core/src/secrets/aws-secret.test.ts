import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { isCofferError } from "../errors/coffer-error.js";
import {
  canary,
  createTestEnvironment,
  openBootstrapped,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";
import { AWS_ROLE_ARN_PATTERN, checkProtectedAwsSecret, workspaceExternalId } from "./aws-secret.js";

const actor = { actor: "test:alice" };

function refusedWith(code: string, message: RegExp, hidden?: string) {
  return (error: unknown) => {
    assert.ok(isCofferError(error), `expected a CofferError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    if (hidden) {
      assert.ok(!error.message.includes(hidden), "the message must not hold the value");
      assert.ok(!JSON.stringify(error.details).includes(hidden), "the details must not hold the value");
    }
    return true;
  };
}

test("role ARNs of every partition and with paths are accepted; other shapes are not", () => {
  for (const arn of [
    "arn:aws:iam::123456789012:role/my-role",
    "arn:aws-us-gov:iam::123456789012:role/my-role",
    "arn:aws-cn:iam::123456789012:role/my-role",
    "arn:aws-iso-b:iam::123456789012:role/my-role",
    "arn:aws:iam::123456789012:role/team/security/reader+ci=x,y.z@w-1",
  ]) {
    assert.match(arn, AWS_ROLE_ARN_PATTERN);
    assert.equal(checkProtectedAwsSecret("aws", { AWS_ROLE_ARN: ` ${arn} ` }).roleArn, arn);
  }
  for (const arn of [
    "123456789012:role/my-role",
    "arn:aws:s3:::my-bucket",
    "arn:aws:iam::12345678901:role/short-account",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:role/",
    "arn:aws:iam::123456789012:role/with space",
  ]) {
    assert.throws(
      () => checkProtectedAwsSecret("amazon_s3", { AWS_ROLE_ARN: arn }),
      refusedWith("invalid_aws_role_arn", /Invalid AWS role ARN format in secret 'amazon_s3'/, arn),
    );
  }
});

test("AWS_PROFILE is refused; blank AWS_PROFILE and blank AWS_ROLE_ARN are ignored", () => {
  assert.throws(
    () => checkProtectedAwsSecret("aws", { AWS_PROFILE: "prod", AWS_ACCESS_KEY_ID: "AKIA" }),
    refusedWith("aws_profile_unsupported", /AWS_PROFILE is not supported in protected secret 'aws'/, "prod"),
  );
  assert.deepEqual(checkProtectedAwsSecret("aws", { AWS_PROFILE: "  ", AWS_ROLE_ARN: "" }), {
    roleArn: undefined,
    blankKeys: ["AWS_PROFILE", "AWS_ROLE_ARN"],
  });
});

test("a secret with any other name is not checked (its role ARN is never exchanged)", () => {
  assert.deepEqual(checkProtectedAwsSecret("aws_prod", { AWS_PROFILE: "prod", AWS_ROLE_ARN: "nonsense" }), {
    roleArn: undefined,
    blankKeys: [],
  });
});

test("the external id is the workspace id without hyphens, and reserved in protected secrets", () => {
  assert.equal(workspaceExternalId("0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"), "0193a1b2c3d47e5f8a9b0c1d2e3f4a5b");
  assert.throws(() => workspaceExternalId("default"), /not a UUID/);
  assert.throws(
    () =>
      checkProtectedAwsSecret("aws", {
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r",
        TRACECAT_AWS_EXTERNAL_ID: "customer-value",
      }),
    refusedWith("aws_external_id_reserved", /TRACECAT_AWS_EXTERNAL_ID/, "customer-value"),
  );
});

for (const dialect of await testDialects("protected AWS secrets")) {
  describe(`protected AWS secrets on write (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    test("create refuses AWS_PROFILE and a malformed ARN with the run-time message, never the value", async () => {
      const profile = canary("profile");
      await assert.rejects(
        coffer.secrets.create(ws, { name: "aws", keys: [{ key: "AWS_PROFILE", value: profile }] }, actor),
        refusedWith("aws_profile_unsupported", /AWS_PROFILE is not supported in protected secret 'aws'/, profile),
      );
      const arn = `arn:aws:iam::123:role/${canary("arn")}`;
      await assert.rejects(
        coffer.secrets.create(ws, { name: "amazon_s3", keys: [{ key: "AWS_ROLE_ARN", value: arn }] }, actor),
        refusedWith("invalid_aws_role_arn", /Invalid AWS role ARN format in secret 'amazon_s3'/, arn),
      );
      // Nothing was stored.
      const page = await coffer.secrets.list(ws, {});
      assert.deepEqual(
        page.items.filter((i) => i.name === "aws" || i.name === "amazon_s3"),
        [],
      );
    });

    test("update refuses them too; other names are stored as given", async () => {
      const item = await coffer.secrets.create(
        ws,
        { name: "aws", keys: [{ key: "AWS_ROLE_ARN", value: "arn:aws-us-gov:iam::123456789012:role/a/b/reader" }] },
        actor,
      );
      await assert.rejects(
        coffer.secrets.update(ws, item.id, { keys: [{ key: "AWS_PROFILE", value: "prod" }] }, actor),
        refusedWith("aws_profile_unsupported", /protected secret 'aws'/),
      );
      await assert.rejects(
        coffer.secrets.update(ws, item.id, { keys: [{ key: "AWS_ROLE_ARN", value: "arn:aws:s3:::bucket" }] }, actor),
        refusedWith("invalid_aws_role_arn", /secret 'aws'/),
      );
      const other = await coffer.secrets.create(
        ws,
        { name: "aws_legacy", keys: [{ key: "AWS_PROFILE", value: "prod" }] },
        actor,
      );
      assert.deepEqual(other.keys, ["AWS_PROFILE"]);
    });
  });
}
