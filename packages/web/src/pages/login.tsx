import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, unwrap, type Whoami } from "../api/client";
import { navigate } from "../router";
import { setToken } from "../session";

/** Asks the server who a token is, before it is stored. */
function whoamiOf(token: string): Promise<Whoami> {
  return unwrap(api.GET("/api/v1/whoami", { headers: { authorization: `Bearer ${token}` } }));
}

export function LoginPage() {
  const queryClient = useQueryClient();
  const [token, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [signedIn, setSignedIn] = useState<Whoami | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed === "") {
      setError("Paste an API token (e.g. from $COFFER_HOME/admin.token or `coffer tokens create`).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await whoamiOf(trimmed);
      setToken(trimmed);
      setValue("");
      queryClient.setQueryData(["whoami", trimmed], me);
      setSignedIn(me);
      navigate("/credentials");
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? `${e.message} Check that you pasted the whole token.`
          : e instanceof Error
            ? e.message
            : "Sign-in failed.",
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={460}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to Coffer
            </Title>
            <Text size="sm" c="dimmed">
              Paste an API token and press Enter. It is kept in this tab's session storage only.
            </Text>
            <PasswordInput
              label="API token"
              name="token"
              autoComplete="off"
              spellCheck={false}
              value={token}
              onChange={(e) => setValue(e.currentTarget.value)}
              error={error}
              data-autofocus
              autoFocus
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
            {signedIn && (
              <Alert color="green" role="status">
                Signed in to workspace {signedIn.workspace.slug} as {signedIn.role}.
              </Alert>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
