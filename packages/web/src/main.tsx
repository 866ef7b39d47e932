import "@mantine/core/styles.css";
import "./app.css";
import { setNonce } from "get-nonce";
import { createRoot } from "react-dom/client";
import { App } from "./app";

// The server puts this response's CSP nonce here; Mantine's style elements carry it.
const meta = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
const nonce = meta && !meta.startsWith("__") ? meta : undefined;
// The modal's scroll lock (react-remove-scroll) writes its style element with this nonce too.
if (nonce) setNonce(nonce);

createRoot(document.getElementById("root")!).render(<App nonce={nonce} />);
