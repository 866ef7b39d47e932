import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { ApiError, type CreateSecretBody, type Secret, type UpdateSecretBody } from "../../api/client";
import { renderUi } from "../../test/render";
import { CreateSecretForm, EditSecretForm } from "./secret-form";

const name = () => screen.getByRole("textbox", { name: /^Name/ });

function createForm(
  onSubmit = vi.fn(async (_: CreateSecretBody) => {}),
  prefill?: Parameters<typeof CreateSecretForm>[0]["prefill"],
) {
  renderUi(
    <CreateSecretForm environments={["default", "prod"]} onSubmit={onSubmit} onCancel={() => {}} prefill={prefill} />,
  );
  return onSubmit;
}

async function chooseType(user: ReturnType<typeof userEvent.setup>, label: string) {
  await user.selectOptions(screen.getByRole("combobox", { name: "Type" }), label);
}

describe("create form", () => {
  test("the name is checked against the API's rule as you type", async () => {
    const user = userEvent.setup();
    createForm();
    await user.type(name(), "Slack-Bot");
    expect(name()).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/Use lowercase letters, digits and underscores.*\(e\.g\. slack_bot\)/)).toBeTruthy();
    await user.clear(name());
    await user.type(name(), "slack_bot");
    expect(name()).not.toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Used as $" + "{{ SECRETS.slack_bot.KEY }}")).toBeTruthy();
  });

  test("a custom secret needs key names and values; nothing is sent until they are there", async () => {
    const user = userEvent.setup();
    const onSubmit = createForm();
    await user.type(name(), "slack");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("Give the key a name.")).toBeTruthy();
    expect(screen.getByText("Enter a value.")).toBeTruthy();
    await user.type(screen.getByLabelText("Key 1 name"), "SLACK_BOT_TOKEN");
    await user.type(screen.getByLabelText("Key 1 value"), "xoxb-123");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "slack",
      type: "custom",
      environment: "default",
      keys: [{ key: "SLACK_BOT_TOKEN", value: "xoxb-123" }],
    });
  });

  test("values are password fields with a reveal toggle; rows can be added and removed", async () => {
    const user = userEvent.setup();
    createForm();
    const value = screen.getByLabelText("Key 1 value");
    expect(value).toHaveAttribute("type", "password");
    await user.type(value, "hunter2");
    await user.click(screen.getByRole("button", { name: "Show value of key 1" }));
    expect(screen.getByLabelText("Key 1 value")).toHaveAttribute("type", "text");
    expect(screen.getByRole("button", { name: "Remove key 1" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Add key" }));
    await user.type(screen.getByLabelText("Key 2 name"), "SECOND");
    expect(screen.getByLabelText("Key 2 value")).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Remove key SECOND" }));
    expect(screen.queryByLabelText("Key 2 name")).toBeNull();
  });

  test("a pasted .env block fills the rows and the block is cleared", async () => {
    const user = userEvent.setup();
    const onSubmit = createForm();
    await user.type(name(), "svc");
    await user.click(screen.getByRole("button", { name: "Paste a .env block" }));
    const block = screen.getByLabelText(".env block");
    await user.click(block);
    await user.paste('# comment\nexport API_KEY="abc def"\nAPI_URL=https://x.example # trailing\n');
    await user.click(screen.getByRole("button", { name: "Add keys from .env" }));
    expect(screen.queryByLabelText(".env block")).toBeNull();
    expect(screen.getByLabelText("Key 1 name")).toHaveValue("API_KEY");
    expect(screen.getByLabelText("Key 2 name")).toHaveValue("API_URL");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit.mock.calls[0]![0].keys).toEqual([
      { key: "API_KEY", value: "abc def" },
      { key: "API_URL", value: "https://x.example" },
    ]);
  });

  test("ssh_key shows one PEM area (with upload) instead of key/value rows; the server's message lands beside it", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, "invalid_ssh_key", "The SSH private key is not a PEM or OpenSSH key.", {
        type: "ssh_key",
        key: "PRIVATE_KEY",
        reason: "parse",
      });
    });
    createForm(onSubmit);
    await user.type(name(), "deploy_key");
    await chooseType(user, "SSH private key");
    expect(screen.queryByLabelText("Key 1 name")).toBeNull();
    expect(screen.getByRole("button", { name: "Upload key file" })).toBeTruthy();
    const pem = screen.getByLabelText(/PRIVATE_KEY/);
    await user.click(pem);
    await user.paste("not a key");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    await waitFor(() => expect(pem).toHaveAttribute("aria-invalid", "true"));
    expect(pem.getAttribute("aria-describedby") ?? "").not.toBe("");
    const describedBy = document.getElementById(
      (pem.getAttribute("aria-describedby") ?? "").split(" ").find((id) => id.endsWith("-error")) ?? "",
    );
    expect(describedBy?.textContent).toBe("The SSH private key is not a PEM or OpenSSH key.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  test("mtls has certificate and key areas; a mismatch is shown at the key", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn(async (_body: CreateSecretBody) => {
      throw new ApiError(422, "mtls_key_mismatch", "The private key does not belong to the certificate.", {});
    });
    createForm(onSubmit);
    await user.type(name(), "client_tls");
    await chooseType(user, "mTLS certificate + key");
    await user.click(screen.getByLabelText(/TLS_CERTIFICATE/));
    await user.paste("CERT");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("Paste the PEM text.")).toBeTruthy();
    await user.click(screen.getByLabelText(/TLS_PRIVATE_KEY/));
    await user.paste("KEY");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({
      type: "mtls",
      keys: [
        { key: "TLS_CERTIFICATE", value: "CERT" },
        { key: "TLS_PRIVATE_KEY", value: "KEY" },
      ],
    });
    await waitFor(() => expect(screen.getByLabelText(/TLS_PRIVATE_KEY/)).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByLabelText(/TLS_CERTIFICATE/)).not.toHaveAttribute("aria-invalid", "true");
  });

  test("a name that exists shows the server's message at the name; an unplaced error shows as an alert", async () => {
    const user = userEvent.setup();
    let call = 0;
    const onSubmit = vi.fn(async () => {
      call++;
      if (call === 1)
        throw new ApiError(409, "secret_exists", "Secret 'ca' already exists in environment 'default'.", {});
      throw new ApiError(413, "body_too_large", "The request body is larger than 1 MiB.", {});
    });
    createForm(onSubmit);
    await user.type(name(), "ca");
    await chooseType(user, "CA certificate bundle");
    await user.click(screen.getByLabelText(/CA_CERTIFICATE/));
    await user.paste("PEM");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(await screen.findByText("Secret 'ca' already exists in environment 'default'.")).toBeTruthy();
    expect(name()).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("The request body is larger than 1 MiB.")).toBeTruthy();
  });

  test("Configure opens it with the pre-built credential's name, type and key names filled in", async () => {
    const user = userEvent.setup();
    const onSubmit = createForm(undefined, { name: "virustotal", type: "custom", keys: ["VIRUSTOTAL_API_KEY"] });
    expect(name()).toHaveValue("virustotal");
    expect(screen.getByLabelText("Key 1 name")).toHaveValue("VIRUSTOTAL_API_KEY");
    await user.type(screen.getByLabelText("Key 1 value"), "vt");
    await user.click(screen.getByRole("button", { name: "Create secret" }));
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({
      name: "virustotal",
      keys: [{ key: "VIRUSTOTAL_API_KEY", value: "vt" }],
    });
  });

  test("a new environment is checked by the environment rule", async () => {
    const user = userEvent.setup();
    createForm();
    const env = screen.getByLabelText(/^Environment/, { selector: "input" });
    await user.clear(env);
    await user.type(env, "Prod EU");
    expect(env).toHaveAttribute("aria-invalid", "true");
  });
});

const stored: Secret = {
  id: "sec_1",
  name: "slack",
  type: "custom",
  environment: "prod",
  description: "bot",
  tags: { team: "secops" },
  keys: ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"],
  version: 2,
  version_count: 2,
  status: "ok",
  expires_at: null,
  expiry: { state: "none", days_left: null },
  metadata: {},
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-02T00:00:00Z",
  updated_by: "token:admin",
};

describe("edit form", () => {
  test("values start empty and a blank one is sent blank (kept); stored key names are fixed", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn(async (_: UpdateSecretBody) => {});
    renderUi(<EditSecretForm secret={stored} onSubmit={onSubmit} onCancel={() => {}} />);
    expect(screen.getByLabelText("Key 1 name")).toHaveValue("SLACK_BOT_TOKEN");
    expect(screen.getByLabelText("Key 1 name")).toHaveAttribute("readonly");
    expect(screen.getByLabelText("Key 1 value")).toHaveValue("");
    expect(screen.getAllByPlaceholderText("Leave blank to keep")).toHaveLength(2);
    await user.type(screen.getByLabelText("Key 2 value"), "new-signing");
    await user.click(screen.getByRole("button", { name: "Add key" }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("Enter a value.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Remove key 3" }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(onSubmit).toHaveBeenCalledWith({
      description: "bot",
      tags: { team: "secops" },
      expires_at: null,
      keys: [
        { key: "SLACK_BOT_TOKEN", value: "" },
        { key: "SLACK_SIGNING_SECRET", value: "new-signing" },
      ],
    });
  });

  test("a structured secret keeps its fixed key and may be saved with the PEM left blank", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn(async (_: UpdateSecretBody) => {});
    renderUi(
      <EditSecretForm
        secret={{ ...stored, type: "ssh_key", keys: ["PRIVATE_KEY"] }}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    expect(screen.queryByRole("button", { name: "Add key" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(onSubmit.mock.calls[0]![0].keys).toEqual([{ key: "PRIVATE_KEY", value: "" }]);
  });
});
