// What the Journal screen's search box and filters mean as a query to the core.
import type { Outcome, TxnKind, TxnQuery } from "./types";

export type Mode = "auto" | "voucher" | "rrn" | "auth" | "last4" | "amount" | "text";
export type Filter = Omit<TxnQuery, "offset" | "limit">;

const minor = (s: string) => Math.round(parseFloat(s.replace(/[,，]/g, "")) * 100);

/** What the owner typed, as the query it most likely means (or as the field chosen). */
export function queryFor(input: string, as: Mode = "auto"): Filter {
  const s = input.trim();
  if (s === "") return {};
  switch (as) {
    case "voucher":
      return { voucher: s };
    case "rrn":
      return { rrn: s };
    case "auth":
      return { auth_code: s.toUpperCase() };
    case "last4":
      return { last4: s.slice(-4) };
    case "amount":
      return Number.isFinite(minor(s)) ? { amount_minor: minor(s) } : { text: s };
    case "text":
      return { text: s };
  }
  if (/^\d{1,6}$/.test(s)) return { voucher: s };
  if (/^\d{12}$/.test(s)) return { rrn: s };
  if (/^\d+\.\d{1,2}$/.test(s)) return { amount_minor: minor(s) };
  // An authorisation code mixes letters and digits: "A1B2C3".
  if (/^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{6}$/.test(s)) return { auth_code: s.toUpperCase() };
  return { text: s };
}

/** The day after a YYYY-MM-DD date: the core's `to` is exclusive. */
export function dayAfter(d: string): string {
  const next = new Date(`${d}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export interface JournalForm {
  search: string;
  mode: Mode;
  /** YYYY-MM-DD, inclusive; empty: open. */
  from: string;
  to: string;
  terminal: string;
  batch: string;
  outcome: Outcome | "";
  kind: TxnKind | "";
}

/** The whole form as one query: the search plus every filter that is set. */
export function journalQuery(f: JournalForm): Filter {
  const q: Filter = { ...queryFor(f.search, f.mode) };
  if (f.from) q.from = `${f.from}T00:00:00`;
  if (f.to) q.to = `${dayAfter(f.to)}T00:00:00`;
  if (f.terminal) q.terminal = f.terminal;
  // Batch numbers are six digits; the owner types "3" for 000003.
  if (f.batch.trim()) q.batch = f.batch.trim().padStart(6, "0");
  if (f.outcome) q.outcome = f.outcome;
  if (f.kind) q.kind = f.kind;
  return q;
}
