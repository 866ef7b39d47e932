import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CofferError } from "@coffer/core";
import ssh2 from "ssh2";
import sshpk from "sshpk";
import { runAction, testContext } from "../../test-context.test-support.js";
import { parseHostKeys, sshExecuteCommandAction } from "./ssh-execute-command.js";

const SSHD = "/usr/sbin/sshd";
const dir = mkdtempSync(join(tmpdir(), "coffer-sshd-"));
const user = userInfo().username;

function keygen(name: string, type: "ed25519" | "rsa", passphrase = ""): { privateKey: string; publicKey: string } {
  const path = join(dir, name);
  const bits = type === "rsa" ? ["-b", "2048"] : [];
  execFileSync("ssh-keygen", ["-q", "-t", type, ...bits, "-N", passphrase, "-C", name, "-f", path], { stdio: "pipe" });
  return { privateKey: readFileSync(path, "utf8"), publicKey: readFileSync(`${path}.pub`, "utf8").trim() };
}

/** A PKCS#8 PEM key from openssl (a format ssh2 cannot read itself) and its OpenSSH public line. */
function opensslKey(name: string, algorithm: "ED25519" | "RSA"): { privateKey: string; publicKey: string } {
  const options = algorithm === "RSA" ? ["-pkeyopt", "rsa_keygen_bits:2048"] : [];
  const privateKey = execFileSync("openssl", ["genpkey", "-algorithm", algorithm, ...options], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  assert.match(privateKey, /^-----BEGIN PRIVATE KEY-----/);
  const publicKey = sshpk.parsePrivateKey(privateKey, "pem").toPublic().toString("ssh");
  return { privateKey, publicKey: `${publicKey} ${name}` };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}

async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the action to fail");
}

describe("core.ssh.execute_command against Debian's sshd", () => {
  const hostEd25519 = keygen("host_ed25519", "ed25519");
  const hostRsa = keygen("host_rsa", "rsa");
  const clientEd25519 = keygen("client_ed25519", "ed25519");
  const clientRsa = keygen("client_rsa", "rsa");
  const pemEd25519 = opensslKey("pem_ed25519", "ED25519");
  const pemRsa = opensslKey("pem_rsa", "RSA");
  const stranger = keygen("stranger", "ed25519");
  const encrypted = keygen("encrypted", "ed25519", "correct horse");

  let sshd: ChildProcess | undefined;
  let port = 0;
  let sshdLog = "";

  before(async () => {
    assert.ok(existsSync(SSHD), `${SSHD} is missing: install Debian's openssh-server (.ci/run does)`);
    writeFileSync(
      join(dir, "authorized_keys"),
      [clientEd25519, clientRsa, pemEd25519, pemRsa].map((k) => k.publicKey).join("\n"),
    );
    // sshd running as root wants its privilege-separation directory; Debian's init script makes it.
    if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
    port = await freePort();
    const config = join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(dir, "host_ed25519")}`,
        `HostKey ${join(dir, "host_rsa")}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        `AllowUsers ${user}`,
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        "StrictModes no",
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
    const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    sshd = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${sshdLog}`)), 10_000);
      child.stderr?.on("data", (chunk: Buffer) => {
        sshdLog += chunk.toString();
        if (sshdLog.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}:\n${sshdLog}`));
      });
    });
  });

  after(() => {
    if (sshd?.exitCode === null) sshd.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  const ssh = (args: Record<string, unknown>, key: string = clientEd25519.privateKey, signal?: AbortSignal) => {
    const ctx = testContext({ ssh: { PRIVATE_KEY: key } }, signal ? { signal } : {});
    return {
      ctx,
      run: runAction(
        sshExecuteCommandAction,
        { host: "127.0.0.1", port, username: user, host_public_key: hostEd25519.publicKey, ...args },
        ctx,
      ),
    };
  };

  test("runs the command with the pinned host key; stdout, stderr and exit status come back", async () => {
    const result = await ssh({ command: "echo out; echo err >&2; exit 3" }).run;
    assert.deepEqual(result, { stdout: "out\n", stderr: "err\n", exit_status: 3 });
  });

  test("exit status 0 and output that is not UTF-8 (replaced, not lost)", async () => {
    const result = await ssh({ command: "printf 'a\\377b'" }).run;
    assert.deepEqual(result, { stdout: "a\uFFFDb", stderr: "", exit_status: 0 });
  });

  test("an RSA client key (OpenSSH format) authenticates", async () => {
    const result = await ssh({ command: "echo rsa" }, clientRsa.privateKey).run;
    assert.equal(result.stdout, "rsa\n");
  });

  test("PKCS#8 PEM keys (Ed25519 and RSA), which ssh2 cannot read itself, are converted and authenticate", async () => {
    assert.equal((await ssh({ command: "echo pem-ed25519" }, pemEd25519.privateKey).run).stdout, "pem-ed25519\n");
    assert.equal((await ssh({ command: "echo pem-rsa" }, pemRsa.privateKey).run).stdout, "pem-rsa\n");
  });

  test("the server's RSA host key can be the pinned one", async () => {
    const result = await ssh({ command: "echo via-rsa-host-key", host_public_key: hostRsa.publicKey }).run;
    assert.equal(result.stdout, "via-rsa-host-key\n");
  });

  test("a known_hosts line ([host]:port key) and several pinned lines are accepted", async () => {
    const line = `[127.0.0.1]:${port} ${hostEd25519.publicKey}`;
    assert.equal((await ssh({ command: "echo kh", host_public_key: line }).run).stdout, "kh\n");
    const several = `${stranger.publicKey}\n${hostEd25519.publicKey}\n`;
    assert.equal((await ssh({ command: "echo any", host_public_key: several }).run).stdout, "any\n");
  });

  test("a wrong host key is refused with ssh_host_key_mismatch naming both fingerprints; the command never runs", async () => {
    const marker = join(dir, "must-not-exist");
    const error = await rejection(ssh({ command: `touch ${marker}`, host_public_key: stranger.publicKey }).run);
    assert.equal(error.code, "ssh_host_key_mismatch");
    const served = sshpk.parseKey(hostEd25519.publicKey, "ssh").fingerprint("sha256").toString();
    const pinned = sshpk.parseKey(stranger.publicKey, "ssh").fingerprint("sha256").toString();
    assert.ok(error.message.includes(served), error.message);
    assert.ok(error.message.includes(pinned), error.message);
    assert.equal(existsSync(marker), false);
  });

  test("host key checking on and no host_public_key: refused before connecting", async () => {
    const closedPort = await freePort();
    const error = await rejection(ssh({ command: "true", host_public_key: undefined, port: closedPort }).run);
    assert.equal(error.code, "ssh_host_key_required");
    assert.match(error.message, /host_key_checking/);
    assert.match(error.message, new RegExp(`ssh-keyscan -p ${closedPort} 127\\.0\\.0\\.1`));
  });

  test("host_key_checking false accepts any host key, with a warning", async () => {
    const { ctx, run } = ssh({ command: "echo unchecked", host_public_key: undefined, host_key_checking: false });
    assert.equal((await run).stdout, "unchecked\n");
    assert.ok(ctx.lines.some((l) => l.level === "warn" && /host_key_checking is false/.test(l.message)));
  });

  test("a host_public_key that is not a key is invalid_host_public_key", async () => {
    for (const bad of ["AAAAC3NzaC1lZDI1NTE5", "ssh-ed25519 not-base64!", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAI"]) {
      const error = await rejection(ssh({ command: "true", host_public_key: bad }).run);
      assert.equal(error.code, "invalid_host_public_key", bad);
    }
  });

  test("a key the server does not authorise is ssh_auth_failed", async () => {
    const error = await rejection(ssh({ command: "true" }, stranger.privateKey).run);
    assert.equal(error.code, "ssh_auth_failed");
    assert.match(error.message, new RegExp(`refused ${user}'s authentication`));
  });

  test("neither ~/.ssh nor an SSH agent is used: an authorised key there does not help a wrong secret key", async () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "id_ed25519"), clientEd25519.privateKey, { mode: 0o600 });
    const agentSocket = join(dir, "agent.sock");
    const agentOut = execFileSync("ssh-agent", ["-s", "-a", agentSocket], { encoding: "utf8" });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agentOut)?.[1]);
    const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
    try {
      execFileSync("ssh-add", [join(dir, "client_ed25519")], {
        env: { ...process.env, SSH_AUTH_SOCK: agentSocket },
        stdio: "pipe",
      });
      process.env.HOME = home;
      process.env.SSH_AUTH_SOCK = agentSocket;
      const error = await rejection(ssh({ command: "true" }, stranger.privateKey).run);
      assert.equal(error.code, "ssh_auth_failed");
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      process.kill(agentPid, "SIGTERM");
    }
  });

  test("an encrypted private key is refused with encrypted_private_key (Coffer stores keys unencrypted)", async () => {
    assert.match(encrypted.privateKey, /BEGIN OPENSSH PRIVATE KEY/);
    const error = await rejection(ssh({ command: "true" }, encrypted.privateKey).run);
    assert.equal(error.code, "encrypted_private_key");
    assert.match(error.message, /ssh-keygen -p/);
  });

  test("a PRIVATE_KEY that is no key is invalid_ssh_key, and the message does not quote it", async () => {
    const garbage = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n";
    const error = await rejection(ssh({ command: "true" }, garbage).run);
    assert.equal(error.code, "invalid_ssh_key");
    assert.equal(JSON.stringify({ ...error.toJSON(), stack: error.stack }).includes("bm90IGEga2V5"), false);
  });

  test("timeout_seconds ends a command that runs too long", async () => {
    const started = Date.now();
    const error = await rejection(ssh({ command: "sleep 10", timeout_seconds: 0.8 }).run);
    assert.equal(error.code, "ssh_timeout");
    assert.match(error.message, /while running the command/);
    assert.ok(Date.now() - started < 5000);
  });

  test("ctx.signal cancels the command", async () => {
    const controller = new AbortController();
    const { run } = ssh({ command: "sleep 10" }, clientEd25519.privateKey, controller.signal);
    setTimeout(() => controller.abort(), 300);
    const error = await rejection(run);
    assert.equal(error.code, "action_aborted");
  });

  test("a port where nothing listens is ssh_connection_failed", async () => {
    const error = await rejection(ssh({ command: "true", port: await freePort() }).run);
    assert.equal(error.code, "ssh_connection_failed");
    assert.match(error.message, /connection was refused/);
  });

  test("the arguments are Tracecat's: port 22 and 30 s by default, unknown names refused", () => {
    const parsed = sshExecuteCommandAction.args.parse({ command: "id", host: "h", username: "u" });
    assert.equal(parsed.port, 22);
    assert.equal(parsed.timeout_seconds, 30);
    assert.equal(parsed.host_key_checking, true);
    assert.throws(() => sshExecuteCommandAction.args.parse({ command: "id", host: "h", username: "u", hostkey: "x" }));
  });
});

// Debian's sshd here cannot check a password without a system user that has one, so password
// authentication is exercised against ssh2's own server implementation.
describe("core.ssh.execute_command with a password (ssh2's server)", () => {
  const hostKey = keygen("password_host", "ed25519");
  const key = keygen("password_client", "ed25519");
  const methods: string[] = [];
  const server = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    client.on("authentication", (auth) => {
      methods.push(auth.method);
      if (auth.method === "password" && auth.username === "ops" && auth.password === "letmein-42") auth.accept();
      else auth.reject(["publickey", "password"]);
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        accept().once("exec", (acceptExec, _reject, info) => {
          const channel = acceptExec();
          channel.write(`ran ${info.command}\n`);
          channel.exit(0);
          channel.end();
        });
      });
    });
    client.on("error", () => {});
  });
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (password: string) =>
    runAction(
      sshExecuteCommandAction,
      { host: "127.0.0.1", port, username: "ops", command: "uptime", password, host_public_key: hostKey.publicKey },
      testContext({ ssh: { PRIVATE_KEY: key.privateKey } }),
    );

  test("the key is tried first, then the password", async () => {
    methods.length = 0;
    assert.deepEqual(await run("letmein-42"), { stdout: "ran uptime\n", stderr: "", exit_status: 0 });
    assert.deepEqual(methods, ["publickey", "password"]);
  });

  test("a wrong password is ssh_auth_failed, naming both methods and not the password", async () => {
    const error = await rejection(run("wrong-password-7"));
    assert.equal(error.code, "ssh_auth_failed");
    assert.match(error.message, /key and the password/);
    assert.equal(JSON.stringify({ ...error.toJSON(), stack: error.stack }).includes("wrong-password-7"), false);
  });
});

describe("parseHostKeys", () => {
  test("takes the key after a host field and ignores comments and blank lines", () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.alloc(36, 1)]);
    const line = `ssh-ed25519 ${blob.toString("base64")}`;
    const keys = parseHostKeys(`# pinned\n\nexample.org,10.0.0.1 ${line} root@host\n`);
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.type, "ssh-ed25519");
    assert.ok(keys[0]?.blob.equals(blob));
  });
});
