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
  it("reads the shell's refusal of an argument as the owner's input, naming the field", () => {
    // Tauri's words when an argument does not decode (tauri::Error::InvalidArgs), with
    // the domain's own error after them; tests/e2e/smoke.mjs checks the real shell says so.
    expect(
      toAppError('invalid args `request` for command `reprint_preview`: trace_no: only digits allowed (got "abc")'),
    ).toEqual({ code: "BAD_INPUT", message: 'trace_no: only digits allowed (got "abc")', field: "trace_no" });
    // An error that names no field of its own: the argument is the field.
    expect(toAppError("invalid args `request` for command `reprint_preview`: missing field `copy`")).toEqual({
      code: "BAD_INPUT",
      message: "missing field `copy`",
      field: "request",
    });
  });
  it("turns anything else into INTERNAL", () => {
    expect(toAppError("boom").code).toBe("INTERNAL");
    expect(toAppError(undefined)).toEqual({ code: "INTERNAL", message: "unexpected error" });
  });
});
