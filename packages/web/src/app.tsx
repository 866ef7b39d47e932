import {
  ActionIcon,
  Anchor,
  AppShell,
  Badge,
  Button,
  Group,
  MantineProvider,
  Text,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, api, unwrap, type Whoami } from "./api/client";
import { CredentialsPage } from "./pages/credentials/credentials-page";
import { LoginPage } from "./pages/login";
import { RunPage, RunsPage } from "./pages/runs/runs-page";
import { Link, navigate, usePath } from "./router";
import { clearToken, getToken } from "./session";
import { cssVariablesResolver, theme } from "./theme";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

export function App({ nonce, client }: { nonce?: string | undefined; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      {...(nonce ? { getStyleNonce: () => nonce } : {})}
    >
      <QueryClientProvider client={queryClient}>
        <Routes />
      </QueryClientProvider>
    </MantineProvider>
  );
}

/** Who the stored token is; a 401 signs out. */
export function useWhoami() {
  return useQuery({
    queryKey: ["whoami", getToken()],
    queryFn: () => unwrap(api.GET("/api/v1/whoami")),
    enabled: getToken() !== null,
    staleTime: 60_000,
  });
}

function Routes() {
  const path = usePath();
  const token = getToken();
  useEffect(() => {
    if (!token && path !== "/login") navigate("/login", { replace: true });
    else if (token && (path === "/" || path === "/login")) navigate("/credentials", { replace: true });
  }, [path, token]);
  useEffect(() => {
    document.title = path.startsWith("/runs")
      ? "Runs · Coffer"
      : path.startsWith("/login")
        ? "Sign in · Coffer"
        : "Credentials · Coffer";
  }, [path]);
  if (path === "/login" || !token) return <LoginPage />;
  return <SignedIn path={path} />;
}

function SignedIn({ path }: { path: string }) {
  const whoami = useWhoami();
  const queryClient = useQueryClient();
  const signOut = () => {
    clearToken();
    queryClient.clear();
    navigate("/login");
  };
  useEffect(() => {
    if (whoami.error instanceof ApiError && whoami.error.status === 401) signOut();
  });
  if (!whoami.data) {
    return (
      <Text p="md" role="status">
        {whoami.error ? whoami.error.message : "Loading…"}
      </Text>
    );
  }
  const me = whoami.data;
  let page: ReactNode;
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) page = <RunPage me={me} runId={decodeURIComponent(run[1]!)} />;
  else if (path.startsWith("/runs")) page = <RunsPage me={me} />;
  else page = <CredentialsPage me={me} />;
  return (
    <Shell me={me} path={path} onSignOut={signOut}>
      {page}
    </Shell>
  );
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme("light");
  const next = computed === "dark" ? "light" : "dark";
  return (
    <ActionIcon variant="default" size="lg" aria-label={`Use the ${next} theme`} onClick={() => setColorScheme(next)}>
      <span aria-hidden="true">{computed === "dark" ? "☀" : "☾"}</span>
    </ActionIcon>
  );
}

function Shell({
  me,
  path,
  onSignOut,
  children,
}: {
  me: Whoami;
  path: string;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const nav = [
    { href: "/credentials", label: "Credentials" },
    { href: "/runs", label: "Runs" },
  ];
  return (
    <AppShell header={{ height: { base: 96, sm: 60 } }} padding="md">
      <a className="coffer-skip" href="#main">
        Skip to content
      </a>
      <AppShell.Header px="md" py={6}>
        <Group justify="space-between" h="100%" wrap="wrap" gap="xs">
          <Group gap="md" wrap="nowrap">
            <Text fw={700} size="lg" component="span">
              Coffer
            </Text>
            <nav aria-label="Main">
              <Group gap="sm" wrap="nowrap">
                {nav.map((item) => (
                  <Anchor
                    key={item.href}
                    component={Link}
                    href={item.href}
                    fw={path.startsWith(item.href) ? 700 : 400}
                    underline={path.startsWith(item.href) ? "always" : "hover"}
                    aria-current={path.startsWith(item.href) ? "page" : undefined}
                  >
                    {item.label}
                  </Anchor>
                ))}
              </Group>
            </nav>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" data-testid="identity">
              Workspace <b>{me.workspace.slug}</b>
            </Text>
            <Badge variant="light" aria-label={`Role ${me.role}`}>
              {me.role}
            </Badge>
            <ThemeToggle />
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
