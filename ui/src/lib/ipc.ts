// The only module that calls invoke(): every command is typed by the contract generated
// from the Rust declarations (Commands in types.generated.ts), and every failure
// becomes an AppError {code, message, field, zh} — never a raw string.
import { Channel, invoke } from "@tauri-apps/api/core";
// The native file pickers: plugin calls that go through invoke() too, so they live here.
import type {
  Acquirer,
  AppError,
  BackupPlan,
  CaseUpdate,
  Commands,
  Complaint,
  ConnectRequest,
  CopyChoice,
  Discrepancy,
  FileFilter,
  JournalForm,
  LinkStatus,
  LogLevel,
  Lookup,
  MerchantProfile,
  Paper,
  Printers,
  Purpose,
  SlipRequest,
} from "./types";

export function toAppError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message, field, zh } = e as AppError;
    return { code, message, ...(field ? { field } : {}), ...(zh ? { zh } : {}) };
  }
  // The shell could not read an argument ("invalid args `request` for command
  // `reprint_preview`: trace_no: only digits allowed (got \"abc\")"): the owner's
  // input, not a fault of the program. The field is the one the core's check names,
  // else the argument.
  const bad = typeof e === "string" ? /^invalid args `(\w+)` for command `\w+`: (?:(\w+): )?(.*)$/s.exec(e) : null;
  if (bad) return { code: "BAD_INPUT", message: bad[2] ? `${bad[2]}: ${bad[3]}` : bad[3], field: bad[2] ?? bad[1] };
  return { code: "INTERNAL", message: typeof e === "string" ? e : "unexpected error" };
}

export type { FileFilter, Purpose } from "./types";

type Command = keyof Commands;
type Args<K extends Command> = Commands[K]["args"];
type Result<K extends Command> = Commands[K]["result"];

/** One command of the contract (crates/app/src/contract.rs): a wrong name, argument
 * or result type is a type error here. */
async function call<K extends Command>(cmd: K, ...args: {} extends Args<K> ? [] : [Args<K>]): Promise<Result<K>> {
  try {
    return await invoke<Result<K>>(cmd, args[0] as Record<string, unknown> | undefined);
  } catch (e) {
    throw toAppError(e);
  }
}

/** Which slip: the voucher, and its terminal and batch when the voucher number is on more than one. */
export type SlipKey = { voucher_no: string; terminal_id: string | null; batch_no?: string | null; line_id?: number | null };
const slip = (key: SlipKey, copy: CopyChoice): SlipRequest => ({ ...key, copy });

export const ipc = {
  searchJournal: (form: JournalForm) => call("search_journal", { form }),
  transactionDetail: (id: number) => call("transaction_detail", { id }),
  verifyJournal: () => call("verify_journal"),
  home: () => call("home"),
  linkStatus: () => call("link_status"),
  // The link's status pushed as it changes, under the caller's token; resolves when
  // the stream ends (unwatchLink with the same token, or a newer watchLink).
  watchLink: (token: number, on: (s: LinkStatus) => void) => {
    const updates = new Channel<LinkStatus>();
    updates.onmessage = on;
    return call("watch_link", { token, updates });
  },
  unwatchLink: (token: number) => call("unwatch_link", { token }),
  connectTerminal: (request: ConnectRequest) => call("connect_terminal", { request }),
  connectDemo: () => call("connect_demo"),
  startService: () => call("start_service"),
  disconnectTerminal: () => call("disconnect_terminal"),
  serialPorts: () => call("serial_ports"),
  reprintPreview: (key: SlipKey, copy: CopyChoice) => call("reprint_preview", { request: slip(key, copy) }),
  // Raw bytes, not JSON: the PDF the Reprint screen draws.
  reprintPdfPreview: (key: SlipKey, copy: CopyChoice, paper: Paper) => call("reprint_pdf_preview", { request: slip(key, copy), paper }),
  reprintPdf: (key: SlipKey, copy: CopyChoice, paper: Paper) => call("reprint_pdf", { request: slip(key, copy), paper }),
  reprintPrint: (key: SlipKey, copy: CopyChoice, paper: Paper) => call("reprint_print", { request: slip(key, copy), paper }),
  reprintReceipt: (key: SlipKey, copy: CopyChoice) => call("reprint_receipt", { request: slip(key, copy) }),
  printers: () => call("printers"),
  setPrinters: (printers: Printers) => call("set_printers", { printers }),
  openPath: (path: string) => call("open_path", { path }),
  diagnose: (complaint: Complaint, lookup: Lookup) => call("diagnose", { complaint, lookup }),
  openCase: (complaint: Complaint, lookup: Lookup, acquirer_id: string | null) => call("open_case", { complaint, lookup, acquirer_id }),
  listCases: () => call("list_cases"),
  contactPlan: (id: number) => call("contact_plan", { id }),
  buildEvidence: (id: number) => call("build_evidence", { id }),
  verifyEvidence: (path: string) => call("verify_evidence", { path }),
  merchantProfile: () => call("merchant_profile"),
  setMerchantProfile: (profile: MerchantProfile) => call("set_merchant_profile", { profile }),
  acquirers: () => call("acquirers"),
  acquirerFor: (id: number) => call("acquirer_for", { id }),
  missingProfile: () => call("missing_profile"),
  suggestedProfile: () => call("suggested_profile"),
  backups: () => call("backups"),
  setBackupPlan: (plan: BackupPlan) => call("set_backup_plan", { plan }),
  backupNow: () => call("backup_now"),
  backupCopies: () => call("backup_copies"),
  restoreBackupCopy: (name: string) => call("restore_backup_copy", { name }),
  watchStatus: () => call("watch_status"),
  setWatchFolder: (folder: string | null) => call("set_watch_folder", { folder }),
  headOffice: () => call("head_office"),
  joinHeadOffice: (address: string, password: string, every_seconds: number) =>
    call("join_head_office", { address, password, every_seconds }),
  leaveHeadOffice: () => call("leave_head_office"),
  searchHeadOffice: (address: string, password: string, text: string) => call("search_head_office", { address, password, text }),
  diagnoseAtHeadOffice: (address: string, password: string, shop_id: string, complaint: Complaint, lookup: Lookup) =>
    call("diagnose_at_head_office", { address, password, shop_id, complaint, lookup }),
  headOfficeCases: (address: string, password: string, due_within: number | null) => call("head_office_cases", { address, password, due_within }),
  reconcileAtHeadOffice: (address: string, password: string, path: string) => call("reconcile_at_head_office", { address, password, path }),
  casePage: (id: number) => call("case_page", { id }),
  updateCase: (id: number, update: CaseUpdate) => call("update_case", { id, update }),
  setAcquirer: (acquirer: Acquirer) => call("set_acquirer", { acquirer }),
  importStatement: (path: string) => call("import_statement", { path }),
  reconcile: () => call("reconcile"),
  openCaseFromDiscrepancy: (discrepancy: Discrepancy, acquirer_id: string | null) =>
    call("open_case_from_discrepancy", { discrepancy, acquirer_id }),
  dataFolder: () => call("data_folder"),
  terminals: () => call("terminals"),
  backupJournal: (path: string) => call("backup_journal", { path }),
  setLogLevel: (level: LogLevel) => call("set_log_level", { level }),
  supportBundle: (path: string) => call("support_bundle", { path }),
  restoreJournal: (path: string) => call("restore_journal", { path }),
  /** The OS's file dialog, shown by the shell: "save as" for a backup, "open" for the
   * rest; null when the user cancels. */
  choosePath: (purpose: Purpose, filters: FileFilter[], defaultPath?: string) =>
    call("choose_path", { purpose, filters, default_path: defaultPath ?? null }),
};
