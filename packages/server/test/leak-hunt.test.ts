// The leak hunt over HTTP: canary values go in through every route that accepts values, in valid
// and invalid requests, to a real `coffer serve` process logging at trace level. Every response
// body and header, the server's whole stdout/stderr and the audit rows are searched for each
// canary in raw, URL-encoded, JSON-escaped and base64 forms.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "@coffer/core";
import {
  canary,
  createTestEnvironment,
  ed25519PrivateKeyPem,
  selfSignedCertificate,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { encodings, findLeak, type ServerProcess, startServerProcess } from "./support.js";

interface Exchange {
  label: string;
  status: number;
  text: string;
}

test("the hunter finds a canary in each form it claims to search", () => {
  const value = canary("self");
  for (const form of encodings(value)) assert.ok(findLeak(`..${form}..`, [value]), form);
  assert.ok(findLeak(`x${Buffer.from(`:${value}`).toString("base64")}x`, [value]), "base64 at offset 1");
  assert.ok(findLeak(`x${Buffer.from(`ab${value}`).toString("base64")}x`, [value]), "base64 at offset 2");
  assert.equal(findLeak("nothing here", [value]), undefined);
});

for (const dialect of await testDialects("http leak hunt")) {
  describe(`leak hunt over HTTP (${dialect})`, () => {
    let env: TestEnvironment;
    let server: ServerProcess;
    let coffer: Coffer;
    let admin: string;
    let editor: string;
    let viewer: string;
    let bravoAdmin: string;
    /** Secret values: must appear nowhere. */
    const secrets: string[] = [];
    /** Variable values (returned by design on success): must appear in no log and no error. */
    const variableValues: string[] = [];
    const exchanges: Exchange[] = [];

    const secret = (label: string) => {
      const v = canary(label);
      secrets.push(v);
      return v;
    };

    async function send(
      label: string,
      method: string,
      path: string,
      options: { token?: string | null; body?: unknown; raw?: string; contentType?: string } = {},
    ): Promise<Exchange & { json: () => Record<string, unknown> }> {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? admin : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const body = await res.text();
      const headerText = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
      const exchange = { label, status: res.status, text: `${res.status} ${res.statusText}\n${headerText}\n\n${body}` };
      exchanges.push(exchange);
      return { ...exchange, json: () => JSON.parse(body) as Record<string, unknown> };
    }

    before(async () => {
      env = await createTestEnvironment(dialect);
      server = await startServerProcess(env.env, { COFFER_LOG_LEVEL: "trace" });
      admin = readFileSync(join(env.home, "admin.token"), "utf8").trim();
      coffer = await env.open();
      const ws = await coffer.workspaces.resolve("default");
      editor = (await coffer.tokens.create(ws.id, { role: "editor", name: "leak editor" }, { actor: "test" })).token;
      viewer = (await coffer.tokens.create(ws.id, { role: "viewer", name: "leak viewer" }, { actor: "test" })).token;
      const bravo = await coffer.workspaces.create({ slug: "bravo" }, { actor: "test" });
      bravoAdmin = (await coffer.tokens.create(bravo.id, { role: "admin", name: "bravo admin" }, { actor: "test" }))
        .token;
    });
    after(async () => {
      if (server) await server.stop();
      await coffer?.close();
      await env?.cleanup();
    });

    test("canaries through every value-carrying route, valid and invalid", async () => {
      const W = "/api/v1/workspaces/default";
      // Valid writes.
      const created = await send("create custom", "POST", `${W}/secrets`, {
        token: editor,
        body: {
          name: "leaky",
          description: "canary carrier",
          keys: [
            { key: "API_KEY", value: secret("create1") },
            { key: "PASSWORD", value: secret("create2") },
            { key: "MULTILINE", value: `${secret("line1")}\n${secret("line2")}` },
          ],
        },
      });
      assert.equal(created.status, 201);
      const id = String(created.json().id);

      const sshKey = ed25519PrivateKeyPem();
      secrets.push(sshKey.trim(), ...sshKey.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")));
      assert.equal(
        (
          await send("create ssh", "POST", `${W}/secrets`, {
            body: { name: "leaky_ssh", type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: sshKey }] },
          })
        ).status,
        201,
      );
      const pair = selfSignedCertificate("leak.test");
      secrets.push(...pair.privateKey.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")));
      const mtls = await send("create mtls", "POST", `${W}/secrets`, {
        body: {
          name: "leaky_mtls",
          type: "mtls",
          keys: [
            { key: "TLS_CERTIFICATE", value: pair.certificate },
            { key: "TLS_PRIVATE_KEY", value: pair.privateKey },
          ],
        },
      });
      assert.equal(mtls.status, 201);
      const mtlsId = String(mtls.json().id);

      assert.equal(
        (
          await send("patch keys", "PATCH", `${W}/secrets/${id}`, {
            token: editor,
            body: {
              keys: [
                { key: "API_KEY", value: "" },
                { key: "PASSWORD", value: secret("patch1") },
                { key: "NEW", value: secret("patch2") },
              ],
            },
          })
        ).status,
        200,
      );
      assert.equal((await send("restore", "POST", `${W}/secrets/${id}/versions/1/restore`)).status, 200);
      assert.equal((await send("get", "GET", `${W}/secrets/${id}`, { token: viewer })).status, 200);
      assert.equal((await send("list", "GET", `${W}/secrets`, { token: viewer })).status, 200);
      assert.equal((await send("by name", "GET", `${W}/secrets/by-name/leaky`, { token: viewer })).status, 200);
      assert.equal((await send("versions", "GET", `${W}/secrets/${id}/versions`, { token: viewer })).status, 200);

      // Invalid creates.
      const invalid: [string, unknown, number][] = [
        ["bad name", { name: "Bad-Name", keys: [{ key: "K", value: secret("badname") }] }, 422],
        ["bad key name", { name: "x1", keys: [{ key: "1bad", value: secret("badkey") }] }, 422],
        ["unknown top field", { name: "x2", keys: [{ key: "K", value: "v" }], note: secret("note") }, 422],
        ["unknown key field", { name: "x3", keys: [{ key: "K", value: secret("kv"), hint: secret("hint") }] }, 422],
        ["value not a string", { name: "x4", keys: [{ key: "K", value: [secret("arr")] }] }, 422],
        ["value as object", { name: "x4b", keys: [{ key: "K", value: { v: secret("obj") } }] }, 422],
        ["keys as object", { name: "x5", keys: { K: secret("keysobj") } }, 422],
        [
          "duplicate key",
          {
            name: "x6",
            keys: [
              { key: "K", value: secret("dup1") },
              { key: "K", value: secret("dup2") },
            ],
          },
          422,
        ],
        ["bad ssh", { name: "x7", type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: secret("ssh") }] }, 422],
        [
          "bad ssh pem",
          {
            name: "x7b",
            type: "ssh_key",
            keys: [
              {
                key: "PRIVATE_KEY",
                value: `-----BEGIN PRIVATE KEY-----\n${secret("pem")}\n-----END PRIVATE KEY-----\n`,
              },
            ],
          },
          422,
        ],
        [
          "bad mtls",
          {
            name: "x8",
            type: "mtls",
            keys: [
              { key: "TLS_CERTIFICATE", value: secret("cert") },
              { key: "TLS_PRIVATE_KEY", value: secret("tlskey") },
            ],
          },
          422,
        ],
        [
          "mtls key mismatch",
          {
            name: "x8b",
            type: "mtls",
            keys: [
              { key: "TLS_CERTIFICATE", value: pair.certificate },
              { key: "TLS_PRIVATE_KEY", value: ed25519PrivateKeyPem() },
            ],
          },
          422,
        ],
        ["bad ca", { name: "x9", type: "ca_cert", keys: [{ key: "CA_CERTIFICATE", value: secret("ca") }] }, 422],
        ["wrong structured keys", { name: "x9b", type: "ssh_key", keys: [{ key: "KEY", value: secret("sk") }] }, 422],
        ["bad type", { name: "x10", type: "vault", keys: [{ key: "K", value: secret("type") }] }, 422],
        ["bad environment", { name: "x11", environment: "Prod!", keys: [{ key: "K", value: secret("env") }] }, 422],
        ["bad expires_at", { name: "x12", expires_at: "soon", keys: [{ key: "K", value: secret("exp") }] }, 422],
        ["value too large", { name: "x13", keys: [{ key: "K", value: secret("big").repeat(3000) }] }, 413],
        ["duplicate secret", { name: "leaky", keys: [{ key: "K", value: secret("conflict") }] }, 409],
      ];
      for (const [label, body, status] of invalid) {
        const res = await send(label, "POST", `${W}/secrets`, { token: editor, body });
        assert.equal(res.status, status, `${label}: ${res.text}`);
      }
      const raw: [string, string, string, number][] = [
        ["malformed json", `{"name":"m","keys":[{"key":"K","value":"${secret("malformed")}"`, "application/json", 400],
        [
          "json with trailing junk",
          `{"name":"m","keys":[{"key":"K","value":"${secret("junk")}"}]}}`,
          "application/json",
          400,
        ],
        ["text body", `name=m&value=${secret("text")}`, "text/plain", 415],
        ["form body", `name=m&value=${secret("form")}`, "application/x-www-form-urlencoded", 415],
        [
          "body too large",
          `{"name":"m","keys":[{"key":"K","value":"${secret("huge").repeat(40_000)}"}]}`,
          "application/json",
          413,
        ],
        [
          "proto poisoning",
          `{"name":"m","keys":[{"key":"K","value":"${secret("proto")}"}],"__proto__":{"v":"${secret("proto2")}"}}`,
          "application/json",
          400,
        ],
      ];
      for (const [label, body, contentType, status] of raw) {
        const res = await send(label, "POST", `${W}/secrets`, { token: editor, raw: body, contentType });
        assert.equal(res.status, status, `${label}: ${res.text}`);
      }

      // Refused before the body is read.
      const refused: [string, string | null, string, number][] = [
        ["no token", null, W, 401],
        ["bad token", "coffer_not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxxxx", W, 401],
        ["viewer", viewer, W, 403],
        ["other workspace", bravoAdmin, W, 404],
      ];
      for (const [label, token, base, status] of refused) {
        const res = await send(label, "POST", `${base}/secrets`, {
          token,
          body: { name: "refused", keys: [{ key: "K", value: secret(label.replace(/ /g, "_")) }] },
        });
        assert.equal(res.status, status, `${label}: ${res.text}`);
      }

      // Invalid updates.
      const patches: [string, string, unknown, number][] = [
        ["patch bad key", id, { keys: [{ key: "bad-key", value: secret("pbk") }] }, 422],
        ["patch unknown field", id, { keys: [{ key: "K", value: secret("puf") }], value: secret("puf2") }, 422],
        ["patch type change", id, { type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: secret("ptc") }] }, 422],
        [
          "patch missing id",
          "00000000-0000-4000-8000-000000000000",
          { keys: [{ key: "K", value: secret("pmi") }] },
          404,
        ],
        [
          "patch mtls bad cert",
          mtlsId,
          {
            keys: [
              { key: "TLS_CERTIFICATE", value: secret("pmc") },
              { key: "TLS_PRIVATE_KEY", value: "" },
            ],
          },
          422,
        ],
        [
          "patch mtls new key",
          mtlsId,
          {
            keys: [
              { key: "TLS_CERTIFICATE", value: "" },
              { key: "TLS_PRIVATE_KEY", value: ed25519PrivateKeyPem() },
            ],
          },
          422,
        ],
        ["patch value number", id, { keys: [{ key: "K", value: 12345678901234 }], description: secret("pdesc") }, 422],
      ];
      for (const [label, target, body, status] of patches) {
        const res = await send(label, "PATCH", `${W}/secrets/${target}`, { token: editor, body });
        assert.equal(res.status, status, `${label}: ${res.text}`);
      }
      const patchRefused = await send("patch viewer", "PATCH", `${W}/secrets/${id}`, {
        token: viewer,
        body: { keys: [{ key: "K", value: secret("pview") }] },
      });
      assert.equal(patchRefused.status, 403);
      const patchForeign = await send("patch foreign", "PATCH", `/api/v1/workspaces/bravo/secrets/${id}`, {
        token: bravoAdmin,
        body: { keys: [{ key: "K", value: secret("pforeign") }] },
      });
      assert.equal(patchForeign.status, 404);

      // Variables: values come back on success (they are not secret), but never in a log or an error.
      const varValue = canary("var_ok");
      variableValues.push(varValue);
      const v = await send("variable ok", "POST", `${W}/variables`, {
        token: editor,
        body: { name: "cfg", values: { url: varValue } },
      });
      assert.equal(v.status, 201);
      exchanges.pop(); // its body holds the value by design
      const varPatch = canary("var_patch");
      variableValues.push(varPatch);
      assert.equal(
        (
          await send("variable patch", "PATCH", `${W}/variables/${String(v.json().id)}`, {
            token: editor,
            body: { values: { url: varPatch } },
          })
        ).status,
        200,
      );
      exchanges.pop();
      const varInvalid: [string, string, string, unknown, number][] = [
        ["var bad name", "POST", `${W}/variables`, { name: "Bad", values: { a: vcanary("vbn") } }, 422],
        ["var bad key", "POST", `${W}/variables`, { name: "ok", values: { "bad key": vcanary("vbk") } }, 422],
        ["var unknown field", "POST", `${W}/variables`, { name: "ok", values: {}, secret: vcanary("vuf") }, 422],
        ["var values not object", "POST", `${W}/variables`, { name: "ok", values: vcanary("vno") }, 422],
        ["var too large", "POST", `${W}/variables`, { name: "ok", values: { a: vcanary("vbig").repeat(12_000) } }, 413],
        ["var duplicate", "POST", `${W}/variables`, { name: "cfg", values: { a: vcanary("vdup") } }, 409],
        ["var patch unknown", "PATCH", `${W}/variables/${String(v.json().id)}`, { value: vcanary("vpu") }, 422],
        ["var patch missing", "PATCH", `${W}/variables/nope`, { values: { a: vcanary("vpm") } }, 404],
      ];
      for (const [label, method, path, body, status] of varInvalid) {
        const res = await send(label, method, path, { token: editor, body });
        assert.equal(res.status, status, `${label}: ${res.text}`);
      }
      const varRefused = await send("var viewer", "POST", `${W}/variables`, {
        token: viewer,
        body: { name: "nope", values: { a: vcanary("vview") } },
      });
      assert.equal(varRefused.status, 403);
      const varMalformed = await send("var malformed", "POST", `${W}/variables`, {
        token: editor,
        raw: `{"name":"m","values":{"a":"${vcanary("vmal")}"`,
      });
      assert.equal(varMalformed.status, 400);
    });

    function vcanary(label: string): string {
      const v = canary(label);
      variableValues.push(v);
      return v;
    }

    test("no canary in any response body or header", () => {
      assert.ok(exchanges.length > 40, `only ${exchanges.length} exchanges`);
      for (const exchange of exchanges) {
        const leak = findLeak(exchange.text, [...secrets, ...variableValues]);
        assert.equal(leak, undefined, `${exchange.label} (${exchange.status}) leaked ${leak}`);
      }
    });

    test("no canary in the server's log output, and the log really is verbose", async () => {
      const code = await server.stop();
      assert.equal(code, 0);
      const output = `${server.stdout()}\n${server.stderr()}`;
      const lines = server.stdout().split("\n").filter(Boolean);
      assert.ok(lines.length >= exchanges.length * 2, `expected request logs, got ${lines.length} lines`);
      assert.ok(
        lines.some((l) => l.includes('"request refused"')),
        "refusals are logged",
      );
      const leak = findLeak(output, [...secrets, ...variableValues]);
      assert.equal(leak, undefined, `server output leaked ${leak}`);
      assert.ok(!output.includes(admin) && !output.includes(editor), "a token reached the log");
    });

    test("no canary in the audit trail", async () => {
      const events = await coffer.audit.list({ limit: 100_000 });
      assert.ok(events.some((e) => e.action === "request.denied"));
      const leak = findLeak(JSON.stringify(events), [...secrets, ...variableValues]);
      assert.equal(leak, undefined, `audit leaked ${leak}`);
    });
  });
}
