// The only module that calls invoke(): every command the UI uses is typed here, and
// every failure becomes an AppError {code, message} — never a raw string.
import { Channel, invoke } from "@tauri-apps/api/core";
// The native file pickers: plugin calls that go through invoke() too, so they live here.
import type {
  Acquirer,
  AppError,
  CaseSummary,
  ConnectRequest,
  ContactPlan,
  DataFolder,
  Diagnosis,
  Discrepancy,
  Home,
  JournalForm,
  LinkStatus,
  Lookup,
  MerchantProfile,
  PackCheck,
  PackReport,
  BundleReport,
  Page,
  PortInfo,
  Printers,
  ReconcileReport,
  SlipView,
  StatementReport,
  TerminalOverview,
  TxnDetail,
  TxnRow,
  VerifyReport,
} from "./types";

export function toAppError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message, field } = e as AppError;
    return field ? { code, message, field } : { code, message };
  }
  // The shell could not read an argument (a value of the wrong shape): the owner's
  // input, not a fault of the program — name the argument.
  const bad = typeof e === "string" ? /^invalid args `(\w+)`/.exec(e) : null;
  if (bad) return { code: "BAD_INPUT", message: e as string, field: bad[1] };
  return { code: "INTERNAL", message: typeof e === "string" ? e : "unexpected error" };
}

/** A file filter for the pickers: a name and extensions without the dot. */
export type FileFilter = { name: string; extensions: string[] };

/** What a picked path is for: the shell lets a backup be written, or a journal be
 * restored, only at a path the user picked in its dialog for that purpose. */
export type Purpose = "backup" | "restore" | "statement" | "bundle";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const ipc = {
  searchJournal: (form: JournalForm) => call<Page<TxnRow>>("search_journal", { form }),
  transactionDetail: (id: number) => call<TxnDetail>("transaction_detail", { id }),
  verifyJournal: () => call<VerifyReport>("verify_journal"),
  home: () => call<Home>("home"),
  linkStatus: () => call<LinkStatus>("link_status"),
  // The link's status pushed as it changes, under the caller's token; resolves when
  // the stream ends (unwatchLink with the same token, or a newer watchLink).
  watchLink: (token: number, on: (s: LinkStatus) => void) => {
    const updates = new Channel<LinkStatus>();
    updates.onmessage = on;
    return call<null>("watch_link", { token, updates });
  },
  unwatchLink: (token: number) => call<null>("unwatch_link", { token }),
  connectTerminal: (request: ConnectRequest) => call<LinkStatus>("connect_terminal", { request }),
  connectDemo: () => call<LinkStatus>("connect_demo"),
  startService: () => call<LinkStatus>("start_service"),
  disconnectTerminal: () => call<LinkStatus>("disconnect_terminal"),
  serialPorts: () => call<PortInfo[]>("serial_ports"),
  reprintPreview: (voucher_no: string, terminal_id: string | null, copy: string) =>
    call<SlipView[]>("reprint_preview", { voucher_no, terminal_id, copy }),
  // Raw bytes, not JSON: the PDF the Reprint screen draws.
  reprintPdfPreview: (voucher_no: string, terminal_id: string | null, copy: string, paper_size: string) =>
    call<ArrayBuffer>("reprint_pdf_preview", { voucher_no, terminal_id, copy, paper_size }),
  reprintPdf: (voucher_no: string, terminal_id: string | null, copy: string, paper_size: string) =>
    call<string>("reprint_pdf", { voucher_no, terminal_id, copy, paper_size }),
  reprintPrint: (voucher_no: string, terminal_id: string | null, copy: string, paper_size: string) =>
    call<void>("reprint_print", { voucher_no, terminal_id, copy, paper_size }),
  reprintReceipt: (voucher_no: string, terminal_id: string | null, copy: string) =>
    call<number>("reprint_receipt", { voucher_no, terminal_id, copy }),
  printers: () => call<Printers>("printers"),
  setPrinters: (printers: Printers) => call<Printers>("set_printers", { printers }),
  openPath: (path: string) => call<void>("open_path", { path }),
  diagnose: (complaint: string, lookup: Lookup) => call<Diagnosis>("diagnose", { complaint, lookup }),
  openCase: (complaint: string, lookup: Lookup, acquirer_id: string | null) =>
    call<number>("open_case", { complaint, lookup, acquirer_id }),
  listCases: () => call<CaseSummary[]>("list_cases"),
  contactPlan: (id: number) => call<ContactPlan>("contact_plan", { id }),
  buildEvidence: (id: number) => call<PackReport>("build_evidence", { id }),
  verifyEvidence: (path: string) => call<PackCheck>("verify_evidence", { path }),
  merchantProfile: () => call<MerchantProfile>("merchant_profile"),
  setMerchantProfile: (profile: MerchantProfile) => call<void>("set_merchant_profile", { profile }),
  acquirers: () => call<Acquirer[]>("acquirers"),
  setAcquirer: (acquirer: Acquirer) => call<Acquirer>("set_acquirer", { acquirer }),
  importStatement: (path: string) => call<StatementReport>("import_statement", { path }),
  reconcile: () => call<ReconcileReport | null>("reconcile"),
  openCaseFromDiscrepancy: (discrepancy: Discrepancy, acquirer_id: string | null) =>
    call<number>("open_case_from_discrepancy", { discrepancy, acquirer_id }),
  dataFolder: () => call<DataFolder>("data_folder"),
  terminals: () => call<TerminalOverview[]>("terminals"),
  backupJournal: (path: string) => call<void>("backup_journal", { path }),
  setLogLevel: (level: string) => call<void>("set_log_level", { level }),
  supportBundle: (path: string) => call<BundleReport>("support_bundle", { path }),
  restoreJournal: (path: string) => call<VerifyReport>("restore_journal", { path }),
  /** The OS's file dialog, shown by the shell: "save as" for a backup, "open" for the
   * rest; null when the user cancels. */
  choosePath: (purpose: Purpose, filters: FileFilter[], defaultPath?: string) =>
    call<string | null>("choose_path", { purpose, filters, default_path: defaultPath ?? null }),
};
