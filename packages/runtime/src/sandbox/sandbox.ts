/**
 * The host side of the custom-action sandbox. Every describe and every run is a fresh child:
 * Node with an empty environment and the permission model (reads only of the action's folder and
 * Coffer's own modules; no writes, no child processes, no workers), inside bubblewrap when it is
 * available, with $COFFER_HOME and the database files hidden. Args and secrets travel over the
 * IPC channel, never in argv or the environment. The network stays available.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CofferError, isErrorCode } from "@coffer/core";
import type { CustomActionOutcome, CustomActionRunRequest } from "./sandbox.types.js";
import type { ChildMessage, DescribedAction, HostMessage, SerializedActionError } from "./sandbox-protocol.js";

export type SandboxModeSetting = "auto" | "bubblewrap" | "node";
export type SandboxKind = "bubblewrap" | "node";

export interface SandboxOptions {
  /** `runtime.sandbox`: auto uses bubblewrap when it works here, node the permission model alone. */
  mode: SandboxModeSetting;
  /** Folders the child must not see under bubblewrap (`$COFFER_HOME`). */
  hiddenDirectories?: readonly string[];
  /** Files the child must not see under bubblewrap (the SQLite database and its -wal/-shm). */
  hiddenFiles?: readonly string[];
  /** Where the one start-up warning goes when auto falls back to the permission model alone. */
  logger?: { warn(message: string): void };
  /** How long a module may take to describe itself (default 30 s). */
  describeTimeoutMs?: number;
  /** The bubblewrap binary (default `bwrap` on PATH). */
  bwrapPath?: string;
}

export interface Sandbox {
  /** The isolation actually in use. */
  readonly kind: SandboxKind;
  /** Coffer's own files every child must read: the child entry, the SDK, zod. */
  readonly modulePaths: readonly string[];
  /** Loads a module in a child and returns its `defineAction` exports, without running any handler. */
  describeCustomModule(moduleFile: string, readablePaths: readonly string[]): Promise<DescribedAction[]>;
  runCustomAction(request: CustomActionRunRequest): Promise<CustomActionOutcome>;
}

/** Time between asking the child to abort (ctx.signal) and killing it. */
const ABORT_GRACE_MS = 500;
const STDERR_KEPT_CHARS = 8192;
const STDERR_LINES_REPORTED = 20;

function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
  return dir;
}

/**
 * Resolved through the package names (not this file's URL) so it also holds when this module is
 * bundled into the CLI.
 */
export function cofferModules(): { childEntry: string; sdkEntry: string; zodEntry: string; paths: string[] } {
  const runtimeEntry = realpathSync(fileURLToPath(import.meta.resolve("@coffer/runtime")));
  const childEntry = join(dirname(runtimeEntry), "sandbox", "child-entry.js");
  const sdkEntry = realpathSync(fileURLToPath(import.meta.resolve("@coffer/sdk")));
  const zodEntry = realpathSync(createRequire(sdkEntry).resolve("zod"));
  const zodEsm = realpathSync(fileURLToPath(import.meta.resolve("zod")));
  const paths = [
    ...new Set([packageRoot(childEntry), packageRoot(sdkEntry), packageRoot(zodEntry), packageRoot(zodEsm)]),
  ];
  // The bare `@coffer/sdk` of the child entry resolves through the workspace's node_modules link.
  for (const root of paths.slice(0, 1)) {
    let dir = root;
    for (;;) {
      const link = join(dir, "node_modules", "@coffer");
      if (existsSync(link)) {
        paths.push(link);
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return { childEntry, sdkEntry, zodEntry: zodEsm, paths };
}

let bwrapProbe: Promise<boolean> | undefined;

/** Whether bubblewrap can build the sandbox here (installed, and user namespaces allowed). */
export function bubblewrapWorks(bwrapPath = "bwrap"): Promise<boolean> {
  if (bwrapPath === "bwrap" && bwrapProbe) return bwrapProbe;
  const probe = new Promise<boolean>((done) => {
    execFile(
      bwrapPath,
      ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--share-net", "--", "true"],
      { env: {}, timeout: 10_000 },
      (error) => done(!error),
    );
  });
  if (bwrapPath === "bwrap") bwrapProbe = probe;
  return probe;
}

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

function kindOf(path: string): "dir" | "file" | undefined {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

/**
 * bubblewrap's arguments, up to the command: the host's file system read-only, a fresh /tmp with
 * the readable folders bound back, `$COFFER_HOME` under an empty tmpfs and the database files
 * replaced by /dev/null (after the binds, so they stay hidden even inside a readable folder),
 * every namespace unshared but the network, and an empty environment.
 */
export function bubblewrapArgs(
  reads: readonly string[],
  hiddenDirectories: readonly string[],
  hiddenFiles: readonly string[],
): string[] {
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"];
  for (const p of reads) if (kindOf(p)) args.push("--ro-bind", p, p);
  for (const dir of hiddenDirectories) {
    if (kindOf(dir) === "dir") args.push("--tmpfs", dir);
  }
  for (const file of hiddenFiles) {
    if (kindOf(file) !== "file") continue;
    if (hiddenDirectories.some((d) => within(file, d))) continue;
    args.push("--ro-bind", "/dev/null", file);
  }
  args.push(
    "--unshare-all",
    "--share-net",
    "--clearenv",
    // Node's IPC channel is announced through this variable; Node deletes it at start.
    "--setenv",
    "NODE_CHANNEL_FD",
    "3",
    "--die-with-parent",
    "--new-session",
    "--chdir",
    "/",
    "--",
  );
  return args;
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const bwrapPath = options.bwrapPath ?? "bwrap";
  let kind: SandboxKind = "node";
  if (options.mode !== "node") {
    const works = await bubblewrapWorks(bwrapPath);
    if (works) kind = "bubblewrap";
    else if (options.mode === "bubblewrap") {
      throw new CofferError(
        "sandbox_unavailable",
        "COFFER_SANDBOX=bubblewrap, but bubblewrap (bwrap) is not installed or cannot create namespaces here. " +
          "Install Debian's bubblewrap package, or set COFFER_SANDBOX=auto to run custom actions under Node's permission model alone.",
      );
    } else {
      options.logger?.warn(
        "bubblewrap (bwrap) is not available: custom actions run under Node's permission model alone, which is weaker isolation " +
          "(no separate namespaces; the file-system rules are Node's). Install Debian's bubblewrap package for the full sandbox.",
      );
    }
  }
  const modules = cofferModules();
  const hiddenDirectories = (options.hiddenDirectories ?? []).map((p) => resolve(p));
  const hiddenFiles = (options.hiddenFiles ?? []).map((p) => resolve(p));
  const describeTimeoutMs = options.describeTimeoutMs ?? 30_000;

  function readable(paths: readonly string[]): string[] {
    const out = new Set<string>(modules.paths);
    for (const p of paths) {
      const abs = resolve(p);
      out.add(abs);
      try {
        out.add(realpathSync(abs));
      } catch {
        // A folder that does not exist gives nothing to read.
      }
    }
    return [...out];
  }

  function start(readablePaths: readonly string[]): ChildProcess {
    const reads = readable(readablePaths);
    const nodeArgs = [
      "--disable-warning=ExperimentalWarning",
      "--experimental-permission",
      ...reads.map((p) => `--allow-fs-read=${p}`),
      modules.childEntry,
    ];
    const stdio: ["ignore", "pipe", "pipe", "ipc"] = ["ignore", "pipe", "pipe", "ipc"];
    if (kind === "bubblewrap") {
      return spawn(
        bwrapPath,
        [...bubblewrapArgs(reads, hiddenDirectories, hiddenFiles), process.execPath, ...nodeArgs],
        {
          env: {},
          stdio,
          cwd: "/",
          serialization: "json",
        },
      );
    }
    return spawn(process.execPath, nodeArgs, { env: {}, stdio, cwd: "/", serialization: "json" });
  }

  interface Exchange {
    readablePaths: readonly string[];
    message: HostMessage;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    onLog?: CustomActionRunRequest["onLog"];
    onOutput?: CustomActionRunRequest["onOutput"];
  }
  type ExchangeEnd =
    | { kind: "message"; message: Exclude<ChildMessage, { type: "log" }> }
    | { kind: "timeout" }
    | { kind: "cancelled" }
    | { kind: "crashed"; exitCode: number | null; signal: NodeJS.Signals | null; stderr: string };

  function exchange(x: Exchange): Promise<ExchangeEnd> {
    return new Promise((done) => {
      const child = start(x.readablePaths);
      let stderr = "";
      let answer: Exclude<ChildMessage, { type: "log" }> | undefined;
      let stopped: "timeout" | "cancelled" | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let closed = false;
      let killTimer: NodeJS.Timeout | undefined;

      const stop = (reason: "timeout" | "cancelled") => {
        if (stopped || answer) return;
        stopped = reason;
        if (child.connected) child.send({ type: "abort", reason } satisfies HostMessage, () => {});
        killTimer = setTimeout(() => child.kill("SIGKILL"), ABORT_GRACE_MS);
      };
      const timer = setTimeout(() => stop("timeout"), x.timeoutMs);
      const onAbort = () => stop("cancelled");
      x.signal?.addEventListener("abort", onAbort, { once: true });
      if (x.signal?.aborted) stop("cancelled");

      const finish = () => {
        // 'close' comes last: after the exit, the output streams and the IPC channel's last message.
        if (!exit || !closed) return;
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        x.signal?.removeEventListener("abort", onAbort);
        if (stopped) done({ kind: stopped });
        else if (answer) done({ kind: "message", message: answer });
        else done({ kind: "crashed", exitCode: exit.code, signal: exit.signal, stderr });
      };

      child.stdout!.setEncoding("utf8");
      child.stderr!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => x.onOutput?.("stdout", chunk));
      child.stderr!.on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_KEPT_CHARS);
        x.onOutput?.("stderr", chunk);
      });
      child.on("message", (message: ChildMessage) => {
        if (stopped) return;
        if (message.type === "log") {
          x.onLog?.(message.level, message.message, message.fields);
          return;
        }
        answer ??= message;
      });
      child.on("error", (error) => {
        stderr = `${stderr}\n${error.message}`.slice(-STDERR_KEPT_CHARS);
        exit ??= { code: null, signal: null };
        closed = true;
        finish();
      });
      child.on("exit", (code, signal) => {
        exit = { code, signal };
        finish();
      });
      child.on("close", () => {
        closed = true;
        finish();
      });
      child.send(x.message, (error) => {
        if (error) stderr = `${stderr}\nsending the request failed: ${error.message}`.slice(-STDERR_KEPT_CHARS);
      });
    });
  }

  return {
    kind,
    modulePaths: modules.paths,

    async describeCustomModule(moduleFile, readablePaths) {
      const end = await exchange({
        readablePaths,
        message: { type: "describe", moduleFile },
        timeoutMs: describeTimeoutMs,
      });
      if (end.kind === "message" && end.message.type === "described") return end.message.actions;
      if (end.kind === "message" && end.message.type === "result" && !end.message.ok) {
        throw new CofferError("action_load_failed", end.message.error.message);
      }
      if (end.kind === "timeout") {
        throw new CofferError(
          "action_load_failed",
          `Loading the module took longer than ${describeTimeoutMs / 1000} s; a module must not do work at import.`,
        );
      }
      if (end.kind === "crashed") {
        throw new CofferError("action_load_failed", `Loading the module crashed the sandbox: ${crashText(end)}`);
      }
      throw new CofferError("action_load_failed", "The sandbox answered the describe request with something else.");
    },

    async runCustomAction(request) {
      const end = await exchange({
        readablePaths: request.readablePaths,
        message: {
          type: "run",
          moduleFile: request.moduleFile,
          exportName: request.exportName,
          args: request.args,
          secrets: request.secrets as Record<string, Record<string, string>>,
          environment: request.environment,
          runId: request.runId,
          actionId: request.actionId,
        },
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onLog: request.onLog,
        onOutput: request.onOutput,
      });
      switch (end.kind) {
        case "timeout":
          return failure(
            "action_timeout",
            `${request.actionId} did not finish within ${formatSeconds(request.timeoutMs)} and was stopped. ` +
              "Make it faster or give it a longer timeout (COFFER_ACTION_TIMEOUT_SECONDS, or the action's timeout).",
            { timeoutMs: request.timeoutMs },
          );
        case "cancelled":
          return failure("action_cancelled", `${request.actionId} was stopped because its run was cancelled.`);
        case "crashed":
          return failure("action_crashed", `${request.actionId} stopped without a result: ${crashText(end)}`, {
            exitCode: end.exitCode,
            signal: end.signal,
            stderr: lastLines(end.stderr),
          });
        case "message": {
          const message = end.message;
          if (message.type === "result" && message.ok) return { ok: true, result: message.result };
          if (message.type === "result") return { ok: false, error: fromChild(message.error) };
          return failure("action_crashed", `${request.actionId} answered a run request with a description.`);
        }
      }
    },
  };
}

function failure(code: string, message: string, details?: Record<string, unknown>): CustomActionOutcome {
  return { ok: false, error: { code, message, ...(details ? { details } : {}) } };
}

function fromChild(error: SerializedActionError): { code: string; message: string; details?: Record<string, unknown> } {
  const message = typeof error.message === "string" ? error.message : "The action failed.";
  const details = error.details && typeof error.details === "object" ? error.details : undefined;
  if (error.name === "CofferError" && isErrorCode(error.code)) {
    return { code: error.code, message, ...(details ? { details } : {}) };
  }
  return { code: "action_failed", message, ...(details ? { details } : {}) };
}

function lastLines(text: string): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.slice(-STDERR_LINES_REPORTED).join("\n");
}

function crashText(end: { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }): string {
  const status = end.signal ? `killed by ${end.signal}` : `exit code ${end.exitCode ?? "unknown"}`;
  const tail = lastLines(end.stderr);
  return tail ? `${status}. Last lines of its stderr:\n${tail}` : `${status}, nothing on stderr.`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
