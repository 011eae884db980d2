// Japanese by default (words a 4th grader reads, kanji with furigana), English on a toggle
// that is remembered in localStorage. Japanese strings mark furigana as {漢字|かんじ}.
import { Fragment, useSyncExternalStore, type ReactNode } from "react";
import { STRINGS, type StringKey } from "./strings";

export type Lang = "ja" | "en";
const STORAGE_KEY = "pictolab.lang";
const listeners = new Set<() => void>();

function readLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ja";
  } catch {
    return "ja";
  }
}

let current: Lang = typeof localStorage === "undefined" ? "ja" : readLang();

function storedLang(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The instructors' side: without a stored choice, follow the browser (Japanese for a
 * Japanese browser, English otherwise). The children's app stays Japanese by default: the
 * workshop is in Japanese whatever language an iPad is set to. */
export function adoptBrowserLang(): void {
  if (storedLang() === "ja" || storedLang() === "en" || typeof navigator === "undefined") return;
  const first = (navigator.languages?.[0] ?? navigator.language ?? "ja").toLowerCase();
  const lang: Lang = first.startsWith("ja") ? "ja" : "en";
  if (lang !== current) {
    current = lang;  // not stored: only a tap on the toggle is a choice
    listeners.forEach((listener) => listener());
  }
  document.documentElement.lang = lang;
}

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode: the choice lasts until reload */
  }
  document.documentElement.lang = lang;
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLang(): Lang {
  return useSyncExternalStore(subscribe, getLang, getLang);
}

const RUBY = /\{([^|{}]+)\|([^{}]+)\}/g;

/** "{写真|しゃしん}を とる" -> [<ruby>写真<rt>しゃしん</rt></ruby>, "を とる"] */
export function renderRuby(text: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(RUBY)) {
    const index = match.index ?? 0;
    if (index > last) nodes.push(text.slice(last, index));
    nodes.push(<ruby key={index}>{match[1]}<rt>{match[2]}</rt></ruby>);
    last = index + match[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

/** The text without furigana markup (for aria-labels, titles, alt text). */
export function plainText(text: string): string {
  return text.replace(RUBY, "$1");
}

function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}

export function tr(key: StringKey, lang: Lang, vars?: Record<string, string | number>): string {
  return fill(STRINGS[key][lang], vars);
}

/** Text with furigana as one inline box: inside a flex button (.big-button) each <ruby> and
 * each run of text would otherwise become its own flex item, split by the gap ("育 てる!"),
 * and WebKit lines the items up on a different baseline. */
function rubyText(text: string): ReactNode {
  const nodes = renderRuby(text);
  return nodes.some((node) => typeof node !== "string") ? <span className="rubied">{nodes}</span> : <Fragment>{nodes}</Fragment>;
}

/** A translated string, with furigana rendered. */
export function T({ k, vars }: { k: StringKey; vars?: Record<string, string | number> }) {
  const lang = useLang();
  return rubyText(tr(k, lang, vars));
}

/** Render any ja/en text with furigana markup (e.g. an error message). */
export function Rubied({ text }: { text: string }) {
  return rubyText(text);
}

export function LangToggle() {
  const lang = useLang();
  const next: Lang = lang === "ja" ? "en" : "ja";
  return (
    <button type="button" className="lang-toggle" onClick={() => setLang(next)}
            aria-label={next === "en" ? "Switch to English" : "にほんご(日本語にする)"}>
      {next === "en" ? "English" : "にほんご"}
    </button>
  );
}
