import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { constants } from "node:os";
import { finished } from "node:stream/promises";
import { CofferError } from "@coffer/core";
import type { RunNeeds } from "@coffer/runtime";
import { type Command, CommanderError, Option } from "commander";
import type { CliContext } from "../context.js";
import { CommandExit } from "../exit.js";
import { collect } from "./options.js";

interface RunOptions {
  workspace: string;
  env: string;
  secret: string[];
}

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * `coffer run --secret NAME … -- CMD ARGS…` (like `infisical run`): the keys of the named secrets
 * become environment variables of CMD, and its stdout and stderr pass through the streaming
 * masker. Coffer exits with CMD's status (128+n when a signal ended it).
 */
export function registerRunCommand(program: Command, context: CliContext): void {
  const run = program
    .command("run")
    .description(
      "run a command with the keys of secrets as environment variables; its output is masked and its exit status is Coffer's",
    )
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .addOption(new Option("-e, --env <environment>", "environment of the secrets").default("default"))
    .addOption(new Option("-s, --secret <name>", "a secret whose keys CMD gets (repeatable)").argParser(collect))
    .argument("<command...>", "the command and its arguments (after --)")
    .passThroughOptions()
    .action(async (command: string[], options: RunOptions) => {
      const names = [...new Set(options.secret ?? [])];
      if (names.length === 0) run.error("error: give at least one --secret NAME (repeatable).", { exitCode: 2 });
      const [file = "", ...args] = command;
      // Loaded here, so no other command pays for the runtime.
      const { createMasker, createMaskingTransform, unresolvedError } = await import("@coffer/runtime");
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const environment = options.env;
      const resolution = await coffer.resolution.resolveForRun({
        workspaceId,
        environment,
        secretNames: names,
        runId: randomUUID(),
        actionId: "coffer.run",
        actor: context.actor(),
      });
      const needs: RunNeeds = {
        secrets: new Map(names.map((n) => [n, { required: true, keys: new Set<string>() }])),
        variables: new Set(),
      };
      const problem = unresolvedError({ command: file }, environment, needs, resolution);
      if (problem) throw problem;

      const variables: Record<string, string> = {};
      const owner = new Map<string, string>();
      for (const name of names) {
        const secret = resolution.secrets.get(name);
        for (const [key, value] of Object.entries(secret?.values ?? {})) {
          const first = owner.get(key);
          if (first !== undefined) {
            throw new CofferError(
              "invalid_argument",
              `Key ${key} is in both secret ${first} and secret ${name}; CMD can get only one variable of that name. Rename the key in one of them, or run with one of the two secrets.`,
              { details: { key, secrets: [first, name] } },
            );
          }
          owner.set(key, name);
          variables[key] = value;
        }
      }
      const masker = createMasker(Object.values(variables));
      await context.close();

      // The child gets the user's environment, minus Coffer's own (its keys, its database).
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(context.processEnv())) if (!k.startsWith("COFFER_")) env[k] = v;
      Object.assign(env, variables);

      const child = spawn(file, args, { env, stdio: ["inherit", "pipe", "pipe"] });
      const stdout = child.stdout.pipe(createMaskingTransform(masker));
      const stderr = child.stderr.pipe(createMaskingTransform(masker));
      stdout.on("data", (d: Buffer) => context.writeOut(d.toString("utf8")));
      stderr.on("data", (d: Buffer) => context.writeErr(d.toString("utf8")));
      const forward = (signal: NodeJS.Signals) => () => {
        child.kill(signal);
      };
      const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const);
      for (const [s, h] of handlers) process.on(s, h);
      try {
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
          child.once("error", reject);
          child.once("close", (code, signal) => resolve({ code, signal }));
        }).catch((error: NodeJS.ErrnoException) => {
          throw new CofferError(
            "invalid_argument",
            `Cannot start ${file}: ${error.code === "ENOENT" ? "not found (check the name and PATH)" : (error.code ?? "error")}.`,
            { details: { command: file } },
          );
        });
        await Promise.all([finished(stdout), finished(stderr)]);
        const status = exit.code ?? 128 + (exit.signal ? (constants.signals[exit.signal] ?? 0) : 0);
        if (status !== 0) throw new CommandExit(status);
      } finally {
        for (const [s, h] of handlers) process.off(s, h);
      }
    });
  // Usage errors exit 2: 1 could be the command's own status.
  run.exitOverride((error) => {
    throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
  });
}
