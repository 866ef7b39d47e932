import { createTheme } from "@mantine/core";

// Blue 8 on white and blue 4 on dark keep text and buttons above WCAG AA contrast.
export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: { light: 8, dark: 4 },
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  defaultRadius: "sm",
});
