import { describe, expect, it } from "vitest";
import { formatMoney } from "./format";
import { setLang } from "./i18n.svelte";
import { toAppError } from "./ipc";

describe("formatMoney", () => {
  it("formats fen exactly", () => {
    setLang("en");
    expect(formatMoney({ minor: 1250, currency: "CNY" })).toBe("RMB 12.50");
    expect(formatMoney({ minor: 5, currency: "CNY" })).toBe("RMB 0.05");
    expect(formatMoney({ minor: -101, currency: "CNY" })).toBe("RMB -1.01");
    expect(formatMoney({ minor: 300, currency: "JPY" })).toBe("JPY 300");
  });
  it("writes yuan the Chinese way on the Chinese screens", () => {
    setLang("zh");
    expect(formatMoney({ minor: 25531, currency: "CNY" })).toBe("255.31 元");
    expect(formatMoney({ minor: -101, currency: "CNY" })).toBe("-1.01 元");
    setLang("en");
  });
});

describe("toAppError", () => {
  it("keeps code and message of an IPC error", () => {
    expect(toAppError({ code: "NOT_FOUND", message: "voucher 000042 is not in the journal", extra: 1 })).toEqual({
      code: "NOT_FOUND",
      message: "voucher 000042 is not in the journal",
    });
  });
  it("keeps the Chinese wording the core gave", () => {
    expect(toAppError({ code: "IO", message: "j.db: disk full", zh: "j.db：磁盘已满，请腾出空间" })).toEqual({
      code: "IO",
      message: "j.db: disk full",
      zh: "j.db：磁盘已满，请腾出空间",
    });
  });
  it("turns anything else into INTERNAL", () => {
    expect(toAppError("boom").code).toBe("INTERNAL");
    expect(toAppError(undefined)).toEqual({ code: "INTERNAL", message: "unexpected error" });
  });
});
