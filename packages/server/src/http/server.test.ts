import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import { startServer } from "./server.js";

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, "127.0.0.1");
    probe.once("connect", () => {
      probe.destroy();
      resolve(false);
    });
    probe.once("error", () => resolve(true));
  });
}

describe("startServer (sqlite)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
  });
  after(async () => env.cleanup());

  test("bootstraps an empty store, names the token file, and on close lets a request in flight finish", async () => {
    const server = await startServer(env.config(), { port: 0, host: "127.0.0.1", handleSignals: false, logger: false });
    assert.equal(server.bootstrapped, true);
    assert.equal(server.tokenFile, join(env.home, "admin.token"));
    const token = readFileSync(server.tokenFile ?? "", "utf8").trim();
    const { port } = new URL(server.url);

    // A request whose body is still arriving when shutdown starts.
    const body = JSON.stringify({ name: "late", keys: [{ key: "K", value: "v" }] });
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let response = "";
    socket.on("data", (d: Buffer) => {
      response += d.toString();
    });
    const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    // Readiness signals, not sleeps: the server has the request once it emits "request".
    const received = new Promise((resolve) => server.app.server.once("request", resolve));
    socket.write(
      `POST /api/v1/workspaces/default/secrets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await received;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    // Shutdown has begun once the port refuses new connections.
    while (!(await refusesConnections(Number(port)))) {}
    assert.equal(closed, false, "close waits for the request in flight");
    socket.end(body.slice(10));
    await ended;
    await closing;
    assert.match(response, /^HTTP\/1\.1 201/);
    await server.closed;
    await assert.rejects(fetch(`${server.url}/api/v1/health`));
  });

  test("a second start finds the store bootstrapped and still names the token file", async () => {
    const server = await startServer(env.config(), { port: 0, host: "127.0.0.1", handleSignals: false, logger: false });
    try {
      assert.equal(server.bootstrapped, false);
      assert.equal(server.tokenFile, join(env.home, "admin.token"));
    } finally {
      await server.close();
    }
  });

  test("a busy port is port_in_use, naming the port and how to choose another", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      await assert.rejects(
        startServer(env.config(), { port, host: "127.0.0.1", handleSignals: false, logger: false }),
        (error: unknown) => {
          assert.ok(isCofferError(error), String(error));
          assert.equal(error.code, "port_in_use");
          assert.equal(error.status, 409);
          assert.ok(error.message.includes(`Port ${port} on 127.0.0.1 is already in use`), error.message);
          assert.match(error.message, /--port <port> or COFFER_PORT/);
          return true;
        },
      );
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
