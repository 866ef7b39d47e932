/**
 * The sandboxed child: Node started with an empty environment and the permission model (reads
 * only of the action's folder and Coffer's own modules), optionally inside bubblewrap. It loads
 * one custom action module and either describes its actions or runs one, talking to the host
 * over the IPC channel. Imports nothing of Coffer but the SDK, so the child can read little.
 */
import { type ActionContext, type ActionDefinition, isActionDefinition, type LogFields, z } from "@coffer/sdk";
import type { ChildMessage, DescribedAction, HostMessage, SerializedActionError } from "./sandbox-protocol.js";

// Node has already consumed NODE_CHANNEL_FD; bwrap leaves PWD. Nothing of the host stays.
for (const name of Object.keys(process.env)) delete process.env[name];

class ChildError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "CofferError";
  }
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

function serializeError(error: unknown): SerializedActionError {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; code?: unknown; message?: unknown; details?: unknown };
    const message = typeof e.message === "string" ? e.message : String(error);
    if (e.name === "CofferError" && typeof e.code === "string") {
      const details = e.details && typeof e.details === "object" ? jsonCopy(e.details) : undefined;
      return {
        name: "CofferError",
        code: e.code,
        message,
        ...(details && typeof details === "object" ? { details: details as Record<string, unknown> } : {}),
      };
    }
    const name = typeof e.name === "string" && e.name !== "Error" ? `${e.name}: ` : "";
    return { name: "Error", code: "action_failed", message: `${name}${message}` };
  }
  return { name: "Error", code: "action_failed", message: String(error) };
}

function jsonCopy(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function loadModule(moduleFile: string): Promise<Record<string, unknown>> {
  try {
    return (await import(moduleFile.startsWith("file:") ? moduleFile : `file://${moduleFile}`)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ChildError("action_load_failed", `The action module could not be loaded: ${text}`);
  }
}

function argsSchemaOf(definition: ActionDefinition): unknown {
  try {
    return z.toJSONSchema(definition.args, { unrepresentable: "any" });
  } catch {
    return null;
  }
}

function describe(module: Record<string, unknown>): DescribedAction[] {
  const out: DescribedAction[] = [];
  for (const exportName of Object.keys(module).sort()) {
    const value = module[exportName];
    if (!isActionDefinition(value)) continue;
    const d = value as ActionDefinition;
    out.push({
      exportName,
      namespace: d.namespace,
      name: d.name,
      title: d.title,
      description: d.description ?? "",
      ...(d.display_group !== undefined ? { displayGroup: d.display_group } : {}),
      argsSchema: argsSchemaOf(d),
      secrets: (jsonCopy(d.secrets ?? []) as unknown[] | undefined) ?? [],
      // The registry rejects an action whose args or handler are not usable; say which.
      ...shapeProblems(d),
    });
  }
  return out;
}

function shapeProblems(d: ActionDefinition): { problems?: { field: string; message: string }[] } {
  const problems: { field: string; message: string }[] = [];
  if (!d.args || typeof (d.args as { safeParse?: unknown }).safeParse !== "function") {
    problems.push({ field: "args", message: "args must be a zod schema (use `z` from @coffer/sdk)" });
  }
  if (typeof d.handler !== "function") problems.push({ field: "handler", message: "handler must be a function" });
  return problems.length ? { problems } : {};
}

function argsIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(args)",
    message: issue.message,
  }));
}

function buildContext(
  definition: ActionDefinition,
  request: Extract<HostMessage, { type: "run" }>,
  signal: AbortSignal,
): ActionContext {
  const secrets = request.secrets;
  const declared = [
    ...new Set([
      ...(definition.secrets ?? []).flatMap((s) => ("name" in s && typeof s.name === "string" ? [s.name] : [])),
      ...Object.keys(secrets),
    ]),
  ].sort();
  // Tracecat's flat namespace: a key held by two secrets of the run has no single answer.
  const find = (key: string): string | undefined => {
    const holders = Object.keys(secrets).filter((name) => Object.hasOwn(secrets[name]!, key));
    if (holders.length > 1) {
      throw new ChildError(
        "duplicate_key",
        `ctx.secrets.get("${key}"): secrets ${holders.join(" and ")} both have the key ${key}; read it with ctx.secrets.of("${holders[0]}").${key} instead.`,
        { key, secrets: holders },
      );
    }
    return holders.length ? secrets[holders[0]!]![key] : undefined;
  };
  const log =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, fields?: LogFields): void => {
      const copied = fields === undefined ? undefined : jsonCopy(fields);
      void send({
        type: "log",
        level,
        message: String(message),
        ...(copied && typeof copied === "object" ? { fields: copied as LogFields } : {}),
      }).catch(() => {});
    };
  return Object.freeze({
    secrets: Object.freeze({
      get(key: string): string {
        const value = find(key);
        if (value === undefined) {
          const list = declared.length ? declared.join(", ") : "none";
          throw new ChildError(
            "secret_key_not_found",
            `ctx.secrets.get("${key}"): no secret of this run has the key ${key}. Declared secrets of ${request.actionId}: ${list}. ` +
              `Add ${key} to one of them in environment ${request.environment}, or declare the secret that holds it.`,
            { key, declared, environment: request.environment },
          );
        }
        return value;
      },
      getOrDefault<T>(key: string, fallback: T): string | T {
        return find(key) ?? fallback;
      },
      of(name: string): Readonly<Record<string, string>> {
        if (!Object.hasOwn(secrets, name)) {
          throw new ChildError(
            "secret_not_found",
            `ctx.secrets.of("${name}"): secret ${name} is not available to ${request.actionId} in environment ${request.environment}. ` +
              `Create it there, or declare it in the action's secrets.`,
            { secret: name, environment: request.environment },
          );
        }
        return Object.freeze({ ...secrets[name]! });
      },
    }),
    log: Object.freeze({ debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") }),
    signal,
    environment: request.environment,
    runId: request.runId,
    actionId: request.actionId,
  });
}

async function run(request: Extract<HostMessage, { type: "run" }>, controller: AbortController): Promise<unknown> {
  const module = await loadModule(request.moduleFile);
  const definition = module[request.exportName];
  if (!isActionDefinition(definition)) {
    throw new ChildError(
      "action_load_failed",
      `The module has no action exported as ${request.exportName}; reload the registry (restart Coffer).`,
    );
  }
  const parsed = definition.args.safeParse(request.args);
  if (!parsed.success) {
    const issues = argsIssues(parsed.error);
    throw new ChildError(
      "action_args_invalid",
      `Invalid args for ${request.actionId}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}.`,
      { issues },
    );
  }
  const result = await definition.handler(parsed.data, buildContext(definition, request, controller.signal));
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (error) {
    throw new ChildError(
      "action_result_invalid",
      `The result of ${request.actionId} cannot be sent as JSON (${error instanceof Error ? error.message : String(error)}); return plain objects, arrays, strings, numbers, booleans or null.`,
    );
  }
  return text === undefined ? null : JSON.parse(text);
}

if (typeof process.send !== "function") {
  process.stderr.write("This is Coffer's sandbox child; the host starts it with an IPC channel.\n");
  process.exit(2);
}

const controller = new AbortController();
let started = false;
process.on("message", (message: HostMessage) => {
  if (message.type === "abort") {
    controller.abort(
      new Error(message.reason === "timeout" ? "The action's timeout passed." : "The run was cancelled."),
    );
    return;
  }
  if (started) return;
  started = true;
  const work =
    message.type === "describe"
      ? loadModule(message.moduleFile).then(
          (module): ChildMessage => ({ type: "described", actions: describe(module) }),
        )
      : run(message, controller).then((result): ChildMessage => ({ type: "result", ok: true, result }));
  work
    .catch((error): ChildMessage => ({ type: "result", ok: false, error: serializeError(error) }))
    .then(send)
    .then(
      () => process.exit(0),
      () => process.exit(3),
    );
});
