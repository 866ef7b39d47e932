// Test support for the HTTP layer: a real store (SQLite or PostgreSQL), the real app, tokens of
// every role, and the server's log output captured line by line.
import { Writable } from "node:stream";
import type { Coffer, Role } from "@coffer/core";
import { createTestEnvironment, openBootstrapped, type TestDialect, type TestEnvironment } from "@coffer/core/testing";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { type BuildAppOptions, buildApp } from "./app.js";

export interface TestApp {
  env: TestEnvironment;
  coffer: Coffer;
  app: FastifyInstance;
  workspaceId: string;
  /** One token per role in workspace `default`. */
  tokens: Record<Role, string>;
  /** Every log line the app wrote. */
  logs: string[];
  call(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    options?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function captureStream(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n")) if (line.trim() !== "") lines.push(line);
      callback();
    },
  });
}

export async function startTestApp(
  dialect: TestDialect,
  overrides: Record<string, string> = {},
  appOptions: Omit<BuildAppOptions, "logger"> = {},
): Promise<TestApp> {
  const env = await createTestEnvironment(dialect);
  const { coffer, workspaceId } = await openBootstrapped(env, overrides);
  const logs: string[] = [];
  const app = await buildApp(coffer, { ...appOptions, logger: { level: "trace", stream: captureStream(logs) } });
  const tokens = {} as Record<Role, string>;
  for (const role of ["viewer", "editor", "admin"] as const) {
    tokens[role] = (await coffer.tokens.create(workspaceId, { role, name: `test ${role}` }, { actor: "test" })).token;
  }
  return {
    env,
    coffer,
    app,
    workspaceId,
    tokens,
    logs,
    call(method, url, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const token = options.token === undefined ? tokens.admin : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (options.rawBody !== undefined) payload = options.rawBody;
      else if (options.body !== undefined) payload = JSON.stringify(options.body);
      if (payload !== undefined && !("content-type" in headers)) headers["content-type"] = "application/json";
      return app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    },
    async close() {
      await app.close();
      await coffer.close();
      await env.cleanup();
    },
  };
}

/** The `{error:{code}}` of a response, or undefined. */
export function errorCode(response: LightMyRequestResponse): string | undefined {
  try {
    return (response.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
