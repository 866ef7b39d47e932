/**
 * TEST ONLY. A real ActionContext over a plain `{ secretName: { KEY: value } }` map, so a built-in
 * action's handler can be called directly. Production contexts come from the executor, which also
 * masks logs; this one records log lines unmasked for assertions.
 */
import { CofferError } from "@coffer/core";
import type { ActionContext, ActionDefinition, LogFields, z } from "@coffer/sdk";

export interface LoggedLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: LogFields | undefined;
}

export interface TestContext extends ActionContext {
  readonly lines: LoggedLine[];
}

export function testContext(
  secrets: Record<string, Record<string, string>> = {},
  options: { signal?: AbortSignal; environment?: string } = {},
): TestContext {
  const environment = options.environment ?? "default";
  const names = Object.keys(secrets);
  const lines: LoggedLine[] = [];
  const logAt =
    (level: LoggedLine["level"]) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  // Tracecat's flat access: the first secret (in declaration order) that has the key wins.
  const find = (key: string): string | undefined => {
    for (const name of names) {
      const keys = secrets[name] as Record<string, string>;
      if (Object.hasOwn(keys, key)) return keys[key];
    }
    return undefined;
  };
  return {
    lines,
    environment,
    runId: "test-run",
    actionId: "test.action",
    signal: options.signal ?? new AbortController().signal,
    log: { debug: logAt("debug"), info: logAt("info"), warn: logAt("warn"), error: logAt("error") },
    secrets: {
      get(key) {
        const value = find(key);
        if (value === undefined) {
          throw new CofferError(
            "secret_key_not_found",
            `No secret of this run has key ${key} (secrets: ${names.join(", ") || "none"}).`,
            { details: { key, secrets: names } },
          );
        }
        return value;
      },
      getOrDefault(key, fallback) {
        return find(key) ?? fallback;
      },
      of(name) {
        const keys = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
        if (keys === undefined) {
          throw new CofferError("secret_not_found", `Secret ${name} is not configured in environment ${environment}.`, {
            details: { secret: name, environment },
          });
        }
        return Object.freeze({ ...keys });
      },
    },
  };
}

/** Parses the args with the action's schema and calls its handler, as the executor does. */
export async function runAction<Args extends z.ZodType, Result>(
  action: ActionDefinition<Args, Result>,
  args: Record<string, unknown>,
  ctx: ActionContext = testContext(),
): Promise<Result> {
  return action.handler(action.args.parse(args), ctx);
}
