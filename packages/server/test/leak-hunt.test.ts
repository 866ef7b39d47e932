// The leak hunt over HTTP: canary values go in through every route that accepts values, in valid
// and invalid requests (raw-socket ones too: a bad method, a body cut short), and through the
// unexpected-error path, to a real `coffer serve` process logging at trace level. Every response
// body and header, the server's whole stdout/stderr, the audit rows and the database are searched
// for each canary, private key and token, in every form the shared leak hunter knows.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "@coffer/core";
import {
  canary,
  createTestEnvironment,
  ed25519PrivateKeyPem,
  internalsOf,
  LeakHunter,
  selfSignedCertificate,
  storeHaystacks,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { rawExchange, type ServerProcess, startServerProcess } from "./support.js";

interface Exchange {
  label: string;
  status: number;
  text: string;
}

for (const dialect of await testDialects("http leak hunt")) {
  describe(`leak hunt over HTTP (${dialect})`, () => {
    let env: TestEnvironment;
    let server: ServerProcess;
    let coffer: Coffer;
    let admin: string;
    let editor: string;
    let viewer: string;
    let bravoAdmin: string;
    let revoked: string;
    /** Secret values, private keys and tokens: must appear nowhere, the database included. */
    const secrets = new LeakHunter();
    /** Those and variable values (returned by design on success): in no log and no error. */
    const everything = new LeakHunter();
    const exchanges: Exchange[] = [];

    const plantSecret = (label: string, value: string) => {
      secrets.add(label, value);
      everything.add(label, value);
      return value;
    };
    const secret = (label: string) => plantSecret(`secret ${label}`, canary(label));
    /** A private key, whole and line by line (a log might hold one line of it). */
    const plantKey = (label: string, pem: string) => {
      plantSecret(label, pem.trim());
      const lines = pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
      for (const [i, line] of lines.entries()) plantSecret(`${label} line ${i + 1}`, line);
      return pem;
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
      const gone = await coffer.tokens.create(ws.id, { role: "admin", name: "revoked" }, { actor: "test" });
      await coffer.tokens.revoke(ws.id, gone.item.id, { actor: "test" });
      revoked = gone.token;
      for (const [label, token] of Object.entries({ admin, editor, viewer, bravoAdmin, revoked }))
        plantSecret(`${label} token`, token);
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

      const sshKey = plantKey("ssh private key", ed25519PrivateKeyPem());
      assert.equal(
        (
          await send("create ssh", "POST", `${W}/secrets`, {
            body: { name: "leaky_ssh", type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: sshKey }] },
          })
        ).status,
        201,
      );
      const pair = selfSignedCertificate("leak.test");
      plantKey("mtls private key", pair.privateKey);
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
              { key: "TLS_PRIVATE_KEY", value: plantKey("mismatched private key", ed25519PrivateKeyPem()) },
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
        ["revoked token", revoked, W, 401],
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
              { key: "TLS_PRIVATE_KEY", value: plantKey("replacement private key", ed25519PrivateKeyPem()) },
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
      const varValue = vcanary("var_ok");
      const v = await send("variable ok", "POST", `${W}/variables`, {
        token: editor,
        body: { name: "cfg", values: { url: varValue } },
      });
      assert.equal(v.status, 201);
      exchanges.pop(); // its body holds the value by design
      const varPatch = vcanary("var_patch");
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
      everything.add(`variable ${label}`, v);
      return v;
    }

    test("requests fetch will not send: a bad method with a token, a body cut short of its length", async () => {
      const W = "/api/v1/workspaces/default";
      const host = new URL(server.url).host;
      const badBody = JSON.stringify({ name: "m", keys: [{ key: "K", value: secret("badmethod") }] });
      const raws: [string, string][] = [
        ["bad method", `FOO /api/v1/whoami HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${viewer}\r\n\r\n`],
        [
          "bad method with a body",
          `FOO ${W}/secrets HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${editor}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(badBody)}\r\n\r\n${badBody}`,
        ],
        [
          "body cut short",
          `POST ${W}/secrets HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${editor}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n` +
            `{"name":"cut","keys":[{"key":"K","value":"${secret("cutshort")}"}`,
        ],
        [
          "header line broken after a token",
          `GET /api/v1/whoami HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${admin}\r\nBad Header\r\n\r\n`,
        ],
      ];
      for (const [label, request] of raws) {
        const text = await rawExchange(server.url, request);
        exchanges.push({ label, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
      }
      const [badMethod, , , badHeader] = exchanges.slice(-4);
      assert.equal(badMethod?.status, 400, "a bad method is refused");
      assert.equal(badHeader?.status, 400, "a broken header line is refused");
    });

    test("the unexpected-error path: a secret whose stored row is broken gives 500s", async () => {
      const W = "/api/v1/workspaces/default";
      const created = await send("create broken", "POST", `${W}/secrets`, {
        token: editor,
        body: { name: "broken", keys: [{ key: "K", value: secret("broken") }] },
      });
      assert.equal(created.status, 201);
      const id = String(created.json().id);
      // A fault of the store itself (as a bad restore or a disk error leaves it), not a mock.
      await internalsOf(coffer)
        .database.db.updateTable("secrets")
        .set({ tags: "{broken" })
        .where("id", "=", id)
        .execute();
      const failing: [string, string, string, unknown?][] = [
        ["broken get", "GET", `${W}/secrets/${id}`],
        ["broken by name", "GET", `${W}/secrets/by-name/broken`],
        ["broken list", "GET", `${W}/secrets`],
        ["broken patch", "PATCH", `${W}/secrets/${id}`, { keys: [{ key: "K", value: secret("broken_patch") }] }],
        ["broken restore", "POST", `${W}/secrets/${id}/versions/1/restore`],
      ];
      for (const [label, method, path, body] of failing) {
        const res = await send(label, method, path, { token: admin, ...(body === undefined ? {} : { body }) });
        assert.equal(res.status, 500, `${label}: ${res.text}`);
        assert.equal((res.json().error as { code: string }).code, "internal_error");
      }
    });

    test("no canary in any response body or header", () => {
      assert.ok(exchanges.length > 40, `only ${exchanges.length} exchanges`);
      for (const exchange of exchanges) everything.assertClean(exchange.text, `${exchange.label} (${exchange.status})`);
    });

    test("no canary or token in the server's log output, and the log really is verbose", async () => {
      const code = await server.stop();
      assert.equal(code, 0);
      const output = `${server.stdout()}\n${server.stderr()}`;
      // Log lines are JSON on stderr (stdout is for command output), beside the human start-up notes.
      const lines = server
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("{"));
      assert.ok(lines.length >= exchanges.length * 2, `expected request logs, got ${lines.length} lines`);
      for (const message of ['"request refused"', '"request failed"'])
        assert.ok(
          lines.some((l) => l.includes(message)),
          `${message} is logged`,
        );
      everything.assertClean(output, "server output");
    });

    test("no canary in the audit trail", async () => {
      const events = await coffer.audit.list({ limit: 100_000 });
      assert.ok(events.some((e) => e.action === "request.denied"));
      everything.assertClean(JSON.stringify(events), "audit");
    });

    test("no secret value, private key or token in the database after the hunt", async () => {
      // admin.token holds the bootstrap token by design; everything else the store keeps is scanned.
      const haystacks = await storeHaystacks(env, { skipFiles: (name) => name === "admin.token" });
      assert.ok(haystacks.length > 0);
      for (const { where, data } of haystacks) secrets.assertClean(data, where);
    });
  });
}
