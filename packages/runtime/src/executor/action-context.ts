import { CofferError } from "@coffer/core";
import type { ActionLog, ActionSecrets, LogFields, SecretDeclaration } from "@coffer/sdk";

type RunSecrets = ReadonlyMap<string, Readonly<Record<string, string>>>;

function declaredNames(declarations: readonly SecretDeclaration[]): string[] {
  return declarations.map((d) => ("name" in d ? d.name : `${d.provider_id} (oauth)`));
}

/**
 * `ctx.secrets` over one run's secrets only: Tracecat's flat `get("KEY")` (the key from whichever
 * secret of the run has it), `getOrDefault`, and `of(name)`. Messages name keys, secrets and the
 * environment, never a value.
 */
export function createSecretsAccessor(
  secrets: RunSecrets,
  context: { actionId: string; environment: string; declarations: readonly SecretDeclaration[] },
): ActionSecrets {
  const holders = (key: string): string[] => {
    const names: string[] = [];
    for (const [name, values] of secrets) if (Object.hasOwn(values, key)) names.push(name);
    return names;
  };
  const declared = () => {
    const names = declaredNames(context.declarations);
    return names.length > 0 ? `declares ${names.join(", ")}` : "declares no secrets";
  };
  const lookup = (key: string): string | undefined => {
    const names = holders(key);
    if (names.length > 1) {
      throw new CofferError(
        "duplicate_key",
        `Key ${key} is in several secrets of this run (${names.join(", ")}); read it with secrets.of("${names[0]}").${key}.`,
        { details: { key, secrets: names } },
      );
    }
    const name = names[0];
    return name === undefined ? undefined : secrets.get(name)?.[key];
  };
  return Object.freeze({
    get(key: string): string {
      const value = lookup(key);
      if (value === undefined) {
        const present = [...secrets.keys()];
        throw new CofferError(
          "secret_key_not_found",
          `Secret key '${key}' is required but not found: action ${context.actionId} ${declared()}, and the secrets it got in environment \`${context.environment}\` (${present.join(", ") || "none"}) have no key ${key}. Declare the secret that holds it in the action's secrets, or use getOrDefault.`,
          { details: { key, declared: declaredNames(context.declarations), environment: context.environment } },
        );
      }
      return value;
    },
    getOrDefault<T>(key: string, fallback: T): string | T {
      return lookup(key) ?? fallback;
    },
    of(name: string): Readonly<Record<string, string>> {
      const values = secrets.get(name);
      if (!values) {
        throw new CofferError(
          "secret_not_found",
          `Secret '${name}' is not available to action ${context.actionId} in environment \`${context.environment}\`: the action ${declared()}. Declare it in the action's secrets (and create it in that environment).`,
          { details: { secret: name, environment: context.environment } },
        );
      }
      return Object.freeze({ ...values });
    },
  });
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** `ctx.log`: each line goes to `emit`, which masks it before anything sees it. */
export function createActionLog(emit: (level: LogLevel, message: string, fields?: LogFields) => void): ActionLog {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void =>
      emit(level, String(message), fields);
  return Object.freeze({ debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") });
}
