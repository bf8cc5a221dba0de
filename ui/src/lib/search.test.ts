import { describe, expect, it } from "vitest";
import { dayAfter, journalQuery, queryFor } from "./search";

const empty = { search: "", mode: "auto", from: "", to: "", terminal: "", batch: "", outcome: "", kind: "" } as const;

describe("queryFor", () => {
  it("guesses the field from what was typed", () => {
    expect(queryFor("")).toEqual({});
    expect(queryFor(" 7 ")).toEqual({ voucher: "7" });
    expect(queryFor("600000000012")).toEqual({ rrn: "600000000012" });
    expect(queryFor("255.05")).toEqual({ amount_minor: 25505 });
    expect(queryFor("a1b2c3")).toEqual({ auth_code: "A1B2C3" });
    expect(queryFor("演示商店")).toEqual({ text: "演示商店" });
  });
  it("uses the field chosen when there is one", () => {
    expect(queryFor("0733", "last4")).toEqual({ last4: "0733" });
    expect(queryFor("552233******0733", "last4")).toEqual({ last4: "0733" });
    expect(queryFor("907880", "auth")).toEqual({ auth_code: "907880" });
    expect(queryFor("1,234.5", "amount")).toEqual({ amount_minor: 123450 });
    expect(queryFor("12", "text")).toEqual({ text: "12" });
  });
});

describe("journalQuery", () => {
  it("makes the end date inclusive for the owner and exclusive for the core", () => {
    expect(dayAfter("2026-11-30")).toBe("2026-12-01");
    expect(dayAfter("2028-02-28")).toBe("2028-02-29");
    expect(journalQuery({ ...empty, from: "2026-11-01", to: "2026-11-30" })).toEqual({
      from: "2026-11-01T00:00:00",
      to: "2026-12-01T00:00:00",
    });
  });
  it("adds only the filters that are set, batch padded to six digits", () => {
    expect(journalQuery({ ...empty })).toEqual({});
    expect(journalQuery({ ...empty, search: "7", terminal: "10000001", batch: " 3 ", outcome: "declined", kind: "refund" })).toEqual({
      voucher: "7",
      terminal: "10000001",
      batch: "000003",
      outcome: "declined",
      kind: "refund",
    });
  });
});
