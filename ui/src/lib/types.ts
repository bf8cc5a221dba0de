// Shapes of the Rust DTOs that cross IPC (slipkeeper_app / slipkeeper_journal).
// Kept by hand for now; generated from the Rust types once the full UI lands.

export type ErrorCode = "NOT_A_JOURNAL" | "NEWER_SCHEMA" | "BAD_INPUT" | "NOT_FOUND" | "CORRUPT" | "IO" | "INTERNAL";

export interface AppError {
  code: ErrorCode;
  message: string;
}

export interface Money {
  minor: number;
  currency: string;
}

export interface Transaction {
  terminal_id: string;
  merchant_id: string;
  batch_no: string;
  trace_no: string;
  kind: string;
  outcome: string;
  amount: Money;
  occurred_at: string;
  receipt_no?: string;
  pan?: string;
  scheme?: string;
  entry_mode?: string;
  expiry?: string;
  rrn?: string;
  auth_code?: string;
  operator_no?: string;
  issuer?: string;
  acquirer?: string;
  original_trace_no?: string;
  original_rrn?: string;
  original_date?: string;
}

export interface TxnRow {
  id: number;
  txn: Transaction;
  recorded_at: string;
  settled: boolean;
}

export interface Page<T> {
  total: number;
  // A text search counts up to a cap: true when there are more than `total`.
  more: boolean;
  offset: number;
  items: T[];
}

export interface TxnQuery {
  auth_code?: string;
  last4?: string;
  amount_minor?: number;
  terminal?: string;
  outcome?: string;
  voucher?: string;
  rrn?: string;
  text?: string;
  offset?: number;
  limit?: number;
}

// --- Screens beyond the journal (hand-written; see ARCHITECTURE.md on generating them).

export interface Text {
  zh: string;
  en: string;
}

export interface SchemeTotal {
  scheme: string;
  count: number;
  minor: number;
}

export interface CaseSummary {
  id: number;
  opened_at: string;
  updated_at: string;
  status: string;
  complaint: string;
  code: string;
  txn_id: number | null;
  acquirer_id: string | null;
  acquirer_ref: string | null;
  due_on: string | null;
  days_left: number | null;
  statement_line_id: number | null;
  // As stored with the case: JSON text of the Lookup and the Diagnosis at opening.
  lookup: string;
  diagnosis: string;
}

export interface Home {
  today: string;
  today_count: number;
  today_minor: number;
  by_scheme: SchemeTotal[];
  journal_total: number;
  last_transaction_at: string | null;
  alerts: Text[];
  unknown_outcomes: number;
  cases_due: CaseSummary[];
  // The journal-wide checks are still running; alerts follow.
  checking: boolean;
}

export interface SlipView {
  copy: string;
  origin: string;
  lines: string[];
}

export type Lookup =
  | { by: "voucher"; voucher: string; terminal?: string | null; batch?: string | null }
  | { by: "rrn"; rrn: string }
  | { by: "auth"; auth: string; terminal?: string | null }
  | { by: "amount_time"; amount_minor: number; at: string; last4?: string | null; terminal?: string | null };

export interface Fact {
  txn_id?: number;
  text: Text;
}

export interface Diagnosis {
  code: string;
  complaint: string;
  title: Text;
  explanation: Text;
  facts: Fact[];
  next_steps: Text[];
  prepare: Text[];
  // What can still be done about the money (void, refund, …), when it applies.
  remedy?: Remedy | null;
}

export type Remedy =
  | { remedy: "void" }
  | { remedy: "void_at_other_terminal"; terminal_id: string }
  | { remedy: "refund"; rrn: string; original_date: string; refundable: Money }
  | { remedy: "refund_needs_rrn"; original_date: string; refundable: Money }
  | { remedy: "already_voided" }
  | { remedy: "already_refunded" }
  | { remedy: string; [field: string]: unknown };

export interface Acquirer {
  id: string;
  name: Text;
  hotline: string;
  dispute_email: string;
  portal: string;
  hours: Text;
  documents: Text[];
  response_days: number;
  verified: boolean;
}

export interface ContactPlan {
  diagnosis: Diagnosis;
  acquirer: Acquirer;
  asks: Text[];
  phone_script: Text;
  letter: Text;
  missing: string[];
  check_note: Text;
}

export interface PackReport {
  path: string;
  bytes: number;
  sha256: string;
  files: string[];
}

export interface PackCheck {
  files: number;
  proofs: number;
  problems: string[];
}

export interface MerchantProfile {
  shop_name?: string | null;
  merchant_id?: string | null;
  address?: string | null;
  contact_person?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface Discrepancy {
  kind: string;
  line_id?: number;
  txn_id?: number;
  at: string;
  amount_minor: number;
  detail: string;
}

export interface TotalsRow {
  day: string;
  terminal: string;
  card_type: string;
  journal_count: number;
  journal_minor: number;
  statement_count: number;
  statement_minor: number;
  fee_minor: number;
  net_minor: number;
  difference_minor: number;
}

export interface ReconcileReport {
  from: string;
  to: string;
  journal_transactions: number;
  statement_lines: number;
  matches: { line_id: number; txn_id: number; rule: string; confidence: number; reason: string }[];
  discrepancies: Discrepancy[];
  totals: TotalsRow[];
}

export interface StatementReport {
  file: string;
  mapping_id: string;
  encoding: string;
  lines: number;
  statement_id: number;
  same_file: boolean;
  new_lines: number;
  known_lines: number;
}

export interface VerifyReport {
  checked: number;
  head: string;
  problems: { kind: string; record: string; label: string; detail: string }[];
}

export interface Totals {
  debit_count: number;
  debit_amount: Money;
  credit_count: number;
  credit_amount: Money;
}

export interface Batch {
  terminal_id: string;
  batch_no: string;
  state: { state: "open" } | { state: "settled"; at: string; totals: Totals };
}

export interface TxnDetail {
  row: TxnRow;
  batch: Batch;
  slips: { copy: string; origin: string; lines: string[] }[];
  related: TxnRow[];
  frames: { direction: string; at: string; bytes: string }[];
}

export interface MirrorProgress {
  since: string;
  at: string;
  exchanges: number;
  frames: number;
  bytes: number;
  transactions: number;
}

export interface TotalsCheck {
  terminal: string;
  batch: string;
  terminal_count: number;
  terminal_minor: number;
  journal_count: number;
  journal_minor: number;
  checked_at: string;
}

export interface LinkStatus {
  state: "idle" | "connecting" | "connected" | "disconnected" | "stopped";
  endpoint: string;
  reason: string | null;
  retry_in_ms: number | null;
  attempt: number;
  progress: MirrorProgress | null;
  per_minute: number;
  totals: TotalsCheck | null;
  error: string | null;
  demo: boolean;
}

export interface PortInfo {
  path: string;
  description: string;
}

export type ConnectRequest =
  | { kind: "lan"; host: string; port: number | null }
  | { kind: "serial"; path: string; baud: number | null };

/** Settings → data folder. */
export interface DataFolder {
  journal: string;
  folder: string;
  exports: string;
  size_bytes: number;
}
