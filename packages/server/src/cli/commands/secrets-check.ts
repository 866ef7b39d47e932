import { CofferError } from "@coffer/core";
import { type Command, CommanderError } from "commander";
import type { CliContext, CommonOptions } from "../context.js";
import { withCommonOptions } from "./options.js";

/**
 * `coffer secrets check NAME KEY`: whether a candidate value equals the stored one, without any
 * way to read the stored value back. Exit 0 matches, 1 does not (or another user error), 2 usage.
 */
export function registerSecretsCheck(secrets: Command, context: CliContext): void {
  const check = withCommonOptions(secrets.command("check").argument("<name>").argument("<KEY>"))
    .description(
      "say whether a value equals the stored one (read from a hidden prompt, or standard input with one trailing newline stripped); exit 0 matches, 1 does not, 2 usage error",
    )
    .action(async (name: string, key: string, options: CommonOptions) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const item = await coffer.secrets.getByName(workspaceId, name, options.env);
      const candidate = await context.secretInput(`Value to check for ${key} (not shown): `);
      const result = await coffer.secrets.check(workspaceId, item.id, key, candidate, context.actor());
      if (options.json) context.json(result);
      if (!result.match) {
        throw new CofferError(
          "value_mismatch",
          `The value given does not match key ${key} of secret '${result.name}' in environment '${result.environment}' (version ${result.version}).`,
          { details: { name: result.name, environment: result.environment, key, version: result.version } },
        );
      }
      if (!options.json)
        context.out(
          `Matches: key ${key} of secret '${result.name}' in environment '${result.environment}' holds this value (version ${result.version}).`,
        );
    });
  // Usage errors exit 2 here, since 1 means "does not match".
  check.exitOverride((error) => {
    throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
  });
}
