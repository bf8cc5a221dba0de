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
  pan?: string;
  rrn?: string;
  auth_code?: string;
}

export interface TxnRow {
  id: number;
  txn: Transaction;
  recorded_at: string;
  settled: boolean;
}

export interface Page<T> {
  total: number;
  offset: number;
  items: T[];
}

export interface TxnQuery {
  voucher?: string;
  rrn?: string;
  text?: string;
  offset?: number;
  limit?: number;
}
