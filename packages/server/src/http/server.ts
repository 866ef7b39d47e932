import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Coffer, type CofferConfig, CofferError, openCoffer } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { type BuildAppOptions, buildApp } from "./app.js";
import { findWebBuild } from "./web.js";

export interface StartServerOptions extends BuildAppOptions {
  /** An already opened (and bootstrapped) store; otherwise one is opened from `config`. */
  coffer?: Coffer;
  /** Listen on these instead of the config's COFFER_HOST / COFFER_PORT. */
  host?: string;
  port?: number;
  /** Install SIGINT/SIGTERM handlers that shut down gracefully (default true). */
  handleSignals?: boolean;
  onKeyFileCreated?: (path: string) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  coffer: Coffer;
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  /** The web UI's build being served at `/`, or null. */
  web: string | null;
  /** The file holding the bootstrap admin token, when there is one. */
  tokenFile: string | null;
  /** True when this start created the database's first workspace and admin token. */
  bootstrapped: boolean;
  /** Stops accepting connections, lets requests in flight finish, closes the store. Idempotent. */
  close(): Promise<void>;
  /** Settles once the server has shut down (by close() or a signal). */
  closed: Promise<void>;
}

/** Opens the store (bootstrapping an empty one), builds the app and listens. */
export async function startServer(config: CofferConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  let coffer = options.coffer;
  let bootstrapped = false;
  const ownsCoffer = !coffer;
  if (!coffer) {
    coffer = await openCoffer(config, options.onKeyFileCreated ? { onKeyFileCreated: options.onKeyFileCreated } : {});
    try {
      bootstrapped = (await coffer.bootstrap({ actor: "server" })) !== null;
    } catch (error) {
      await coffer.close();
      throw error;
    }
  }
  const store = coffer;
  // The web UI when its build is there (the root `prepare` builds it), unless the caller says otherwise.
  const web = options.web === undefined ? findWebBuild() : options.web;
  const app = await buildApp(store, { ...options, web });
  const listenHost = options.host ?? config.server.host;
  const listenPort = options.port ?? config.server.port;
  try {
    await app.listen({ host: listenHost, port: listenPort });
  } catch (error) {
    await app.close();
    if (ownsCoffer) await store.close();
    throw listenError(error, listenHost, listenPort);
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? config.server.port);
  const host = options.host ?? config.server.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const tokenPath = join(config.home, "admin.token");

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      // A second signal: stop waiting for requests in flight.
      process.exit(130);
    }
    app.log.info({ signal }, "shutting down");
    void close();
  };
  function close(): Promise<void> {
    closing ??= (async () => {
      if (options.handleSignals !== false) for (const s of signals) process.off(s, onSignal);
      try {
        await app.close();
      } finally {
        if (ownsCoffer) await store.close();
        resolveClosed();
      }
    })();
    return closing;
  }
  if (options.handleSignals !== false) for (const s of signals) process.on(s, onSignal);

  return {
    app,
    coffer: store,
    url,
    web,
    tokenFile: existsSync(tokenPath) ? tokenPath : null,
    bootstrapped,
    close,
    closed,
  };
}

/** A failed listen as the user can act on it: which address, and how to choose another. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const choose = "Choose another with --port <port> or COFFER_PORT=<port> (0 picks a free one)";
  if (code === "EADDRINUSE") {
    return new CofferError(
      "port_in_use",
      `Port ${port} on ${host} is already in use (another \`coffer serve\`?). ${choose}.`,
      { status: 409, details: { host, port } },
    );
  }
  if (code === "EACCES") {
    return new CofferError(
      "port_in_use",
      `This process may not listen on port ${port} on ${host} (ports below 1024 need privileges). ${choose}.`,
      { status: 409, details: { host, port } },
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new CofferError(
      "invalid_config",
      `Cannot listen on ${host}: this machine has no such address. Choose another with --host <address> or COFFER_HOST.`,
      { status: 400, details: { host } },
    );
  }
  return error;
}
