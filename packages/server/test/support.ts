// Shared by the cross-cutting HTTP suites: the route table, a real `coffer serve` child process
// with its output captured, and raw-socket requests.
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import type { Coffer, Role } from "@coffer/core";
import { canary } from "@coffer/core/testing";

export const BIN = join(process.cwd(), "packages/server/bin/coffer.cjs");

/** Ids of one workspace's resources a route case acts on; created fresh for each call that may destroy them. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `coffer …` as a user would: a real process with only PATH and the given environment
 * (`bin`: another install's bin/coffer.cjs).
 */
export function runCli(env: Record<string, string>, args: string[], input?: string, bin = BIN): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

export interface Fixture {
  workspace: string;
  secretId: string;
  secretName: string;
  variableId: string;
  tokenId: string;
  workflowId: string;
  /** A finished run of workflowId. */
  runId: string;
}

export interface RouteCase {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Least role allowed. */
  role: Role;
  /** Status when allowed. */
  ok: number;
  /** false for routes outside /workspaces/{workspace}. */
  scoped: boolean;
  path(f: Fixture): string;
  body?(f: Fixture): unknown;
}

/** A one-action workflow document (JSON) the route cases deploy and run. */
export const TINY_WORKFLOW = {
  title: "tiny",
  description: "route matrix",
  entrypoint: { ref: "a" },
  actions: [{ ref: "a", action: "core.transform.reshape", args: { value: 1 } }],
};

let counter = 0;
const unique = (p: string) => `${p}_${process.pid}_${++counter}`;

/** Every route of the API that needs a token. */
export const ROUTES: RouteCase[] = [
  { name: "whoami", method: "GET", role: "viewer", ok: 200, scoped: false, path: () => "/api/v1/whoami" },
  {
    name: "list secrets",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets`,
  },
  {
    name: "secret definitions",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/definitions`,
  },
  {
    name: "aws assume-role setup",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/aws-assume-role`,
  },
  {
    name: "create secret",
    method: "POST",
    role: "editor",
    ok: 201,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets`,
    body: () => ({ name: unique("s"), keys: [{ key: "K", value: canary("route") }] }),
  },
  {
    name: "get secret",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/${f.secretId}`,
  },
  {
    name: "get secret by name",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/by-name/${f.secretName}`,
  },
  {
    name: "update secret",
    method: "PATCH",
    role: "editor",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/${f.secretId}`,
    body: () => ({ keys: [{ key: "K", value: canary("patch") }], description: "changed" }),
  },
  {
    name: "delete secret",
    method: "DELETE",
    role: "admin",
    ok: 204,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/${f.secretId}`,
  },
  {
    name: "list versions",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/${f.secretId}/versions`,
  },
  {
    name: "restore version",
    method: "POST",
    role: "admin",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/secrets/${f.secretId}/versions/1/restore`,
  },
  {
    name: "environments",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/environments`,
  },
  {
    name: "list variables",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/variables`,
  },
  {
    name: "create variable",
    method: "POST",
    role: "editor",
    ok: 201,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/variables`,
    body: () => ({ name: unique("v"), values: { url: "https://example.test" } }),
  },
  {
    name: "get variable",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/variables/${f.variableId}`,
  },
  {
    name: "update variable",
    method: "PATCH",
    role: "editor",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/variables/${f.variableId}`,
    body: () => ({ values: { url: "https://changed.test" } }),
  },
  {
    name: "delete variable",
    method: "DELETE",
    role: "admin",
    ok: 204,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/variables/${f.variableId}`,
  },
  {
    name: "list audit events",
    method: "GET",
    role: "admin",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/audit`,
  },
  {
    name: "list tokens",
    method: "GET",
    role: "admin",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/tokens`,
  },
  {
    name: "create token",
    method: "POST",
    role: "admin",
    ok: 201,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/tokens`,
    body: () => ({ name: unique("t"), role: "viewer" }),
  },
  {
    name: "revoke token",
    method: "DELETE",
    role: "admin",
    ok: 204,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/tokens/${f.tokenId}`,
  },
  {
    name: "list workflows",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows`,
  },
  {
    name: "deploy workflow",
    method: "POST",
    role: "editor",
    ok: 201,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows`,
    body: () => ({ definition: TINY_WORKFLOW, alias: unique("wf") }),
  },
  {
    name: "get workflow",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows/${f.workflowId}`,
  },
  {
    name: "update workflow",
    method: "PUT",
    role: "editor",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows/${f.workflowId}`,
    body: () => ({ definition: TINY_WORKFLOW }),
  },
  {
    name: "delete workflow",
    method: "DELETE",
    role: "admin",
    ok: 204,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows/${f.workflowId}`,
  },
  {
    name: "run workflow",
    method: "POST",
    role: "editor",
    ok: 202,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows/${f.workflowId}/runs`,
    body: () => ({ trigger: { n: 1 } }),
  },
  {
    name: "list workflow runs",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/workflows/${f.workflowId}/runs`,
  },
  {
    name: "list runs",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/runs`,
  },
  {
    name: "get run",
    method: "GET",
    role: "viewer",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/runs/${f.runId}`,
  },
  {
    name: "cancel run",
    method: "POST",
    role: "editor",
    ok: 200,
    scoped: true,
    path: (f) => `/api/v1/workspaces/${f.workspace}/runs/${f.runId}/cancel`,
  },
];

/** Fresh resources in a workspace, so a case that deletes one never disturbs another. */
export async function makeFixture(coffer: Coffer, workspaceId: string, workspace: string): Promise<Fixture> {
  const actor = { actor: "test" };
  const secretName = unique("fx");
  const secret = await coffer.secrets.create(
    workspaceId,
    { name: secretName, keys: [{ key: "K", value: canary("fixture") }] },
    actor,
  );
  const variable = await coffer.variables.create(workspaceId, { name: unique("fv"), values: { a: 1 } }, actor);
  const token = await coffer.tokens.create(workspaceId, { role: "viewer", name: unique("ft") }, actor);
  const workflow = await coffer.workflows.deploy(
    workspaceId,
    { source: JSON.stringify(TINY_WORKFLOW), definition: TINY_WORKFLOW, title: "tiny" },
    actor,
  );
  const run = await coffer.runs.start(
    workspaceId,
    { workflowId: workflow.id, workflowVersion: 1, title: "tiny", trigger: null, environment: "default" },
    actor,
  );
  await coffer.runs.finish(
    run.id,
    workspaceId,
    { status: "succeeded", environment: "default", trigger: null, returns: 1, error: null, actions: [] },
    (v) => v,
  );
  return {
    workspace,
    secretId: secret.id,
    secretName,
    variableId: variable.id,
    tokenId: token.item.id,
    workflowId: workflow.id,
    runId: run.id,
  };
}

/**
 * Sends `request` as raw bytes on a new connection (for what fetch refuses to send: bad methods,
 * bodies cut short of their Content-Length), half-closes, and resolves with all the server wrote
 * back once it closes the connection.
 */
export function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port) }, () => {
      socket.end(request);
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Resolves with the output read so far once `pattern` appears in `stream` (a readiness signal,
 * instead of a sleep); rejects if the stream ends first.
 */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp | string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const matches = () => (typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen));
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (matches()) {
        stream.off("data", onData);
        stream.off("end", onEnd);
        resolve(seen);
      }
    };
    const onEnd = () => reject(new Error(`output ended before ${String(pattern)}: ${seen.slice(0, 500)}`));
    stream.on("data", onData);
    stream.once("end", onEnd);
  });
}

/**
 * `coffer serve` (by default `--port 0`) as a child process; resolves when it says where it
 * listens, with the URL it printed (the port it really bound).
 */
export function startServerProcess(
  env: Record<string, string>,
  extra: Record<string, string> = {},
  args: string[] = ["--port", "0"],
): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", ...args], {
      env: { PATH: process.env.PATH ?? "", ...env, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let settled = false;
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const timer = setTimeout(() => {
      if (!settled) {
        settled = true;
        child.kill("SIGKILL");
        reject(new Error(`server did not start: ${err.slice(0, 500)}`));
      }
    }, 20_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(err);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({
          url: match[1] ?? "",
          process: child,
          stdout: () => out,
          stderr: () => err,
          async stop() {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    child.on("exit", (code) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}: ${err.slice(0, 500)}`));
      }
    });
  });
}
