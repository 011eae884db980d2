import { createRoot } from "react-dom/client";
import { App } from "./App";
import { getLang } from "./lib/i18n";
import "./styles.css";

document.documentElement.lang = getLang();
createRoot(document.getElementById("root")!).render(<App />);
