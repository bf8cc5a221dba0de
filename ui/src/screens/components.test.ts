// Components mounted in jsdom with the Tauri IPC mocked: what they show and what they
// send, without a browser.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import ErrorBox from "./ErrorBox.svelte";
import Journal from "./Journal.svelte";
import { setLang } from "../lib/i18n.svelte";

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

describe("ErrorBox", () => {
  it("reads as a sentence in the current language and follows a language switch", () => {
    setLang("zh");
    const target = document.body.appendChild(document.createElement("div"));
    const c = mount(ErrorBox, { target, props: { error: { code: "NOT_FOUND", message: "voucher 000051 is not in the journal" } } });
    expect(target.textContent).toContain("没有找到");
    expect(target.textContent).toContain("voucher 000051");
    setLang("en");
    flushSync();
    expect(target.textContent).toContain("Not found");
    unmount(c);
  });
});

describe("Journal", () => {
  it("asks the core for the page the search means and lists what comes back", async () => {
    setLang("en");
    const calls: { cmd: string; args: unknown }[] = [];
    const row = {
      id: 13,
      txn: {
        terminal_id: "10000001", merchant_id: "898310048990001", batch_no: "000001", trace_no: "000007", kind: "refund",
        outcome: "approved", amount: { minor: 25505, currency: "CNY" }, occurred_at: "2026-11-20T08:03:21",
      },
      recorded_at: "2026-11-20T00:03:22Z",
      settled: true,
    };
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "list_transactions") return { total: 1, more: false, offset: 0, items: [row] };
      if (cmd === "terminals") return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const target = document.body.appendChild(document.createElement("div"));
    const c = mount(Journal, { target, props: { reprint: vi.fn() } });
    const search = target.querySelector<HTMLInputElement>("[data-testid=search]")!;
    search.value = "255.05";
    search.dispatchEvent(new Event("input", { bubbles: true }));
    for (let i = 0; i < 50 && !target.querySelector("[data-testid=journal] tbody tr"); i++) await tick().then(() => new Promise((r) => setTimeout(r, 10)));
    const last = calls.filter((x) => x.cmd === "list_transactions").pop();
    expect(last?.args).toEqual({ query: { amount_minor: 25505, offset: 0, limit: 100 } });
    const text = target.querySelector("[data-testid=journal]")!.textContent!;
    expect(text).toContain("Refund");
    expect(text).toContain("000001 ✓");
    unmount(c);
  });
});
