import { afterEach, describe, expect, it, vi } from "vitest";

// The language of the window's first start: what the owner chose before, else the OS's
// language as the shell tells it (window.__OS_LOCALE__), else the webview's.
const fresh = async () => {
  vi.resetModules();
  return (await import("./i18n.svelte")).locale.lang;
};

describe("first start", () => {
  afterEach(() => {
    localStorage.clear();
    delete (globalThis as { __OS_LOCALE__?: string | null }).__OS_LOCALE__;
  });

  it("follows the OS: Chinese for zh_*, English otherwise", async () => {
    (globalThis as { __OS_LOCALE__?: string }).__OS_LOCALE__ = "zh-CN";
    expect(await fresh()).toBe("zh");
    (globalThis as { __OS_LOCALE__?: string }).__OS_LOCALE__ = "zh-TW";
    expect(await fresh()).toBe("zh");
    (globalThis as { __OS_LOCALE__?: string }).__OS_LOCALE__ = "en-GB";
    expect(await fresh()).toBe("en");
  });

  it("keeps the owner's own choice over the OS's", async () => {
    (globalThis as { __OS_LOCALE__?: string }).__OS_LOCALE__ = "zh-CN";
    localStorage.setItem("lang", "en");
    expect(await fresh()).toBe("en");
  });
});
