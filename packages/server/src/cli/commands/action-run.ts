import { CofferError } from "@coffer/core";
import type { ActionRunRequest, Executor } from "@coffer/runtime";
import { type Command, CommanderError, Option } from "commander";
import type { RuntimeContext } from "../../runtime-context.js";
import type { CliContext } from "../context.js";
import { readTextFile } from "./options.js";

interface ActionRunOptions {
  workspace: string;
  env?: string;
  args?: string;
  json?: boolean;
  timeout?: string;
}

/** The `actions` group, made once whichever command module registers first. */
export function actionsGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "actions") ??
    program.command("actions").description("list and run the actions of the registry (built-in and custom)")
  );
}

function parseArgs(text: string | undefined, command: Command): Record<string, unknown> {
  if (text === undefined) return {};
  const source = text.startsWith("@") ? readTextFile(text.slice(1), "the --args file") : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    // The parser's message quotes the text, which might hold a pasted value: say only what to fix.
    command.error("error: --args is not valid JSON; give a JSON object, or @file to read one from a file.", {
      exitCode: 2,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    command.error('error: --args must be a JSON object, e.g. --args \'{"url": "https://example.test"}\'.', {
      exitCode: 2,
    });
  }
  return value as Record<string, unknown>;
}

/**
 * `coffer action run ACTION [--args JSON|@file] [--env E] [--json]`: one run through the executor.
 * stdout holds only the result (with --json, only the JSON document); the action's logs and
 * output, and Coffer's notes, go to stderr, masked. Exit 0 succeeded, 1 failed, 2 usage.
 */
export function registerActionRunCommand(program: Command, context: CliContext): void {
  const run: Command = actionsGroup(program)
    .command("run")
    .argument("<action>", "the action id, e.g. core.http_request")
    .description("run one action with its secrets resolved in one environment; the result is masked")
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .addOption(
      new Option(
        "-e, --env <environment>",
        "environment of the run (default: default); a ${{ }} template over VARS is evaluated like an action's own environment",
      ),
    )
    .option("-a, --args <json>", "the action's args as a JSON object, or @file to read them from a file")
    .option(
      "-t, --timeout <seconds>",
      "stop the action after this many seconds (default COFFER_ACTION_TIMEOUT_SECONDS)",
    )
    .option("--json", 'print only {"status", "environment", "result" | "error"} on stdout')
    .action(async (actionId: string, options: ActionRunOptions) => {
      const args = parseArgs(options.args, run);
      let timeoutMs: number | undefined;
      if (options.timeout !== undefined) {
        const seconds = Number(options.timeout);
        if (!Number.isFinite(seconds) || seconds <= 0) {
          run.error("error: --timeout takes a number of seconds above 0.", { exitCode: 2 });
        }
        timeoutMs = Math.round(seconds * 1000);
      }
      // The runtime (registry, sandbox, built-ins) loads here, so no other command pays for it.
      const [{ createExecutor, createMasker }, { openRuntime }, { isTemplate }] = await Promise.all([
        import("@coffer/runtime"),
        import("../../runtime-context.js"),
        import("@coffer/expressions"),
      ]);
      let opened: { workspaceId: string; runtime: RuntimeContext; executor: Executor };
      try {
        const coffer = await context.coffer();
        const workspaceId = await context.workspaceId({ workspace: options.workspace, env: options.env ?? "default" });
        const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
        const executor = createExecutor({
          registry: runtime.registry,
          resolution: coffer.resolution,
          logger: coffer.logger,
          logMasks: coffer.logMasks,
          config: context.config(),
          createMasker,
          runCustomAction: (request) => runtime.sandbox.runCustomAction(request),
          preprocessors: runtime.preprocessors,
        });
        opened = { workspaceId, runtime, executor };
      } catch (error) {
        // With --json a failure to start is still the one JSON document on stdout.
        if (!options.json || !(error instanceof CofferError)) throw error;
        context.out(
          JSON.stringify({
            status: "failed",
            environment: options.env?.trim() || "default",
            error: { code: error.code, message: error.message },
          }),
        );
        throw new CommanderError(1, "coffer.action_failed", "");
      }
      const { workspaceId, runtime, executor } = opened;
      const { registry } = runtime;
      try {
        if (registry.errors.length > 0 && !registry.get(actionId)) {
          // The action asked for may be in a file that did not load: say which files and why.
          for (const e of registry.errors) {
            context.note(`warning: ${e.file}${e.field ? ` (${e.field})` : ""} did not load: ${e.message} [${e.code}]`);
          }
        }
        const env = options.env?.trim();
        const request: ActionRunRequest = {
          workspaceId,
          actionId,
          args,
          actor: context.actor(),
          // A template is the action's own environment (evaluated over VARS); a name is the run's override.
          ...(env && isTemplate(env) ? { environment: env } : env ? { runEnvironment: env } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          onOutput: (stream, text) => {
            if (stream === "log") context.writeErr(text.endsWith("\n") ? text : `${text}\n`);
            else context.writeErr(text);
          },
        };
        const outcome = await executor.runAction(request);
        if (options.json) {
          context.out(
            JSON.stringify(
              outcome.status === "succeeded"
                ? { status: outcome.status, environment: outcome.environment, result: outcome.result }
                : {
                    status: outcome.status,
                    environment: outcome.environment,
                    error: { code: outcome.error.code, message: outcome.error.message },
                  },
            ),
          );
        } else if (outcome.status === "succeeded") {
          const result = outcome.result;
          context.out(typeof result === "string" ? result : JSON.stringify(result ?? null, null, 2));
        } else {
          context.note(`error: ${outcome.error.message} [${outcome.error.code}]`);
        }
        // The failure is already printed; exit 1 without a second message.
        if (outcome.status === "failed") throw new CommanderError(1, "coffer.action_failed", "");
      } finally {
        await runtime.close();
      }
    });
  run.exitOverride((error) => {
    throw error.exitCode === 0 || error.code === "coffer.action_failed"
      ? error
      : new CommanderError(2, error.code, error.message);
  });
}
