// The API token lives in session storage only: gone when the tab closes, never in a URL or a log.
const KEY = "coffer.token";

let memory: string | null = null;

export function getToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY) ?? memory;
  } catch {
    return memory;
  }
}

export function setToken(token: string): void {
  memory = token;
  try {
    window.sessionStorage.setItem(KEY, token);
  } catch {
    // storage refused (private mode): the token stays in memory for this page only
  }
}

export function clearToken(): void {
  memory = null;
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
