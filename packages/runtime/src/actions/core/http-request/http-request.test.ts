import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TLSSocket } from "node:tls";
import { CofferError } from "@coffer/core";
import { runAction, testContext } from "../../test-context.test-support.js";
import { httpRequestAction } from "./http-request.js";

// ---------------------------------------------------------------- certificates (openssl, at test time)

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  rogueClientCert: string;
  rogueClientKey: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "coffer-http-pki-"));
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  const read = (name: string): string => readFileSync(join(dir, name), "utf8");
  try {
    const makeCa = (name: string): void =>
      openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-subj",
        `/CN=${name}`,
      );
    const makeLeaf = (name: string, ca: string, ext: string): void => {
      writeFileSync(join(dir, `${name}.ext`), ext);
      openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${name}`,
      );
      openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        `${ca}.crt`,
        "-CAkey",
        `${ca}.key`,
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
      );
    };
    makeCa("coffer-test-ca");
    makeCa("rogue-ca");
    makeLeaf(
      "server",
      "coffer-test-ca",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
    );
    makeLeaf("client", "coffer-test-ca", "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
    makeLeaf("rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
    return {
      ca: read("coffer-test-ca.crt"),
      serverCert: read("server.crt"),
      serverKey: read("server.key"),
      clientCert: read("client.crt"),
      clientKey: read("client.key"),
      rogueClientCert: read("rogue-client.crt"),
      rogueClientKey: read("rogue-client.key"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- a real server that echoes requests

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const body = await readBody(req);
  const path = url.pathname;
  if (path === "/echo") {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    let multipart: Record<string, unknown> | undefined;
    if ((req.headers["content-type"] ?? "").startsWith("multipart/form-data")) {
      // Parsed by a real multipart parser (the platform's Request), not by hand.
      const form = await new Request("http://local/", {
        method: "POST",
        headers: { "content-type": String(req.headers["content-type"]) },
        body,
      }).formData();
      multipart = {};
      for (const [name, value] of form.entries()) {
        multipart[name] =
          typeof value === "string"
            ? value
            : {
                filename: value.name,
                type: value.type,
                base64: Buffer.from(await value.arrayBuffer()).toString("base64"),
              };
      }
    }
    json(res, 200, {
      method: req.method,
      path,
      query: [...url.searchParams.entries()],
      headers: req.headers,
      body: body.toString("utf8"),
      multipart,
      client_cn: peer && Object.keys(peer).length > 0 ? peer.subject.CN : null,
    });
    return;
  }
  const echoStatus = /^\/echo-status\/(\d{3})$/.exec(path);
  if (echoStatus) {
    json(res, Number(echoStatus[1]), { you_sent: req.headers });
    return;
  }
  const crossOrigin = url.searchParams.get("to");
  if (path === "/redirect-to" && crossOrigin) {
    res.writeHead(302, { location: crossOrigin });
    res.end();
    return;
  }
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    json(res, Number(status[1]), { error: "the upstream says no", status: Number(status[1]) });
    return;
  }
  const hops = /^\/redirect\/(\d+)$/.exec(path);
  if (hops) {
    const n = Number(hops[1]);
    const code = Number(url.searchParams.get("code") ?? 302);
    res.writeHead(code, { location: n <= 1 ? "/echo" : `/redirect/${n - 1}?code=${code}` });
    res.end();
    return;
  }
  if (path === "/slow") {
    setTimeout(() => json(res, 200, { late: true }), 3000).unref();
    return;
  }
  if (path === "/text") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-multi": ["a", "b"] });
    res.end("héllo");
    return;
  }
  if (path === "/problem") {
    res.writeHead(200, { "content-type": "application/problem+json" });
    res.end('{"title":"problem"}');
    return;
  }
  if (path === "/binary") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(Buffer.from([0, 1, 2, 250, 255]));
    return;
  }
  if (path === "/not-json") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("<html>oops</html>");
    return;
  }
  json(res, 404, { error: "no route" });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the action to fail");
}

const http = (args: Record<string, unknown>, ctx = testContext()) => runAction(httpRequestAction, args, ctx);

// ---------------------------------------------------------------- Tracecat's arguments, over plain HTTP

describe("core.http_request arguments", () => {
  const server = createHttpServer((req, res) => void handle(req, res));
  let base = "";
  before(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => close(server));

  test("GET by default; params are appended to the URL's query, lists repeat, nulls are dropped", async () => {
    const result = (await http({
      url: `${base}/echo?keep=1`,
      params: { q: "a b&c", n: 3, flag: true, tag: ["x", "y"], gone: null },
    })) as { status_code: number; data: { method: string; query: string[][] } };
    assert.equal(result.status_code, 200);
    assert.equal(result.data.method, "GET");
    assert.deepEqual(result.data.query, [
      ["keep", "1"],
      ["q", "a b&c"],
      ["n", "3"],
      ["flag", "true"],
      ["tag", "x"],
      ["tag", "y"],
    ]);
  });

  test("headers are sent, null headers are not; the method is case-insensitive", async () => {
    const result = (await http({
      url: `${base}/echo`,
      method: "delete",
      headers: { "X-Api-Key": "k-123", "X-Dropped": null },
    })) as { data: { method: string; headers: Record<string, string> } };
    assert.equal(result.data.method, "DELETE");
    assert.equal(result.data.headers["x-api-key"], "k-123");
    assert.equal("x-dropped" in result.data.headers, false);
  });

  test("payload is sent as JSON with content-type application/json", async () => {
    const payload = { text: "hi", nested: { list: [1, 2] } };
    const result = (await http({ url: `${base}/echo`, method: "POST", payload })) as {
      data: { body: string; headers: Record<string, string> };
    };
    assert.equal(result.data.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(result.data.body), payload);
  });

  test("a JSON array payload and a caller's own content-type are kept", async () => {
    const result = (await http({
      url: `${base}/echo`,
      method: "PUT",
      payload: [1, "two"],
      headers: { "Content-Type": "application/vnd.api+json" },
    })) as { data: { body: string; headers: Record<string, string> } };
    assert.equal(result.data.headers["content-type"], "application/vnd.api+json");
    assert.equal(result.data.body, '[1,"two"]');
  });

  test("content is sent raw, byte for byte", async () => {
    const result = (await http({
      url: `${base}/echo`,
      method: "POST",
      content: "raw <body> & ünïcode",
      headers: { "content-type": "text/xml" },
    })) as { data: { body: string; headers: Record<string, string> } };
    assert.equal(result.data.body, "raw <body> & ünïcode");
    assert.equal(result.data.headers["content-type"], "text/xml");
  });

  test("form_data alone is URL-encoded", async () => {
    const result = (await http({
      url: `${base}/echo`,
      method: "POST",
      form_data: { user: "a b", n: 1, many: ["x", "y"] },
    })) as { data: { body: string; headers: Record<string, string> } };
    assert.equal(result.data.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(result.data.body, "user=a+b&n=1&many=x&many=y");
  });

  test("files (base64, plain or with filename and content_type) go multipart with form_data's fields", async () => {
    const report = Buffer.from("report body\n");
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const result = (await http({
      url: `${base}/echo`,
      method: "POST",
      form_data: { note: "see attached" },
      files: {
        report: report.toString("base64"),
        image: { filename: "pic.png", content_base64: image.toString("base64"), content_type: "image/png" },
      },
    })) as { data: { headers: Record<string, string>; multipart: Record<string, unknown> } };
    assert.match(result.data.headers["content-type"] ?? "", /^multipart\/form-data; boundary=/);
    assert.deepEqual(result.data.multipart, {
      note: "see attached",
      report: { filename: "report", type: "application/octet-stream", base64: report.toString("base64") },
      image: { filename: "pic.png", type: "image/png", base64: image.toString("base64") },
    });
  });

  test("a file that is not base64 is refused, naming the field", async () => {
    const error = await rejection(http({ url: `${base}/echo`, method: "POST", files: { doc: "not base64!" } }));
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, /files\.doc is not valid base64/);
  });

  test("content cannot be combined with another body, nor payload with form_data", async () => {
    const a = await rejection(http({ url: `${base}/echo`, method: "POST", content: "x", payload: { a: 1 } }));
    assert.equal(a.code, "invalid_argument");
    assert.match(a.message, /content cannot be combined/);
    const b = await rejection(http({ url: `${base}/echo`, method: "POST", payload: { a: 1 }, form_data: { b: 2 } }));
    assert.match(b.message, /payload \(a JSON body\) cannot be combined/);
  });

  test("auth sends HTTP basic credentials, replacing a caller's Authorization header", async () => {
    const result = (await http({
      url: `${base}/echo`,
      auth: { username: "alice", password: "pa:ss wörd" },
      headers: { Authorization: "Bearer other" },
    })) as { data: { headers: Record<string, string> } };
    assert.equal(result.data.headers.authorization, `Basic ${Buffer.from("alice:pa:ss wörd").toString("base64")}`);
  });

  test("data: JSON (also +json) parsed, text as text, base64 on request; headers flattened", async () => {
    const text = (await http({ url: `${base}/text` })) as { data: unknown; headers: Record<string, string> };
    assert.equal(text.data, "héllo");
    assert.equal(text.headers["x-multi"], "a, b");
    assert.equal(text.headers["content-type"], "text/plain; charset=utf-8");
    assert.deepEqual(((await http({ url: `${base}/problem` })) as { data: unknown }).data, { title: "problem" });
    const binary = (await http({ url: `${base}/binary`, base64_encode_data: true })) as { data: unknown };
    assert.equal(binary.data, Buffer.from([0, 1, 2, 250, 255]).toString("base64"));
    const json = (await http({ url: `${base}/echo`, base64_encode_data: true })) as { data: string };
    assert.equal(JSON.parse(Buffer.from(json.data, "base64").toString()).path, "/echo");
  });

  test("a body labelled JSON that is not JSON comes back as text, with a warning", async () => {
    const ctx = testContext();
    const result = (await http({ url: `${base}/not-json` }, ctx)) as { data: unknown };
    assert.equal(result.data, "<html>oops</html>");
    assert.ok(ctx.lines.some((l) => l.level === "warn" && /not valid JSON/.test(l.message)));
  });

  test("HTTP >= 400 fails with http_status_error, the status and the response, never the request's headers", async () => {
    const error = await rejection(
      http({
        url: `${base}/status/403?api_key=query-credential`,
        headers: { "X-Api-Key": "header-credential" },
        auth: { username: "u", password: "basic-credential" },
      }),
    );
    assert.equal(error.code, "http_status_error");
    assert.equal(error.details.status_code, 403);
    assert.match(String(error.details.response), /the upstream says no/);
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+ returned HTTP 403/);
    assert.match(error.message, /ignore_status_codes/);
    const everything = JSON.stringify({ ...error.toJSON(), stack: error.stack });
    for (const credential of ["query-credential", "header-credential", "basic-credential"]) {
      assert.equal(everything.includes(credential), false, credential);
    }
    assert.equal(everything.includes(Buffer.from("u:basic-credential").toString("base64")), false);
  });

  test("an error response that echoes the request does not carry its credential headers into the error", async () => {
    const error = await rejection(
      http({
        url: `${base}/echo-status/401`,
        headers: { "X-Api-Key": "header-credential-2" },
        auth: { username: "svc", password: "basic-credential-2" },
      }),
    );
    assert.equal(error.details.status_code, 401);
    const response = String(error.details.response);
    assert.match(response, /you_sent/);
    assert.equal(response.includes("header-credential-2"), false);
    assert.equal(response.includes(Buffer.from("svc:basic-credential-2").toString("base64")), false);
  });

  test("a URL path is not repeated in errors (webhook URLs carry their token there)", async () => {
    const error = await rejection(http({ url: `${base}/status/404/T0/B0/webhook-token-in-path` }));
    assert.equal(JSON.stringify({ ...error.toJSON(), stack: error.stack }).includes("webhook-token"), false);
  });

  test("a redirect to another origin drops the Authorization header; the same origin keeps it", async () => {
    const port = new URL(base).port;
    const auth = { username: "alice", password: "s3cret-pass" };
    const other = (await http({
      url: `${base}/redirect-to?to=${encodeURIComponent(`http://localhost:${port}/echo`)}`,
      auth,
      follow_redirects: true,
    })) as { data: { headers: Record<string, string> } };
    assert.equal(other.data.headers.authorization, undefined);
    const same = (await http({ url: `${base}/redirect/1`, auth, follow_redirects: true })) as {
      data: { headers: Record<string, string> };
    };
    assert.match(same.data.headers.authorization ?? "", /^Basic /);
  });

  test("a status in ignore_status_codes is a result; others still fail", async () => {
    const result = (await http({ url: `${base}/status/404`, ignore_status_codes: [404, 409] })) as {
      status_code: number;
      data: unknown;
    };
    assert.equal(result.status_code, 404);
    assert.deepEqual(result.data, { error: "the upstream says no", status: 404 });
    const error = await rejection(http({ url: `${base}/status/500`, ignore_status_codes: [404] }));
    assert.equal(error.details.status_code, 500);
  });

  test("redirects are not followed by default: the 3xx is the result", async () => {
    const result = (await http({ url: `${base}/redirect/1` })) as {
      status_code: number;
      headers: Record<string, string>;
    };
    assert.equal(result.status_code, 302);
    assert.equal(result.headers.location, "/echo");
  });

  test("follow_redirects follows up to max_redirects; one more is http_too_many_redirects", async () => {
    const followed = (await http({ url: `${base}/redirect/3`, follow_redirects: true, max_redirects: 3 })) as {
      status_code: number;
      data: { path: string };
    };
    assert.equal(followed.status_code, 200);
    assert.equal(followed.data.path, "/echo");
    const error = await rejection(http({ url: `${base}/redirect/4`, follow_redirects: true, max_redirects: 3 }));
    assert.equal(error.code, "http_too_many_redirects");
    assert.match(error.message, /max_redirects \(3\)/);
  });

  test("a 303 after POST becomes a GET; a 307 repeats the POST with its body", async () => {
    const see = (await http({
      url: `${base}/redirect/1?code=303`,
      method: "POST",
      payload: { a: 1 },
      follow_redirects: true,
    })) as { data: { method: string; body: string } };
    assert.equal(see.data.method, "GET");
    assert.equal(see.data.body, "");
    const keep = (await http({
      url: `${base}/redirect/1?code=307`,
      method: "POST",
      payload: { a: 1 },
      follow_redirects: true,
    })) as { data: { method: string; body: string } };
    assert.equal(keep.data.method, "POST");
    assert.equal(keep.data.body, '{"a":1}');
  });

  test("the timeout (seconds) ends a slow request with http_timeout", async () => {
    const started = Date.now();
    const error = await rejection(http({ url: `${base}/slow`, timeout: 0.3 }));
    assert.equal(error.code, "http_timeout");
    assert.match(error.message, /timeout of 0\.3 s/);
    assert.ok(Date.now() - started < 2500, "gave up at the timeout, not when the server answered");
  });

  test("ctx.signal cancels the request", async () => {
    const controller = new AbortController();
    const pending = http({ url: `${base}/slow`, timeout: 10 }, testContext({}, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(pending);
    assert.equal(error.code, "action_aborted");
  });

  test("a refused connection is http_connection_failed with a clear reason", async () => {
    const spare = createHttpServer();
    const port = await listen(spare);
    await close(spare);
    const error = await rejection(http({ url: `http://127.0.0.1:${port}/x` }));
    assert.equal(error.code, "http_connection_failed");
    assert.match(error.message, /connection was refused/);
  });

  test("the arguments are checked: unknown names, a non-HTTP URL", () => {
    assert.throws(() => httpRequestAction.args.parse({ url: `${base}/echo`, paylod: {} }), /paylod/);
    assert.throws(() => httpRequestAction.args.parse({ url: "file:///etc/passwd" }), /http:\/\/ or https:\/\//);
  });
});

// ---------------------------------------------------------------- mTLS and a private CA, over real HTTPS

describe("core.http_request with the mtls and ca_cert secrets", () => {
  const pki = makePki();
  const server = createHttpsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => void handle(req, res),
  );
  let base = "";
  before(async () => {
    base = `https://127.0.0.1:${await listen(server)}`;
  });
  after(() => close(server));

  const mtls = { TLS_CERTIFICATE: pki.clientCert, TLS_PRIVATE_KEY: pki.clientKey };
  const caCert = { CA_CERTIFICATE: pki.ca };

  test("with mtls and ca_cert the call succeeds and the server sees the client certificate", async () => {
    const result = (await http({ url: `${base}/echo` }, testContext({ mtls, ca_cert: caCert }))) as {
      status_code: number;
      data: { client_cn: string };
    };
    assert.equal(result.status_code, 200);
    assert.equal(result.data.client_cn, "client");
  });

  test("the server certificate is checked against the host name (localhost is in its SAN)", async () => {
    const port = new URL(base).port;
    const result = (await http({ url: `https://localhost:${port}/echo` }, testContext({ mtls, ca_cert: caCert }))) as {
      status_code: number;
    };
    assert.equal(result.status_code, 200);
  });

  test("without mtls the server refuses the handshake: http_tls_error pointing at the mtls secret", async () => {
    const error = await rejection(http({ url: `${base}/echo` }, testContext({ ca_cert: caCert })));
    assert.equal(error.code, "http_tls_error", `${error.message} ${JSON.stringify(error.details)}`);
    assert.match(error.message, /client certificate/);
    assert.match(error.message, /mtls/);
  });

  test("a client certificate from another CA is refused by the server", async () => {
    const rogue = { TLS_CERTIFICATE: pki.rogueClientCert, TLS_PRIVATE_KEY: pki.rogueClientKey };
    const error = await rejection(http({ url: `${base}/echo` }, testContext({ mtls: rogue, ca_cert: caCert })));
    // OpenSSL's server closes without an alert the client can read, so this is a closed connection
    // whose message points at the client certificate.
    assert.equal(error.code, "http_connection_failed", error.message);
    assert.match(error.message, /server closed the connection\. If it requires a client certificate.*mtls secret/);
  });

  test("without ca_cert the server's certificate is not trusted (verify_ssl on): http_tls_error pointing at ca_cert", async () => {
    const error = await rejection(http({ url: `${base}/echo` }, testContext({ mtls })));
    assert.equal(error.code, "http_tls_error", `${error.message} ${JSON.stringify(error.details)}`);
    assert.match(error.message, /not signed by a trusted CA/);
    assert.match(error.message, /ca_cert/);
  });

  test("a ca_cert holding another CA does not make the server trusted", async () => {
    const other = makePki();
    const error = await rejection(
      http({ url: `${base}/echo` }, testContext({ mtls, ca_cert: { CA_CERTIFICATE: other.ca } })),
    );
    assert.equal(error.code, "http_tls_error");
  });

  test("verify_ssl false skips the server check (with a warning), still sending the client certificate", async () => {
    const ctx = testContext({ mtls });
    const result = (await http({ url: `${base}/echo`, verify_ssl: false }, ctx)) as {
      status_code: number;
      data: { client_cn: string };
    };
    assert.equal(result.status_code, 200);
    assert.equal(result.data.client_cn, "client");
    assert.ok(ctx.lines.some((l) => l.level === "warn" && /verify_ssl is false/.test(l.message)));
  });

  test("TLS errors never quote the certificate or key", async () => {
    const error = await rejection(http({ url: `${base}/echo` }, testContext({ mtls })));
    const everything = JSON.stringify({ ...error.toJSON(), stack: error.stack });
    for (const pem of [pki.clientKey, pki.clientCert]) {
      const body = pem.split("\n")[1] ?? "";
      assert.ok(body.length > 20);
      assert.equal(everything.includes(body), false);
    }
  });
});
