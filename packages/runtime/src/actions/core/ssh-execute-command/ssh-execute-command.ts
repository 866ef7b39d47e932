/**
 * `core.ssh.execute_command` (reference §13.1) on ssh2.
 *
 * The server's host key is checked against `host_public_key` unless the caller turns checking off
 * explicitly; without a pinned key and with checking on, the action refuses to connect. The only
 * client key is the `ssh` secret's PRIVATE_KEY: no agent, nothing from ~/.ssh.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { CofferError, isCofferError } from "@coffer/core";
import { type ActionContext, defineAction, z } from "@coffer/sdk";
import type { ClientChannel, ConnectConfig } from "ssh2";
import type sshpkModule from "sshpk";

// ssh2 and sshpk take a few hundred ms to load: loaded by the first SSH run, not by every command.
const require = createRequire(import.meta.url);
let libraries: { ssh2: typeof import("ssh2"); sshpk: typeof sshpkModule } | undefined;
function load(): NonNullable<typeof libraries> {
  libraries ??= { ssh2: require("ssh2") as typeof import("ssh2"), sshpk: require("sshpk") as typeof sshpkModule };
  return libraries;
}

export const sshExecuteCommandArgs = z
  .object({
    command: z.string().min(1),
    host: z.string().min(1),
    username: z.string().min(1),
    /**
     * The server's public host key, `<key_type> <base64> [comment]` (a `.pub` file or a line of
     * `ssh-keyscan`, with or without the host name in front); several lines pin several keys.
     */
    host_public_key: z.string().nullish(),
    /** false accepts whatever host key the server presents (for this run only, with a warning). */
    host_key_checking: z.boolean().default(true),
    /** Password for the SSH user, tried after the key (as Tracecat). */
    password: z.string().nullish(),
    port: z.number().int().min(1).max(65535).default(22),
    /** Seconds for everything: connect, handshake, authentication and the command. */
    timeout_seconds: z.number().positive().default(30),
  })
  .strict();

export type SshExecuteCommandArgs = z.output<typeof sshExecuteCommandArgs>;

export interface SshCommandResult {
  stdout: string;
  stderr: string;
  /** The command's exit status; -1 when the server sent none (the command was killed by a signal). */
  exit_status: number;
}

export const sshExecuteCommandAction = defineAction({
  namespace: "core.ssh",
  name: "execute_command",
  title: "Execute SSH command",
  description: "Execute a shell command over SSH and return its stdout, stderr and exit status.",
  display_group: "SSH",
  args: sshExecuteCommandArgs,
  secrets: [{ name: "ssh", keys: ["PRIVATE_KEY"], secret_type: "ssh_key" }],
  handler: (args, ctx) => executeCommand(args, ctx),
});

interface PinnedKey {
  type: string;
  blob: Buffer;
}

/** Host key algorithms ssh2 may negotiate for each pinned key type, so the server shows that key. */
const HOST_KEY_ALGORITHMS: Record<string, readonly string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
};

export async function executeCommand(args: SshExecuteCommandArgs, ctx: ActionContext): Promise<SshCommandResult> {
  const privateKey = clientKey(ctx.secrets.of("ssh").PRIVATE_KEY ?? "");
  const where = args.port === 22 ? args.host : `${args.host}:${args.port}`;
  let pinned: PinnedKey[] | null = null;
  if (args.host_key_checking) {
    if (!args.host_public_key?.trim()) {
      throw new CofferError(
        "ssh_host_key_required",
        `host_public_key is required when host_key_checking is on: give the public host key of ${where} (for example a line of \`ssh-keyscan -p ${args.port} ${args.host}\`, checked out of band), or set host_key_checking to false to accept any key.`,
      );
    }
    pinned = parseHostKeys(args.host_public_key);
  } else {
    ctx.log.warn(
      `host_key_checking is false: the host key of ${where} is not checked, so anyone on the network path can impersonate the server.`,
    );
  }

  const timeoutMs = Math.ceil(args.timeout_seconds * 1000);
  let presented: Buffer | undefined;
  const config: ConnectConfig = {
    host: args.host,
    port: args.port,
    username: args.username,
    privateKey,
    readyTimeout: timeoutMs,
    tryKeyboard: false,
    authHandler: args.password != null ? ["publickey", "password"] : ["publickey"],
    hostVerifier: (key: Buffer) => {
      presented = key;
      return pinned === null || pinned.some((p) => p.blob.equals(key));
    },
  };
  if (args.password != null) config.password = args.password;
  if (pinned !== null) {
    const algorithms = [...new Set(pinned.flatMap((p) => HOST_KEY_ALGORITHMS[p.type] ?? [p.type]))];
    config.algorithms = { serverHostKey: algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] };
  }

  const client = new (load().ssh2.Client)();
  let phase: "connecting" | "running the command" = "connecting";
  return await new Promise<SshCommandResult>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { result: SshCommandResult } | { error: CofferError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      client.end();
      client.destroy();
      if ("result" in outcome) resolve(outcome.result);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => {
      finish({
        error: new CofferError(
          "ssh_timeout",
          `SSH to ${where} timed out after ${args.timeout_seconds} s while ${phase}. Raise timeout_seconds if the command needs longer.`,
          { details: { timeout_seconds: args.timeout_seconds, phase } },
        ),
      });
    }, timeoutMs);
    const onAbort = (): void => {
      const reason: unknown = ctx.signal.reason;
      finish({
        error: isCofferError(reason)
          ? reason
          : new CofferError("action_aborted", `The SSH command on ${where} was cancelled before it completed.`),
      });
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    client.on("error", (error: Error & { level?: string; code?: string }) => {
      finish({ error: connectionError(error, { where, args, pinned, presented }) });
    });
    client.on("ready", () => {
      phase = "running the command";
      client.exec(args.command, (error, channel) => {
        if (error) {
          finish({
            error: new CofferError("ssh_connection_failed", `${where} refused to run the command: ${error.message}.`),
          });
          return;
        }
        collect(channel, (result) => finish({ result }));
      });
    });
    try {
      client.connect(config);
    } catch {
      finish({ error: invalidKey() });
    }
  });
}

function collect(channel: ClientChannel, done: (result: SshCommandResult) => void): void {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let exitStatus = -1;
  channel.on("data", (chunk: Buffer) => stdout.push(chunk));
  channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  channel.on("exit", (code: number | null) => {
    if (typeof code === "number") exitStatus = code;
  });
  channel.on("close", () => {
    // Invalid UTF-8 becomes U+FFFD, as in Tracecat.
    const text = (parts: Buffer[]): string => new TextDecoder().decode(Buffer.concat(parts));
    done({ stdout: text(stdout), stderr: text(stderr), exit_status: exitStatus });
  });
}

/**
 * The PRIVATE_KEY in a form ssh2 reads. ssh2 parses OpenSSH and PKCS#1/SEC1 PEM but not PKCS#8 or
 * Ed25519 PEM, which the store accepts, so those are converted with sshpk to the OpenSSH format.
 */
function clientKey(value: string): string {
  const { ssh2, sshpk } = load();
  if (!(ssh2.utils.parseKey(value) instanceof Error)) return value;
  let parsed: sshpkModule.PrivateKey;
  try {
    parsed = sshpk.parsePrivateKey(value, "auto");
  } catch (error) {
    if (error instanceof Error && error.name === "KeyEncryptedError") {
      throw new CofferError(
        "encrypted_private_key",
        "The ssh secret's PRIVATE_KEY is encrypted with a passphrase. Store the unencrypted key (`ssh-keygen -p -N '' -f <copy of the key file>`); Coffer encrypts stored values itself.",
        { details: { secret: "ssh", key: "PRIVATE_KEY" } },
      );
    }
    throw invalidKey();
  }
  const converted = parsed.toString("openssh");
  if (ssh2.utils.parseKey(converted) instanceof Error) throw invalidKey();
  return converted;
}

function invalidKey(): CofferError {
  return new CofferError(
    "invalid_ssh_key",
    "The ssh secret's PRIVATE_KEY is not a private key SSH can use (RSA, ECDSA or Ed25519, in OpenSSH or PEM format). Store the key file again.",
    { details: { secret: "ssh", key: "PRIVATE_KEY" } },
  );
}

const KEY_TYPE = /^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521))$/;

/** Each non-empty line: `[host[,host…]] <key_type> <base64> [comment]`. */
export function parseHostKeys(text: string): PinnedKey[] {
  const keys: PinnedKey[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const parts = line.split(/\s+/);
    const at = parts.findIndex((p) => KEY_TYPE.test(p));
    const type = at === -1 ? undefined : parts[at];
    const data = at === -1 ? undefined : parts[at + 1];
    const blob = data !== undefined && /^[A-Za-z0-9+/]+=*$/.test(data) ? Buffer.from(data, "base64") : undefined;
    // The blob starts with its own key type: a pasted key whose halves do not belong together is caught.
    if (type === undefined || blob === undefined || blobType(blob) !== type) {
      throw new CofferError(
        "invalid_host_public_key",
        `host_public_key line ${index + 1} is not an SSH public key: give it as '<key_type> <base64>' (e.g. 'ssh-ed25519 AAAAC3Nza…', the content of /etc/ssh/ssh_host_ed25519_key.pub).`,
        { details: { line: index + 1 } },
      );
    }
    keys.push({ type, blob });
  }
  if (keys.length === 0) {
    throw new CofferError(
      "invalid_host_public_key",
      "host_public_key holds no key: give it as '<key_type> <base64>' (e.g. the content of /etc/ssh/ssh_host_ed25519_key.pub).",
    );
  }
  return keys;
}

function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString("latin1");
}

function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function connectionError(
  error: Error & { level?: string; code?: string },
  at: { where: string; args: SshExecuteCommandArgs; pinned: PinnedKey[] | null; presented: Buffer | undefined },
): CofferError {
  const { where, args, pinned, presented } = at;
  if (pinned !== null && presented !== undefined && !pinned.some((p) => p.blob.equals(presented))) {
    const offered = fingerprint(presented);
    const expected = pinned.map((p) => fingerprint(p.blob));
    return new CofferError(
      "ssh_host_key_mismatch",
      `The host key of ${where} (${blobType(presented)} ${offered}) does not match host_public_key (${expected.join(", ")}). The server may be impersonated, or its key changed: check the key out of band before updating host_public_key.`,
      { details: { presented: offered, expected } },
    );
  }
  if (error.level === "client-authentication") {
    return new CofferError(
      "ssh_auth_failed",
      `${where} refused ${args.username}'s authentication with the ssh secret's key${args.password != null ? " and the password" : ""}. Add the key's public half to ~${args.username}/.ssh/authorized_keys on the server, or check username.`,
      { details: { username: args.username } },
    );
  }
  if (error.level === "client-timeout") {
    return new CofferError(
      "ssh_timeout",
      `SSH to ${where} timed out after ${args.timeout_seconds} s while connecting. Raise timeout_seconds or check that ${where} answers SSH.`,
      { details: { timeout_seconds: args.timeout_seconds, phase: "connecting" } },
    );
  }
  if (pinned !== null && presented === undefined && /no matching host key/i.test(error.message)) {
    return new CofferError(
      "ssh_host_key_mismatch",
      `${where} has no host key of the type(s) in host_public_key (${[...new Set(pinned.map((p) => p.type))].join(", ")}). Give the server's actual host key.`,
      { details: { expected: pinned.map((p) => fingerprint(p.blob)) } },
    );
  }
  const reason =
    error.code === "ECONNREFUSED"
      ? "the connection was refused (is sshd running, and is the port right?)"
      : error.code === "ENOTFOUND"
        ? "the host name does not resolve"
        : error.code === "ECONNRESET"
          ? "the server closed the connection"
          : "the SSH connection failed";
  return new CofferError("ssh_connection_failed", `Could not run the command on ${where}: ${reason}.`, {
    details: error.code === undefined ? {} : { cause_code: error.code },
  });
}
