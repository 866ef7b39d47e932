import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test, vi } from "vitest";
import { renderUi } from "../test/render";
import { LoginPage } from "./login";

function answer(status: number, body: unknown) {
  return vi.fn(
    async (_input: Request) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("sign-in", () => {
  test("Enter submits the pasted token; it goes to session storage only and never into the URL", async () => {
    const fetch = answer(200, {
      workspace: { id: "ws_1", slug: "default" },
      role: "editor",
      token: { id: "tok_1", name: "ci" },
    });
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderUi(<LoginPage />);
    const field = screen.getByLabelText("API token");
    expect(field).toHaveAttribute("type", "password");
    await user.click(field);
    await user.paste("coffer_secret_token_value");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.sessionStorage.getItem("coffer.token")).toBe("coffer_secret_token_value"));
    const request = fetch.mock.calls[0]![0];
    expect(request.url).toMatch(/\/api\/v1\/whoami$/);
    expect(request.headers.get("authorization")).toBe("Bearer coffer_secret_token_value");
    expect(window.localStorage.length).toBe(0);
    expect(window.location.href).not.toContain("coffer_secret_token_value");
    expect(field).toHaveValue("");
  });

  test("a refused token shows the server's message beside the field and is not stored", async () => {
    vi.stubGlobal(
      "fetch",
      answer(401, { error: { code: "invalid_token", message: "The API token is not valid.", details: {} } }),
    );
    const user = userEvent.setup();
    renderUi(<LoginPage />);
    await user.type(screen.getByLabelText("API token"), "nope{Enter}");
    expect(
      await screen.findByText(/The API token is not valid\. Check that you pasted the whole token\./),
    ).toBeTruthy();
    expect(screen.getByLabelText("API token").getAttribute("aria-describedby")).toMatch(/-error/);
    expect(window.sessionStorage.getItem("coffer.token")).toBeNull();
  });

  test("an empty field says what to paste", async () => {
    const user = userEvent.setup();
    renderUi(<LoginPage />);
    await user.type(screen.getByLabelText("API token"), "{Enter}");
    expect(screen.getByText(/Paste an API token \(e\.g\./)).toBeTruthy();
  });
});
