// The problem solver's state, kept outside the screen: the owner goes to Settings to
// fill in the shop's details and comes back to the same problem, diagnosis and case,
// not to an empty form (a second case for the same payment came from that).
import type { AppError, Complaint, ContactPlan, Diagnosis, Found, Hit, Lookup, PackCheck, PackReport } from "./types";

export const solver = $state({
  complaint: "void_failed" as Complaint,
  // What the owner remembers: a voucher, the card's last four, an amount, an RRN…
  value: "",
  // Roughly when, "13:00" or "2026-11-20 13:00" (optional).
  at: "",
  terminal: "",
  found: null as Found | null,
  // The transaction the diagnosis is about: a picked row, or a lookup for one the
  // journal lacks.
  lookup: null as Lookup | null,
  picked: null as Hit | null,
  diagnosis: null as Diagnosis | null,
  // The owner's answers to the questions that tell causes apart, by question index.
  answers: {} as Record<number, boolean>,
  acquirer: "cup",
  caseId: null as number | null,
  plan: null as ContactPlan | null,
  pack: null as PackReport | null,
  checked: null as PackCheck | null,
  error: null as AppError | null,
});

/** Back to an empty form (a new problem). */
export function resetSolver() {
  Object.assign(solver, {
    value: "",
    at: "",
    terminal: "",
    found: null,
    lookup: null,
    picked: null,
    diagnosis: null,
    answers: {},
    caseId: null,
    plan: null,
    pack: null,
    checked: null,
    error: null,
  });
}
