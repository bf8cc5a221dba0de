// The only module that calls invoke(): every command the UI uses is typed here, and
// every failure becomes an AppError {code, message} — never a raw string.
import { invoke } from "@tauri-apps/api/core";
import type { AppError, Page, TxnQuery, TxnRow } from "./types";

export function toAppError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as AppError;
    return { code, message };
  }
  return { code: "INTERNAL", message: typeof e === "string" ? e : "unexpected error" };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const ipc = {
  listTransactions: (query: TxnQuery) => call<Page<TxnRow>>("list_transactions", { query }),
};
