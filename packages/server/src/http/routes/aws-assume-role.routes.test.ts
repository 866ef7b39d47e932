import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "@coffer/core";
import { testDialects } from "@coffer/core/testing";
import { startFakeSts } from "@coffer/runtime/testing";
import { openRuntime } from "../../runtime-context.js";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

const HOST = { accessKeyId: "AKIAHOSTROUTE0000001", secretAccessKey: "host-route-secret" };

for (const dialect of await testDialects("aws assume-role route")) {
  describe(`GET …/secrets/aws-assume-role (${dialect})`, () => {
    let configured: TestApp;
    before(async () => {
      configured = await startTestApp(dialect, {
        COFFER_AWS_ACCOUNT_ID: "123456789012",
        COFFER_AWS_PRINCIPAL_ARN: "arn:aws:iam::123456789012:role/coffer-executor",
      });
    });
    after(() => configured.close());

    test("from the configuration: account, principal, the workspace's external id and a trust policy; a viewer may read it", async () => {
      const res = await configured.call("GET", `/api/v1/workspaces/${configured.workspaceId}/secrets/aws-assume-role`, {
        token: configured.tokens.viewer,
      });
      assert.equal(res.statusCode, 200, res.body);
      const externalId = configured.workspaceId.replaceAll("-", "");
      assert.match(externalId, /^[0-9a-f]{32}$/);
      assert.deepEqual(res.json(), {
        account_id: "123456789012",
        principal_arn: "arn:aws:iam::123456789012:role/coffer-executor",
        external_id: externalId,
        trust_policy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::123456789012:role/coffer-executor" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
          ],
        },
        source: "config",
      });
      const slug = await configured.call("GET", "/api/v1/workspaces/default/secrets/aws-assume-role");
      assert.equal(slug.json().external_id, externalId, "the slug names the same workspace");
    });

    test("without configuration: asked of STS GetCallerIdentity (an assumed role becomes its role ARN)", async () => {
      const sts = await startFakeSts();
      let t: TestApp | undefined;
      const runtime = await openRuntime(loadConfig({ COFFER_AWS_STS_ENDPOINT: sts.endpoint }), {
        awsHostCredentials: HOST,
      });
      try {
        t = await startTestApp(dialect, {}, { runtime });
        const res = await t.call("GET", `/api/v1/workspaces/${t.workspaceId}/secrets/aws-assume-role`);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().account_id, "999988887777");
        assert.equal(res.json().principal_arn, "arn:aws:iam::999988887777:role/coffer-host");
        assert.equal(res.json().source, "sts");
        assert.equal(sts.calls[0]?.action, "GetCallerIdentity");
        assert.equal(sts.calls[0]?.signedBy, HOST.accessKeyId);
      } finally {
        await t?.close();
        await runtime.close();
        await sts.close();
      }
    });

    test("no AWS identity at all: 503 with a message saying what to set", async () => {
      const t = await startTestApp(dialect);
      try {
        const res = await t.call("GET", `/api/v1/workspaces/${t.workspaceId}/secrets/aws-assume-role`);
        assert.equal(res.statusCode, 503, res.body);
        assert.equal(errorCode(res), "aws_identity_unavailable");
        assert.match(res.json().error.message, /Set COFFER_AWS_ACCOUNT_ID and COFFER_AWS_PRINCIPAL_ARN/);
      } finally {
        await t.close();
      }
    });
  });
}
