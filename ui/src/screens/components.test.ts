// Components mounted in jsdom with the Tauri IPC mocked: what they show and what they
// send, without a browser.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import ErrorBox from "./ErrorBox.svelte";
import Journal from "./Journal.svelte";
import { setLang } from "../lib/i18n.svelte";

// jsdom lays nothing out and has no ResizeObserver (bind:clientHeight uses one): the
// journal then assumes a window of ordinary height.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

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
      if (cmd === "search_journal") return { total: 1, more: false, offset: 0, items: [row] };
      if (cmd === "terminals") return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const target = document.body.appendChild(document.createElement("div"));
    const c = mount(Journal, { target, props: { reprint: vi.fn() } });
    const search = target.querySelector<HTMLInputElement>("[data-testid=search]")!;
    search.value = "255.05";
    search.dispatchEvent(new Event("input", { bubbles: true }));
    for (let i = 0; i < 50 && !target.querySelector("[data-testid=journal] tbody tr.row"); i++) await tick().then(() => new Promise((r) => setTimeout(r, 10)));
    const last = calls.filter((x) => x.cmd === "search_journal").pop();
    // The form as typed: the core reads "255.05" as an amount (crates/app/src/find.rs).
    expect(last?.args).toEqual({
      form: { search: "255.05", mode: "auto", from: "", to: "", terminal: "", batch: "", outcome: null, kind: null, around: "", offset: 0, limit: 100, upto_id: null },
    });
    const text = target.querySelector("[data-testid=journal]")!.textContent!;
    expect(text).toContain("Refund");
    expect(text).toContain("000001 ✓");
    unmount(c);
  });

  it("shows the answer to the latest search even when an earlier one comes back after it", async () => {
    setLang("en");
    const row = (trace_no: string, id: number) => ({
      id,
      txn: {
        terminal_id: "10000001", merchant_id: "898310048990001", batch_no: "000001", trace_no, kind: "sale",
        outcome: "approved", amount: { minor: 100, currency: "CNY" }, occurred_at: "2026-11-20T08:03:21",
      },
      recorded_at: "2026-11-20T00:03:22Z",
      settled: false,
    });
    // The first question ("1") is answered last, long after the second ("123").
    mockIPC(async (cmd, args) => {
      if (cmd === "terminals") return [];
      if (cmd !== "search_journal") throw new Error(`unexpected ${cmd}`);
      const q = { voucher: (args as { form: { search: string } }).form.search };
      if (q.voucher === "1") {
        await new Promise((r) => setTimeout(r, 150));
        return { total: 1, more: false, offset: 0, items: [row("000777", 777)] };
      }
      if (q.voucher === "123") return { total: 1, more: false, offset: 0, items: [row("000123", 123)] };
      return { total: 0, more: false, offset: 0, items: [] };
    });
    const target = document.body.appendChild(document.createElement("div"));
    const c = mount(Journal, { target, props: { reprint: vi.fn() } });
    const search = target.querySelector<HTMLInputElement>("[data-testid=search]")!;
    const typeIn = async (v: string) => {
      search.value = v;
      search.dispatchEvent(new Event("input", { bubbles: true }));
      flushSync();
      await tick();
    };
    await typeIn("1");
    await typeIn("123");
    await new Promise((r) => setTimeout(r, 300));
    const text = target.querySelector("[data-testid=journal]")!.textContent!;
    expect(text, "the late answer to '1' must not replace the answer to '123'").toContain("000123");
    expect(text).not.toContain("000777");
    unmount(c);
  });
});
