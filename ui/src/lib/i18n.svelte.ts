// The current language, switchable at runtime; defaults from the OS/browser locale.
import { messages, type Key, type Lang } from "./messages";

function initial(): Lang {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem("lang") : null;
  if (saved === "zh" || saved === "en") return saved;
  // The OS's language as the shell tells it (src-tauri: os-locale), else the webview's.
  const os = (globalThis as { __OS_LOCALE__?: string | null }).__OS_LOCALE__;
  const nav = os ?? (typeof navigator !== "undefined" ? navigator.language : "zh-CN");
  return nav.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const locale = $state<{ lang: Lang }>({ lang: initial() });

export function setLang(l: Lang) {
  locale.lang = l;
  if (typeof localStorage !== "undefined") localStorage.setItem("lang", l);
}

export function t(key: Key): string {
  return messages[locale.lang][key];
}

/** Picks the side of a bilingual {zh, en} text from the core. */
export function pick(text: { zh: string; en: string }): string {
  return locale.lang === "zh" ? text.zh : text.en;
}

/** A key built from data (a complaint, a status…); the data itself if unknown. */
export function tk(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as Key;
  return messages[locale.lang][key] ?? value;
}
