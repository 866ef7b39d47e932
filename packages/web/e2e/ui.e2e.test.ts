// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the workflow text holds ${{ }} expressions
// End to end: Debian's Chromium (playwright-core) against a real `coffer serve` on SQLite, started
// from the CLI in a fresh COFFER_HOME. Signs in, creates one secret of each type from PEMs made
// here, shows the server's message for a bad PEM beside its field, configures a pre-built
// credential, edits with a blank value (kept: proved by a run), restores a version, deletes, checks a
// viewer sees no write control and that a run shows on /runs, masked. Every secret value planted
// is hunted in the DOM after each save, in every network response, in local and session storage
// and in the console. axe-core checks each page; screenshots go to packages/web/e2e-artifacts/.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const root = new URL("../../../../", import.meta.url).pathname;
const CHROMIUM = process.env.COFFER_TEST_CHROMIUM ?? "/usr/bin/chromium";
const REQUIRE = process.env.COFFER_TEST_REQUIRE_SERVICES === "1";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const SCREENSHOTS = process.env.COFFER_E2E_SCREENSHOTS ?? join(root, "packages/web/e2e-artifacts/screenshots");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && REQUIRE) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install -y chromium`);

/** The test's environment without any store or key settings: `coffer serve` on its embedded SQLite. */
function serverEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("COFFER_")) env[k] = v;
  return { ...env, COFFER_HOME: home, COFFER_LOG_LEVEL: "info" };
}

const canary = (label: string) => `canary-${label}-${randomBytes(9).toString("hex")}`;
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The longest line of a PEM body: what would betray the value if it surfaced. */
function pemLine(pem: string): string {
  return pem
    .split("\n")
    .filter((l) => !l.startsWith("-----"))
    .sort((a, b) => b.length - a.length)[0]!;
}

describe("web UI in Chromium against coffer serve", {
  skip: haveChromium ? false : `no Chromium at ${CHROMIUM}`,
}, () => {
  let home: string;
  let server: ChildProcess;
  let serverOutput = "";
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tokens: Record<"admin" | "editor" | "viewer", string> = { admin: "", editor: "", viewer: "" };
  const values = {
    botToken: canary("bot"),
    signing: canary("signing"),
    signing2: canary("signing2"),
    prebuilt: canary("prebuilt"),
  };
  const pem: Record<string, string> = {};
  /** Everything planted: values and the private parts of every PEM. */
  const planted: string[] = [];
  const responses: Promise<string>[] = [];
  const consoleLines: string[] = [];
  let prebuiltName = "";

  async function api(method: string, path: string, body?: unknown, token = tokens.admin) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  function watch(p: Page) {
    p.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    p.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
    p.on("response", (r) => responses.push(r.text().catch(() => "")));
  }

  async function newPage(width = 1280, height = 900, colorScheme: "light" | "dark" = "light") {
    context = await browser.newContext({ viewport: { width, height }, colorScheme });
    context.setDefaultTimeout(10_000);
    const p = await context.newPage();
    watch(p);
    return p;
  }

  async function shot(p: Page, name: string) {
    await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function axe(p: Page, name: string) {
    // A dialog still fading in has blended colours: check what the user sees once it settles.
    await p.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await p.evaluate(axeSource);
    const result = (await p.evaluate(() =>
      (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe.run(document, {
        resultTypes: ["violations"],
      }),
    )) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 3)
            .join(" | ")}`,
      );
    assert.deepEqual(bad, [], `axe on ${name}`);
  }

  async function noValueIn(p: Page, where: string) {
    const html = await p.content();
    const storage = await p.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
    );
    for (const value of planted) {
      assert.ok(!html.includes(value), `${where}: a secret value is in the DOM`);
      assert.ok(!storage.includes(value), `${where}: a secret value is in web storage`);
    }
  }

  async function signIn(p: Page, token: string) {
    await p.goto(`${base}/login`);
    const field = p.getByLabel("API token");
    await field.fill(token);
    await field.press("Enter");
    await p.getByRole("heading", { name: "Credentials" }).waitFor();
  }

  async function openCreate(p: Page) {
    await p.getByRole("button", { name: "Create secret" }).first().click();
    const dialog = p.getByRole("dialog", { name: "Create secret" });
    await dialog.waitFor();
    return dialog;
  }

  async function submitAndClose(p: Page, dialog: ReturnType<Page["getByRole"]>, button: string) {
    await dialog.getByRole("button", { name: button }).click();
    await dialog.waitFor({ state: "hidden" });
    await p
      .getByRole("status")
      .filter({ hasText: /^(Created|Saved|Deleted)/ })
      .waitFor();
  }

  async function runWorkflow(): Promise<{ id: string; returns: Record<string, string> }> {
    const res = await api("POST", "/api/v1/workspaces/default/workflows/ui_check/runs?wait=true", {});
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.status, "succeeded", JSON.stringify(res.json));
    return res.json;
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), "coffer-e2e-"));
    const keys = join(home, "pems");
    mkdirSync(keys);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", join(keys, "id")]);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(keys, "client.key"),
        "-out",
        join(keys, "client.pem"),
        "-subj",
        "/CN=coffer-e2e-client",
        "-days",
        "20",
      ],
      { stdio: "ignore" },
    );
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(keys, "ca.key"),
        "-out",
        join(keys, "ca.pem"),
        "-subj",
        "/CN=coffer-e2e-ca",
        "-days",
        "400",
      ],
      { stdio: "ignore" },
    );
    pem.ssh = readFileSync(join(keys, "id"), "utf8");
    pem.cert = readFileSync(join(keys, "client.pem"), "utf8");
    pem.key = readFileSync(join(keys, "client.key"), "utf8");
    pem.ca = readFileSync(join(keys, "ca.pem"), "utf8");
    planted.push(...Object.values(values), pemLine(pem.ssh), pemLine(pem.key), pemLine(pem.cert), pemLine(pem.ca));

    server = spawn(process.execPath, [join(root, "packages/server/bin/coffer.cjs"), "serve", "--port", "0"], {
      cwd: root,
      env: serverEnv(join(home, "coffer")),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      serverOutput += chunk.toString();
    };
    server.stdout!.on("data", collect);
    server.stderr!.on("data", collect);
    const started = Date.now();
    while (!/Web UI at (http:\/\/[^/\s]+)\//.test(serverOutput)) {
      if (server.exitCode !== null || Date.now() - started > 90_000) {
        throw new Error(`coffer serve did not start with the web UI:\n${serverOutput}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    base = /Web UI at (http:\/\/[^/\s]+)\//.exec(serverOutput)![1]!;
    tokens.admin = readFileSync(join(home, "coffer", "admin.token"), "utf8").trim();
    for (const role of ["editor", "viewer"] as const) {
      const res = await api("POST", "/api/v1/workspaces/default/tokens", { role, name: `e2e ${role}` });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      tokens[role] = res.json.token;
    }
    const workflow = [
      "title: UI check",
      "description: Uses the slack secret from the web UI test",
      "entrypoint: {}",
      "actions:",
      "  - ref: use_slack",
      "    action: core.transform.reshape",
      "    args:",
      "      value:",
      "        bot: ${{ FN.hash_sha256(SECRETS.slack.SLACK_BOT_TOKEN) }}",
      "        signing: ${{ FN.hash_sha256(SECRETS.slack.SLACK_SIGNING_SECRET) }}",
      '        echoed: "token ${{ SECRETS.slack.SLACK_BOT_TOKEN }}"',
      "returns:",
      "  bot: ${{ ACTIONS.use_slack.result.bot }}",
      "  signing: ${{ ACTIONS.use_slack.result.signing }}",
      "  echoed: ${{ ACTIONS.use_slack.result.echoed }}",
    ].join("\n");
    const deployed = await api("POST", "/api/v1/workspaces/default/workflows", {
      definition: workflow,
      alias: "ui_check",
    });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.json));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await newPage();
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  // A failed step must not leave a dialog over the page for the next one.
  afterEach(async () => {
    for (let i = 0; i < 3 && page && (await page.getByRole("dialog").count()) > 0; i++) {
      await page.keyboard.press("Escape");
      await page.waitForTimeout(300);
    }
  });

  test("sign in with a pasted token (Enter): the header shows the token's workspace and role", async () => {
    await page.goto(`${base}/credentials`);
    await page.waitForURL(/\/login$/);
    await axe(page, "/login");
    await shot(page, "01-login");
    await signIn(page, tokens.admin);
    assert.match(await page.getByTestId("identity").innerText(), /Workspace default/);
    await page.getByLabel("Role admin").waitFor();
    assert.ok(!page.url().includes(tokens.admin));
    const storage = await page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
    assert.equal(storage.session["coffer.token"], tokens.admin, "the token is in session storage");
    assert.ok(!JSON.stringify(storage.local).includes(tokens.admin), "and not in local storage");
    await axe(page, "/credentials (empty)");
  });

  test("create a custom secret with key rows (password fields with reveal)", async () => {
    const dialog = await openCreate(page);
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("slack");
    await dialog.getByLabel("Key 1 name").fill("SLACK_BOT_TOKEN");
    await dialog.getByLabel("Key 1 value").fill(values.botToken);
    assert.equal(await dialog.getByLabel("Key 1 value").getAttribute("type"), "password");
    await dialog.getByRole("button", { name: "Add key" }).click();
    await dialog.getByLabel("Key 2 name").fill("SLACK_SIGNING_SECRET");
    await dialog.getByLabel("Key 2 value").fill(values.signing);
    await dialog.getByLabel("Description").fill("Slack bot for #secops");
    await dialog.getByLabel("Tags").fill("team=secops");
    await axe(page, "create form (custom)");
    await shot(page, "02-create-custom");
    await submitAndClose(page, dialog, "Create secret");
    await page.getByTestId("secret-slack-default").waitFor();
    await noValueIn(page, "after creating slack");
  });

  test("ssh_key: a bad PEM shows the server's message beside its field; a generated key is accepted", async () => {
    const dialog = await openCreate(page);
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("deploy_key");
    await dialog.getByRole("combobox", { name: "Type" }).selectOption("ssh_key");
    const field = dialog.getByLabel(/PRIVATE_KEY/);
    await field.fill("-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n");
    await dialog.getByRole("button", { name: "Create secret" }).click();
    await page.waitForFunction(() => document.querySelector("textarea[aria-invalid='true']") !== null, undefined, {
      timeout: 15_000,
    });
    const errorId = ((await field.getAttribute("aria-describedby")) ?? "")
      .split(" ")
      .find((id) => id.endsWith("-error"));
    assert.ok(errorId, "the key field is described by an error");
    const message = await page.locator(`[id="${errorId}"]`).innerText();
    assert.match(message, /key/i, message);
    assert.equal(await dialog.getByRole("alert").count(), 0, "the message is at the field, not in a form alert");
    await shot(page, "03-create-ssh-key-bad-pem");
    await field.fill(pem.ssh!);
    await axe(page, "create form (ssh_key)");
    await shot(page, "04-create-ssh-key");
    await submitAndClose(page, dialog, "Create secret");
    await page.getByTestId("secret-deploy_key-default").waitFor();
    await noValueIn(page, "after creating deploy_key");
  });

  test("mtls (certificate + key) and ca_cert (bundle) are created; their facts and expiry badge show", async () => {
    let dialog = await openCreate(page);
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("client_tls");
    await dialog.getByRole("combobox", { name: "Type" }).selectOption("mtls");
    await dialog.getByLabel(/TLS_CERTIFICATE/).fill(pem.cert!);
    await dialog.getByLabel(/TLS_PRIVATE_KEY/).fill(pem.key!);
    await shot(page, "05-create-mtls");
    await submitAndClose(page, dialog, "Create secret");
    dialog = await openCreate(page);
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("corp_ca");
    await dialog.getByRole("combobox", { name: "Type" }).selectOption("ca_cert");
    await dialog.getByLabel(/CA_CERTIFICATE/).fill(pem.ca!);
    await shot(page, "06-create-ca-cert");
    await submitAndClose(page, dialog, "Create secret");
    const tls = page.getByTestId("secret-client_tls-default");
    await tls.waitFor();
    assert.match(await tls.innerText(), /coffer-e2e-client/, "the certificate's subject is shown");
    const stored = await api("GET", "/api/v1/workspaces/default/secrets/by-name/client_tls");
    if (stored.json.expiry.state === "expiring") {
      assert.match(await tls.innerText(), new RegExp(`expires in ${stored.json.expiry.days_left} days`, "i"));
    }
    await page.getByTestId("secret-corp_ca-default").waitFor();
    await noValueIn(page, "after creating client_tls and corp_ca");
  });

  test("configure a pre-built credential: the form opens with its name, type and keys", async () => {
    const defs = await api("GET", "/api/v1/workspaces/default/secrets/definitions");
    const def = (defs.json.items as { name: string; keys: string[]; secret_type: string }[]).find(
      (d) => d.secret_type === "custom" && d.keys.length > 0 && d.name !== "slack",
    );
    assert.ok(def, "the registry declares a custom secret");
    prebuiltName = def.name;
    await page.getByRole("tab", { name: "Pre-built credentials" }).click();
    const card = page.getByTestId(`definition-${def.name}`);
    await card.waitFor();
    await axe(page, "pre-built credentials");
    await card.getByRole("button", { name: `Configure ${def.name}` }).click();
    const dialog = page.getByRole("dialog", { name: "Create secret" });
    await dialog.waitFor();
    assert.equal(await dialog.getByRole("textbox", { name: "Name", exact: true }).inputValue(), def.name);
    for (const [i, key] of def.keys.entries()) {
      assert.equal(await dialog.getByLabel(`Key ${i + 1} name`).inputValue(), key);
      // values.prebuilt is planted, so every value it starts is hunted too.
      await dialog.getByLabel(`Key ${i + 1} value`).fill(`${values.prebuilt}${i}`);
    }
    // Optional keys are offered too; leave them out.
    for (let i = (await dialog.getByLabel(/^Key \d+ name$/).count()) - 1; i >= def.keys.length; i--) {
      await dialog
        .getByRole("button", { name: /^Remove key/ })
        .nth(i)
        .click();
    }
    await submitAndClose(page, dialog, "Create secret");
    await page.getByRole("tab", { name: "Pre-built credentials" }).click();
    await card.getByText("default: configured").waitFor();
    await page.getByRole("tab", { name: "Secrets" }).click();
    await noValueIn(page, "after configuring a pre-built credential");
  });

  test("the inventory shows everything at 1280 px, 390 px and in the dark theme, with copy buttons for expressions", async () => {
    const group = page.getByTestId("secret-slack-default");
    await group.waitFor();
    const text = (await group.textContent()) ?? "";
    for (const part of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "team=secops", "version 1 of 1", "default"]) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
    await group.getByRole("button", { name: "Copy $" + "{{ SECRETS.slack.SLACK_BOT_TOKEN }}" }).waitFor();
    await axe(page, "/credentials (inventory)");
    await shot(page, "07-inventory-1280");
    const mobile = await newPage(390, 844, "dark");
    await signIn(mobile, tokens.admin);
    await mobile.getByTestId("secret-slack-default").waitFor();
    await axe(mobile, "/credentials at 390 px, dark");
    await shot(mobile, "08-inventory-390-dark");
    await mobile.close();
    await page.getByLabel("Name starts with").fill("deploy");
    await page.getByTestId("secret-slack-default").waitFor({ state: "detached" });
    await page.getByTestId("secret-deploy_key-default").waitFor();
    await page.getByLabel("Name starts with").fill("");
    await page.getByTestId("secret-slack-default").waitFor();
  });

  test("edit with a blank value keeps it (proved by a run); history lists versions and Restore brings one back", async () => {
    const first = await runWorkflow();
    assert.equal(first.returns.bot, sha256(values.botToken));
    assert.equal(first.returns.signing, sha256(values.signing));
    assert.equal(first.returns.echoed, "token ***", "the run's result is masked");

    await page.getByRole("button", { name: "Edit slack in default" }).click();
    const dialog = page.getByRole("dialog", { name: "slack in default" });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel("Key 1 value").inputValue(), "", "values start empty");
    await dialog.getByLabel("Key 2 value").fill(values.signing2);
    await axe(page, "edit form");
    await submitAndClose(page, dialog, "Save changes");
    await noValueIn(page, "after editing slack");
    const second = await runWorkflow();
    assert.equal(second.returns.bot, sha256(values.botToken), "the blank value was kept");
    assert.equal(second.returns.signing, sha256(values.signing2), "the new value is used");

    await page.getByRole("button", { name: "History of slack in default" }).click();
    await dialog.waitFor();
    await dialog.getByTestId("version-2").waitFor();
    assert.match(await dialog.getByTestId("version-1").innerText(), /SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET/);
    await axe(page, "history tab");
    await shot(page, "09-history");
    await dialog.getByRole("button", { name: "Restore version 1" }).click();
    await dialog.getByText("Restored: version 3 is now current.").waitFor();
    const third = await runWorkflow();
    assert.equal(third.returns.signing, sha256(values.signing), "version 1's value is current again");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.getByTestId("secret-slack-default").getByText("version 3 of 3").waitFor();
  });

  test("delete asks for confirmation naming the secret and its environment", async () => {
    await page.getByRole("button", { name: "Delete corp_ca in default" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete secret" });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /corp_ca[\s\S]*in environment[\s\S]*default/);
    await axe(page, "delete confirmation");
    await dialog.getByRole("button", { name: "Delete corp_ca in default" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByTestId("secret-corp_ca-default").waitFor({ state: "detached" });
    assert.equal((await api("GET", "/api/v1/workspaces/default/secrets/by-name/corp_ca")).status, 404);
  });

  test("a run appears on /runs and its page shows each action, masked", async () => {
    await page.getByRole("link", { name: "Runs" }).click();
    await page.getByRole("heading", { name: "Runs" }).waitFor();
    const rows = page.getByRole("row").filter({ hasText: "UI check" });
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    await axe(page, "/runs");
    await shot(page, "10-runs");
    await rows.first().getByRole("link", { name: "UI check" }).click();
    const action = page.getByTestId("action-use_slack");
    await action.waitFor();
    const text = (await action.textContent()) ?? "";
    assert.match(text, /succeeded/);
    assert.match(text, /token \*\*\*/);
    assert.match(text, /1 attempt/);
    await axe(page, "run page");
    await shot(page, "11-run");
    await noValueIn(page, "on the run page");
  });

  test("a viewer sees no write control; an editor may write but not delete or restore", async () => {
    const viewer = await newPage();
    await signIn(viewer, tokens.viewer);
    await viewer.getByTestId("secret-slack-default").waitFor();
    for (const name of ["Create secret", "Edit", "Delete", "Configure", "Add key"]) {
      assert.equal(
        await viewer.getByRole("button", { name: new RegExp(`^${name}`) }).count(),
        0,
        `viewer sees ${name}`,
      );
    }
    await viewer.getByRole("button", { name: "History of slack in default" }).click();
    await viewer.getByTestId("version-1").waitFor();
    assert.equal(await viewer.getByRole("button", { name: /^Restore/ }).count(), 0);
    await viewer.keyboard.press("Escape");
    await viewer.getByRole("tab", { name: "Pre-built credentials" }).click();
    await viewer.getByTestId(`definition-${prebuiltName}`).waitFor();
    assert.equal(await viewer.getByRole("button", { name: /^Configure/ }).count(), 0);
    await viewer.goto(`${base}/runs`);
    await viewer.getByRole("row").filter({ hasText: "UI check" }).first().waitFor();
    await shot(viewer, "12-viewer");
    await viewer.close();

    const editor = await newPage();
    await signIn(editor, tokens.editor);
    await editor.getByRole("button", { name: "Edit slack in default" }).waitFor();
    assert.equal(await editor.getByRole("button", { name: /^Delete/ }).count(), 0);
    await editor.close();
  });

  test("no secret value in any network response, in the console, or in the server's output; no CSP violation", async () => {
    const bodies = await Promise.all(responses);
    assert.ok(bodies.length > 20, `${bodies.length} responses seen`);
    for (const value of planted) {
      assert.ok(!bodies.some((b) => b.includes(value)), "a secret value is in a network response");
      assert.ok(!consoleLines.some((l) => l.includes(value)), "a secret value is in the console");
      assert.ok(!serverOutput.includes(value), "a secret value is in the server's output");
    }
    assert.ok(!consoleLines.some((l) => l.includes(tokens.admin)), "the token is in the console");
    assert.deepEqual(
      consoleLines.filter((l) => /Content Security Policy|pageerror/.test(l)),
      [],
      "the pages run under the CSP without a violation or an uncaught error",
    );
  });
});
