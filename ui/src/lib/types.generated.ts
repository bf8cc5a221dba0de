// Generated from the Rust DTOs by crates/app/tests/app/ts_types.rs (ts-rs); do not edit.
// UPDATE_SNAPSHOTS=1 cargo test -p slipkeeper-app --test app ts_types rewrites it.
import type { Channel } from "@tauri-apps/api/core";

/**
 * An acquirer as the directory knows it: how to reach its dispute desk, what it asks
 * for, how long it takes.
 */
export type Acquirer = { 
/**
 * Its id (`acquirer list`).
 */
id: string, 
/**
 * Its name in both languages.
 */
name: Text, 
/**
 * The merchant hotline.
 */
hotline: string, 
/**
 * Where disputes are sent.
 */
dispute_email: string, 
/**
 * The merchant portal's address.
 */
portal: string, 
/**
 * When the hotline answers.
 */
hours: Text, 
/**
 * What they require with a case.
 */
documents: Array<Text>, 
/**
 * Days they take to answer (and the shop has to answer them): sets case deadlines.
 */
response_days: number, 
/**
 * False until the user has checked the entry against their contract.
 */
verified: boolean, 
/**
 * When the acquirer's business day turns (日切), "HH:MM" local time; a void is
 * possible only before it. Unset: local midnight.
 */
cutoff?: string | null, 
/**
 * Days a pre-authorisation holds money before it expires. Unset: 30.
 */
pre_auth_hold_days?: number | null, };

/**
 * Where an alert is dealt with.
 */
export type AlertFix = "connect" | "reconcile" | "settings";

/**
 * An error as the user sees it: `{code, message}` across IPC, one line in the CLI.
 */
export type AppError = { 
/**
 * What kind of error.
 */
code: ErrorCode, 
/**
 * What went wrong, in English (`zh` holds the Chinese when there is one).
 */
message: string, 
/**
 * The form field or flag the error is about, when it is about one (`batch`, `from` …).
 */
field?: string, 
/**
 * The message in Chinese, where the core can say it (I/O and journal errors, …);
 * the window shows it in the Chinese interface, `message` otherwise.
 */
zh?: string, };

/**
 * 授权码 AUTH NO. (ISO 8583 field 38: 6 characters; some hosts send up to 8).
 */
export type AuthCode = string;

/**
 * One automatic copy in the backup folder, for Settings to offer a restore from it.
 */
export type BackupCopy = { 
/**
 * The file's name in the backup folder: what the window sends back to restore it.
 */
name: string, 
/**
 * When it was made, from its name (the shop's local time).
 */
made_at: string | null, 
/**
 * Its size.
 */
size_bytes: number, };

/**
 * Settings → automatic backups.
 */
export type BackupPlan = { 
/**
 * The folder the copies go to; none: no automatic backups.
 */
folder?: string | null, 
/**
 * How many copies to keep (1 to 365); older ones are removed.
 */
keep: number, };

/**
 * The plan, the last backup and whether one is due, for Settings and Home.
 */
export type BackupStatus = { 
/**
 * What is set.
 */
plan: BackupPlan, 
/**
 * When the last backup was written, and where.
 */
last_at?: string | null, 
/**
 * Where the last backup was written.
 */
last_path?: string | null, 
/**
 * Why the last attempt failed (cleared by the next good one).
 */
last_error?: string | null, 
/**
 * When the folder was chosen: no backup is overdue before two days after.
 */
since?: string | null, 
/**
 * More than [`BACKUP_OVERDUE`] without a good backup while a folder is set.
 */
overdue: boolean, };

/**
 * A terminal's batch and whether it is settled.
 */
export type Batch = { 
/**
 * The terminal.
 */
terminal_id: TerminalId, 
/**
 * The batch number.
 */
batch_no: BatchNo, 
/**
 * Open or settled.
 */
state: BatchState, };

/**
 * 批次号 BATCH NO.: six digits, zero-padded.
 */
export type BatchNo = string;

/**
 * Whether a batch is still open.
 */
export type BatchState = { "state": "open" } | { "state": "settled", 
/**
 * When, the terminal's local time.
 */
at: string, 
/**
 * The totals the terminal settled with.
 */
totals: Totals, };

/**
 * What `support_bundle` wrote.
 */
export type BundleReport = { 
/**
 * The bundle.
 */
path: string, 
/**
 * Its size.
 */
bytes: number, 
/**
 * The files inside.
 */
files: Array<string>, };

/**
 * Card scheme (卡组织).
 */
export type CardScheme = "unionpay" | "visa" | "mastercard" | "jcb" | "amex" | "discover" | "diners" | "girocard" | "maestro" | "other";

/**
 * One entry of a case's history.
 */
export type CaseEvent = { 
/**
 * When.
 */
at: string, 
/**
 * What kind of entry (opened, a status change, a note, …).
 */
kind: string, 
/**
 * What happened, in words.
 */
text: string, };

/**
 * A case as its page shows it: the transaction, the deadline, the letter and phone
 * script, the packs built, the history, and the statuses it can move to.
 */
export type CasePage = { 
/**
 * The transaction, when it is in the journal.
 */
txn: TxnRow | null, 
/**
 * Oldest first.
 */
events: Array<CaseEvent>, 
/**
 * Who to contact and what to say.
 */
plan: ContactPlan, 
/**
 * Evidence packs built for the case and still on disk, newest first.
 */
packs: Array<string>, 
/**
 * Where the case can go from here ([`CaseStatus::can_become`]).
 */
next: Array<CaseStatus>, 
/**
 * Negative when overdue; None without a deadline or once resolved.
 */
days_left: number | null, 
/**
 * The case's number (shown as SK-n).
 */
id: number, 
/**
 * When it was opened.
 */
opened_at: string, 
/**
 * When it last changed.
 */
updated_at: string, 
/**
 * Where it stands.
 */
status: CaseStatus, 
/**
 * What the customer or the terminal said.
 */
complaint: Complaint, 
/**
 * The diagnosis code it was opened with.
 */
code: string, 
/**
 * The transaction it is about, when it is in the journal.
 */
txn_id: number | null, 
/**
 * The statement line it is about, when opened from a reconciliation.
 */
statement_line_id: number | null, 
/**
 * The acquirer it is with, when chosen.
 */
acquirer_id: string | null, 
/**
 * The acquirer's own reference for it.
 */
acquirer_ref: string | null, 
/**
 * The day an answer is due.
 */
due_on: string | null, 
/**
 * JSON of how the transaction was identified.
 */
lookup: string, 
/**
 * JSON of the diagnosis when the case was opened.
 */
diagnosis: string, };

/**
 * The state of a case with the acquirer.
 */
export type CaseStatus = "open" | "submitted" | "waiting" | "won" | "lost" | "withdrawn";

/**
 * A case with what the list shows: days left until the deadline.
 */
export type CaseSummary = { 
/**
 * Negative when overdue; None without a deadline or once resolved.
 */
days_left: number | null, 
/**
 * The case's number (shown as SK-n).
 */
id: number, 
/**
 * When it was opened.
 */
opened_at: string, 
/**
 * When it last changed.
 */
updated_at: string, 
/**
 * Where it stands.
 */
status: CaseStatus, 
/**
 * What the customer or the terminal said.
 */
complaint: Complaint, 
/**
 * The diagnosis code it was opened with.
 */
code: string, 
/**
 * The transaction it is about, when it is in the journal.
 */
txn_id: number | null, 
/**
 * The statement line it is about, when opened from a reconciliation.
 */
statement_line_id: number | null, 
/**
 * The acquirer it is with, when chosen.
 */
acquirer_id: string | null, 
/**
 * The acquirer's own reference for it.
 */
acquirer_ref: string | null, 
/**
 * The day an answer is due.
 */
due_on: string | null, 
/**
 * JSON of how the transaction was identified.
 */
lookup: string, 
/**
 * JSON of the diagnosis when the case was opened.
 */
diagnosis: string, };

/**
 * A change the owner makes on a case's page; what is left out stays.
 */
export type CaseUpdate = { 
/**
 * The new status (only to one `next` allows).
 */
status?: CaseStatus | null, 
/**
 * A line for the history ("called 95516, ticket 2026-1203-17").
 */
note?: string | null, 
/**
 * The acquirer's own reference for the case.
 */
acquirer_ref?: string | null, };

/**
 * One recorded recomputation of the chain (table `chain_rewrites`).
 */
export type ChainRewrite = { 
/**
 * UTC, as stored.
 */
at: string, 
/**
 * Why Slipkeeper recomputed it.
 */
reason: string, 
/**
 * The first entry recomputed.
 */
from_seq: number, 
/**
 * The newest entry then.
 */
head_seq: number, 
/**
 * Hex of the head before.
 */
old_head: string, 
/**
 * Hex of the head after.
 */
new_head: string, 
/**
 * How many records were rewritten.
 */
records: number, };

/**
 * A question that tells apart causes the journal cannot see, with what a "yes"
 * means and who to call then.
 */
export type Check = { 
/**
 * What to find out.
 */
question: Text, 
/**
 * What a "yes" means.
 */
if_yes: Text, 
/**
 * Who to call then.
 */
call: Text, };

/**
 * What the shop owner says is wrong.
 */
export type Complaint = "void_failed" | "receipt_lost" | "charged_twice" | "not_in_acquirer_back_end" | "dispute" | "other";

/**
 * How the Connect screen asks for a terminal.
 */
export type ConnectRequest = { "kind": "lan", 
/**
 * Its host name or address.
 */
host: string, 
/**
 * Its port (20007 when none is given).
 */
port: number | null, } | { "kind": "serial", 
/**
 * The device (/dev/ttyACM0, COM3).
 */
path: string, 
/**
 * Its speed (9600 when none is given).
 */
baud: number | null, } | { "kind": "proxy", 
/**
 * The port the cash register connects to (20007 when none is given).
 */
listen_port: number | null, 
/**
 * The terminal's host name or address.
 */
host: string, 
/**
 * The terminal's port (20007 when none is given).
 */
port: number | null, } | { "kind": "serial_proxy", 
/**
 * The cash register's serial device.
 */
register: string, 
/**
 * The terminal's serial device.
 */
terminal: string, 
/**
 * Their speed (9600 when none is given).
 */
baud: number | null, } | { "kind": "demo" };

/**
 * What to say and write to the acquirer, prefilled.
 */
export type ContactPlan = { 
/**
 * The diagnosis the case is about.
 */
diagnosis: Diagnosis, 
/**
 * Who to contact.
 */
acquirer: Acquirer, 
/**
 * What they will ask for: their documents and the identifiers of this case.
 */
asks: Array<Text>, 
/**
 * What to say on the phone.
 */
phone_script: Text, 
/**
 * The letter to send.
 */
letter: Text, 
/**
 * Merchant profile fields to fill in before a letter can go out.
 */
missing: Array<string>, 
/**
 * The directory's reminder that numbers must be checked against the contract.
 */
check_note: Text, };

/**
 * Which copies of a slip: the merchant's, the cardholder's, or both.
 */
export type CopyChoice = "merchant" | "cardholder" | "both";

/**
 * 商户存根 / 持卡人存根.
 */
export type CopyType = "merchant" | "cardholder";

/**
 * ISO 4217 alphabetic code, e.g. CNY.
 */
export type Currency = string;

/**
 * Settings → data folder.
 */
export type DataFolder = { 
/**
 * The journal file.
 */
journal: string, 
/**
 * The folder it is in (backups default here).
 */
folder: string, 
/**
 * Where reprints and evidence packs are saved.
 */
exports: string, 
/**
 * The journal file and its write-ahead log, in bytes.
 */
size_bytes: number, 
/**
 * Where the logs are (Settings opens it).
 */
logs: string, 
/**
 * The level the logs are kept at.
 */
log_level: string, };

/**
 * The answer to "what happened to this voucher, and what do I do?".
 */
export type Diagnosis = { 
/**
 * The stable code.
 */
code: DiagnosisCode, 
/**
 * What the owner asked about.
 */
complaint: Complaint, 
/**
 * The answer in a line.
 */
title: Text, 
/**
 * Why, in a paragraph.
 */
explanation: Text, 
/**
 * What the answer rests on.
 */
facts: Array<Fact>, 
/**
 * What to do, in order.
 */
next_steps: Array<Text>, 
/**
 * What to have ready when calling or writing to the acquirer.
 */
prepare: Array<Text>, 
/**
 * How to give the money back, when there is money to give back.
 */
remedy?: Remedy | null, 
/**
 * Whether opening a case with the acquirer is the way on.
 */
needs_acquirer: boolean, 
/**
 * False when the journal alone cannot decide what happened: the `checks` then
 * tell the possible causes apart.
 */
journal_decides: boolean, 
/**
 * Questions that tell apart what the journal cannot (see `journal_decides`).
 */
checks: Array<Check>, 
/**
 * Things the owner must see even though they are not the answer (refunds above
 * the sale amount, a voucher repeated in several batches).
 */
warnings: Array<Text>, };

/**
 * The stable answer codes. The UI and the docs key their texts on these.
 */
export type DiagnosisCode = "VOIDABLE" | "SETTLED_USE_REFUND" | "ALREADY_VOIDED" | "ALREADY_REFUNDED" | "PARTIALLY_REFUNDED" | "REVERSED" | "DECLINED" | "OTHER_TERMINAL" | "NOT_IN_JOURNAL_TYPO" | "NOT_IN_JOURNAL_GAP" | "NOT_IN_JOURNAL" | "DUPLICATE_CHARGE" | "UNKNOWN_OUTCOME" | "RECEIPT_LOST" | "APPROVED_ASK_ACQUIRER" | "DISPUTE_RESPOND" | "IS_VOID" | "IS_REFUND" | "IS_REVERSAL" | "PRE_AUTH_OPEN" | "PRE_AUTH_COMPLETED" | "PRE_AUTH_CANCELLED" | "PRE_AUTH_EXPIRED" | "CHARGED_ONCE" | "OVER_REFUNDED" | "VOID_WINDOW_CLOSED" | "NOT_A_PAYMENT" | "ON_ACQUIRER_STATEMENT" | "NOT_ON_ACQUIRER_STATEMENT";

/**
 * Which way a frame went.
 */
export type Direction = "rx" | "tx";

/**
 * One thing the journal and the statement disagree on.
 */
export type Discrepancy = { 
/**
 * What kind.
 */
kind: DiscrepancyKind, 
/**
 * The statement line, when it is on the statement.
 */
line_id?: number | null, 
/**
 * The journal's transaction, when it is in the journal.
 */
txn_id?: number | null, 
/**
 * Terminal local time of the transaction or line.
 */
at: string, 
/**
 * Signed minor units of whichever side is known (the journal's when both are).
 */
amount_minor: number, 
/**
 * What disagrees, in a sentence in both languages.
 */
detail: Text, };

/**
 * What kind of disagreement a reconciliation found.
 */
export type DiscrepancyKind = "missing_from_statement" | "missing_from_journal" | "other_terminal" | "amount_mismatch" | "type_mismatch";

/**
 * How the card was read; printed after the card number as S/I/C/M.
 */
export type EntryMode = "swipe" | "chip" | "contactless" | "manual";

/**
 * What the UI can branch on. Add a code only when a caller needs to tell it apart.
 */
export type ErrorCode = "NOT_A_JOURNAL" | "NEWER_SCHEMA" | "BAD_INPUT" | "NOT_FOUND" | "NOT_SET_UP" | "CORRUPT" | "IO" | "HEAD_OFFICE" | "INTERNAL";

/**
 * 有效期 EXP DATE as the card gives it: YYMM.
 */
export type Expiry = string;

/**
 * One thing the answer rests on, with the record it comes from.
 */
export type Fact = { 
/**
 * The journal's transaction id the fact is about, when there is one.
 */
txn_id?: number | null, 
/**
 * The statement line the fact is about, when it is the acquirer's record.
 */
line_id?: number | null, 
/**
 * The fact, in both languages.
 */
text: Text, };

/**
 * What part of a transaction a search matched.
 */
export type Field = "voucher" | "rrn" | "auth" | "last4" | "amount" | "about_amount" | "text";

/**
 * A filter of the file dialogs: a name and extensions without the dot.
 */
export type FileFilter = { 
/**
 * The filter's label.
 */
name: string, 
/**
 * Extensions without the dot.
 */
extensions: Array<string>, };

/**
 * The answer to a search: the page of matches, how the text was read, the amounts
 * close to the one typed, and, when nothing matched, the lookup the text stands for
 * (the problem solver diagnoses a voucher the journal lacks with it).
 */
export type Found = { 
/**
 * Each field the text was read as, in the order tried.
 */
read_as: Array<Field>, 
/**
 * Transactions whose amount is close to the one typed but not it, nearest first
 * (only with the first page).
 */
near: Array<Hit>, 
/**
 * When nothing matched: the lookup the text stands for.
 */
lookup: Lookup | null, 
/**
 * Lines of the acquirer's imported statements matching the same search that the
 * journal has no transaction for (a shop without a terminal link, a payment the
 * mirror missed), newest first (only with the first page).
 */
statement: Array<StatementRow>, 
/**
 * Matching rows; for a text search at most `TEXT_COUNT_CAP` (see `more`).
 */
total: number, 
/**
 * The count stopped at the cap: there are more than `total`.
 */
more: boolean, 
/**
 * Rows skipped before this page.
 */
offset: number, 
/**
 * The highest row id the answer covers: the query's own `upto_id`, or the newest
 * row when it had none. Asking for the next pages with it keeps their offsets
 * meaning the same rows while new transactions arrive.
 */
upto_id: number, 
/**
 * This page's rows.
 */
items: Array<Hit>, };

/**
 * The head office a shop joined and how sending to it goes.
 */
export type HeadOfficeLink = { 
/**
 * What the shop joined.
 */
joined: Joined, 
/**
 * How sending goes.
 */
sending: Sending, };

/**
 * One transaction found, with what it matched.
 */
export type Hit = { 
/**
 * What it matched.
 */
matched: Array<Field>, 
/**
 * Its row id (stable: the key for `show`).
 */
id: number, 
/**
 * The transaction.
 */
txn: Transaction, 
/**
 * When Slipkeeper stored it.
 */
recorded_at: string, 
/**
 * The batch has been settled: a void is no longer possible.
 */
settled: boolean, };

/**
 * The home screen.
 */
export type Home = { 
/**
 * The shop's today.
 */
today: string, 
/**
 * Approved payments today.
 */
today_count: number, 
/**
 * Their sum, minor units.
 */
today_minor: number, 
/**
 * Today's totals by card scheme.
 */
by_scheme: Array<SchemeTotal>, 
/**
 * Transactions in the journal.
 */
journal_total: number, 
/**
 * When the newest happened.
 */
last_transaction_at: string | null, 
/**
 * Gaps, totals mismatches, backups and statements overdue: each a sentence and
 * where to deal with it.
 */
alerts: Array<HomeAlert>, 
/**
 * Transactions whose outcome the terminal never reported.
 */
unknown_outcomes: number, 
/**
 * Open cases due within the week, or overdue.
 */
cases_due: Array<CaseSummary>, 
/**
 * The journal-wide checks are still running (alerts follow on a later call).
 */
checking: boolean, 
/**
 * When the alerts were last worked out ("last checked 04:31: all in order").
 */
checked_at: string | null, 
/**
 * The automatic backups: the last one, and whether one is overdue.
 */
backup: BackupStatus, 
/**
 * The newest day an imported statement of the acquirer speaks of.
 */
latest_statement: string | null, 
/**
 * The folder statements are imported from as they appear, when one is watched.
 */
watch: WatchStatus, };

/**
 * One alert on Home, with the screen where the owner deals with it.
 */
export type HomeAlert = { 
/**
 * The alert in both languages.
 */
text: Text, 
/**
 * The screen that deals with it.
 */
fix: AlertFix, };

/**
 * One shop's case as head office last received it.
 */
export type HqCase = { 
/**
 * The shop's id.
 */
shop_id: string, 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * The case's number at the shop (SK-n).
 */
case_id: number, 
/**
 * open, submitted, waiting, won, lost or withdrawn.
 */
status: string, 
/**
 * The complaint, as the domain spells it.
 */
complaint: string, 
/**
 * The diagnosis code the case was opened with.
 */
code: string, 
/**
 * The acquirer it is with, when chosen.
 */
acquirer_id: string | null, 
/**
 * The acquirer's own reference for it.
 */
acquirer_ref: string | null, 
/**
 * The day an answer is due.
 */
due_on: string | null, 
/**
 * When the shop opened it.
 */
opened_at: string, 
/**
 * When it last changed at the shop.
 */
updated_at: string, 
/**
 * How the shop identified the transaction (voucher, RRN, …).
 */
lookup: unknown, };

/**
 * One transaction found at head office, with the shop it came from.
 */
export type HqRow = { 
/**
 * The shop's id.
 */
shop_id: string, 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * The entry of the shop's chain that holds it.
 */
seq: number, 
/**
 * The terminal id.
 */
terminal_id: string, 
/**
 * The merchant number.
 */
merchant_id: string, 
/**
 * The batch number.
 */
batch_no: string, 
/**
 * The voucher (trace) number.
 */
trace_no: string, 
/**
 * The kind, as the journal spells it (sale, void, refund, …).
 */
kind: string, 
/**
 * The outcome, as the journal spells it.
 */
outcome: string, 
/**
 * The amount in minor units (fen).
 */
amount_minor: number, 
/**
 * ISO 4217 code of the amount.
 */
currency: string, 
/**
 * When it happened, the shop's local time.
 */
occurred_at: string, 
/**
 * The reference number, when the terminal gave one.
 */
rrn: string | null, 
/**
 * The authorisation code, when the terminal gave one.
 */
auth_code: string | null, 
/**
 * Masked as stored by the shop (first 6, last 4 at most).
 */
pan: string | null, };

/**
 * What a shop that joined head office keeps beside its journal
 * (`JOURNAL.head-office.json`): the address without its password (that is in the OS
 * keyring) and how often the link service sends.
 */
export type Joined = { 
/**
 * The address as given, less its password.
 */
address: string, 
/**
 * The key of the password in the OS keyring.
 */
account: string, 
/**
 * The shop's id at head office.
 */
shop_id: string, 
/**
 * Seconds between sends.
 */
every_seconds: number, };

/**
 * The journal screen's form as typed: the search box, its mode, and the filters.
 * Empty strings are filters not set.
 */
export type JournalForm = { 
/**
 * The search box as typed.
 */
search: string, 
/**
 * What the search box searches.
 */
mode: SearchMode, 
/**
 * YYYY-MM-DD, inclusive.
 */
from: string, 
/**
 * YYYY-MM-DD, inclusive.
 */
to: string, 
/**
 * Only this terminal's.
 */
terminal: string, 
/**
 * Only this batch's.
 */
batch: string, 
/**
 * Only with this outcome.
 */
outcome: Outcome | null, 
/**
 * Only of this kind.
 */
kind: TxnKind | null, 
/**
 * Roughly when: "13:00" (on the `from` day, else today) or "YYYY-MM-DD HH:MM";
 * the search then looks two hours either side and lists the closest first.
 */
around: string, 
/**
 * Rows to skip.
 */
offset: number, 
/**
 * Rows per page (0: the default).
 */
limit: number, 
/**
 * The newest row the list is made of (see `Page::upto_id`).
 */
upto_id: number | null, };

/**
 * What the Connect and Home screens show about the link.
 */
export type LinkStatus = { 
/**
 * "idle", "connecting", "connected", "disconnected" or "stopped"; a proxy is
 * "starting" and then "listening".
 */
state: string, 
/**
 * Where: "192.168.1.20:20007" or "/dev/ttyACM0 at 9600 baud".
 */
endpoint: string, 
/**
 * Why the link is down, in the link's words.
 */
reason: string | null, 
/**
 * When the next attempt comes, while down.
 */
retry_in_ms: number | null, 
/**
 * Which attempt since the last success.
 */
attempt: number, 
/**
 * Counts since the mirror started.
 */
progress: MirrorProgress | null, 
/**
 * Transactions per minute since the mirror started.
 */
per_minute: number, 
/**
 * The terminal's totals of its open batch against the journal's, when last asked.
 */
totals: TotalsCheck | null, 
/**
 * The mirror stopped with this error.
 */
error: string | null, 
/**
 * The built-in demo terminal.
 */
demo: boolean, 
/**
 * Proxy mode: the cash register connects here and `endpoint` is the terminal.
 */
proxy: boolean, 
/**
 * Where the proxy listens for the cash register, once it does.
 */
listening_on: string | null, };

/**
 * How much the logs keep, from errors only to everything.
 */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * How the owner identifies the transaction.
 */
export type Lookup = { "by": "voucher", 
/**
 * The voucher number.
 */
voucher: TraceNo, 
/**
 * The terminal, when the voucher is on several.
 */
terminal?: TerminalId | null, 
/**
 * The batch, when the voucher is in several.
 */
batch?: BatchNo | null, } | { "by": "rrn", 
/**
 * The reference number.
 */
rrn: Rrn, } | { "by": "auth", 
/**
 * The authorisation code.
 */
auth: AuthCode, 
/**
 * The terminal, when the code is on several.
 */
terminal?: TerminalId | null, } | { "by": "amount_time", 
/**
 * The amount in minor units.
 */
amount_minor: number, 
/**
 * About when (the terminal's local time).
 */
at: string, 
/**
 * The card's last four digits, when known.
 */
last4?: string | null, 
/**
 * The terminal, when known.
 */
terminal?: TerminalId | null, } | { "by": "txn", 
/**
 * The journal's transaction id.
 */
id: number, };

/**
 * A card number with at most the first six and the last four digits visible,
 * e.g. `622588******5678`. Built from a full or an already-masked number; either
 * way the result shows no more than a slip may print.
 */
export type MaskedPan = string;

/**
 * A statement line paired with a journal transaction.
 */
export type Match = { 
/**
 * The statement line.
 */
line_id: number, 
/**
 * The journal's transaction.
 */
txn_id: number, 
/**
 * Which rule paired them.
 */
rule: MatchRule, 
/**
 * 0–100.
 */
confidence: number, 
/**
 * Why, in a sentence.
 */
reason: string, };

/**
 * Which rule paired a line with a transaction, strongest first.
 */
export type MatchRule = "rrn" | "terminal_voucher_date" | "amount_time_card";

/**
 * 商户号 MERCHANT NO. (UnionPay: 15 digits; ZVT VU number: 15 characters).
 */
export type MerchantId = string;

/**
 * Who the shop is, for letters to the acquirer.
 */
export type MerchantProfile = { 
/**
 * The shop's name, as on its sign.
 */
shop_name?: string | null, 
/**
 * The acquirer's merchant number (商户编号).
 */
merchant_id?: MerchantId | null, 
/**
 * The shop's address.
 */
address?: string | null, 
/**
 * Who the acquirer should ask for.
 */
contact_person?: string | null, 
/**
 * Their phone.
 */
phone?: string | null, 
/**
 * Their e-mail.
 */
email?: string | null, };

/**
 * Counts since the mirror started, for a progress line or bar.
 */
export type MirrorProgress = { 
/**
 * When the mirror started.
 */
since: string, 
/**
 * When these counts were taken.
 */
at: string, 
/**
 * Commands run to their end.
 */
exchanges: number, 
/**
 * Frames both ways.
 */
frames: number, 
/**
 * Bytes both ways.
 */
bytes: number, 
/**
 * New transactions stored.
 */
transactions: number, };

/**
 * An amount in minor units (fen for CNY). Negative amounts are allowed so that
 * totals can carry refunds; single transactions are checked by their constructors.
 */
export type Money = { minor: number, currency: Currency, };

/**
 * 操作员号 OPERATOR NO.
 */
export type OperatorNo = string;

/**
 * What became of a transaction.
 */
export type Outcome = "approved" | "declined" | "reversed" | "voided" | "unknown";

/**
 * What checking a pack found.
 */
export type PackCheck = { 
/**
 * Files checked against the manifest.
 */
files: number, 
/**
 * Chain entries recomputed.
 */
proofs: number, 
/**
 * Each thing that does not match; empty when the pack is as built.
 */
problems: Array<string>, };

/**
 * What building an evidence pack wrote.
 */
export type PackReport = { 
/**
 * The pack.
 */
path: string, 
/**
 * Its size.
 */
bytes: number, 
/**
 * Hex SHA-256 of the whole pack, to quote in the letter or on the phone.
 */
sha256: string, 
/**
 * The files inside, in order.
 */
files: Array<string>, };

/**
 * One page of a list.
 */
export type Page<T> = { 
/**
 * Matching rows; for a text search at most `TEXT_COUNT_CAP` (see `more`).
 */
total: number, 
/**
 * The count stopped at the cap: there are more than `total`.
 */
more: boolean, 
/**
 * Rows skipped before this page.
 */
offset: number, 
/**
 * The highest row id the answer covers: the query's own `upto_id`, or the newest
 * row when it had none. Asking for the next pages with it keeps their offsets
 * meaning the same rows while new transactions arrive.
 */
upto_id: number, 
/**
 * This page's rows.
 */
items: Array<T>, };

/**
 * The paper a PDF is laid out for.
 */
export type Paper = "58mm" | "80mm" | "a4";

/**
 * A serial port present on this computer.
 */
export type PortInfo = { 
/**
 * What to open (e.g. /dev/ttyACM0, COM3).
 */
path: string, 
/**
 * "USB 1234:5678 Ingenico …", "PCI", "Bluetooth" or "".
 */
description: string, };

/**
 * Settings → printers.
 */
export type Printers = { 
/**
 * The receipt printer: an IP address with an optional port ("192.168.1.30",
 * "192.168.1.30:9100") or a device ("/dev/usb/lp0", "/dev/ttyUSB0", "COM3").
 */
receipt?: string | null, 
/**
 * Width of its paper roll in millimetres: 58 or 80.
 */
receipt_width_mm: number, 
/**
 * The system printer for PDF reprints by name; none: the system's default printer.
 */
system?: string | null, };

/**
 * One reading of a searched text, for [`TxnQuery::any_of`].
 */
export type Probe = { "field": "voucher", "value": TraceNo } | { "field": "rrn", "value": Rrn } | { "field": "auth", "value": AuthCode } | { "field": "last4", "value": string } | { "field": "amount", "value": [number, number] };

/**
 * One problem `verify` found, with the record it is about.
 */
export type Problem = { 
/**
 * What kind.
 */
kind: ProblemKind, 
/**
 * e.g. "transaction #17".
 */
record: string, 
/**
 * What it was: terminal, batch, voucher…
 */
label: string, 
/**
 * More about it, when there is more to say.
 */
detail: string, };

/**
 * What kind of problem `verify` found.
 */
export type ProblemKind = "altered" | "removed" | "unreadable" | "chain_gap" | "unchained" | "inconsistent" | "damaged" | "truncated" | "anchor_mismatch";

/**
 * What a file picked in the OS's dialog is for: the shell lets a backup be written, a
 * journal restored, a statement imported or a bundle saved only at a path the user
 * picked for that purpose.
 */
export type Purpose = "backup" | "backup_folder" | "statement_folder" | "restore" | "statement" | "bundle";

/**
 * Bytes exchanged with a terminal, linked to the transaction they produced if any.
 */
export type RawFrame = { 
/**
 * The terminal it was exchanged with.
 */
terminal_id: TerminalId, 
/**
 * Which way.
 */
direction: Direction, 
/**
 * When.
 */
at: string, 
/**
 * The frame (with card data masked).
 */
bytes: string, 
/**
 * The transaction it produced, if any.
 */
txn?: TxnKey | null, 
/**
 * Card data in `bytes` was masked before storing (see
 * `slipkeeper_zvt::mask_card_data`): the frame is not the one on the wire. Absent
 * (false) in the canonical line of a frame stored as received, so lines written
 * before the flag existed still hash the same.
 */
masked?: boolean, };

/**
 * Receipt number of the terminal (ZVT BMP 87: four BCD digits).
 */
export type ReceiptNo = string;

/**
 * A reconciliation over a period, with how much each side had.
 */
export type ReconcileReport = { 
/**
 * The period's start (inclusive).
 */
from: string, 
/**
 * Its end (exclusive).
 */
to: string, 
/**
 * Journal transactions in the period.
 */
journal_transactions: number, 
/**
 * Statement lines in the period.
 */
statement_lines: number, 
/**
 * Lines and transactions paired.
 */
matches: Array<Match>, 
/**
 * What disagrees.
 */
discrepancies: Array<Discrepancy>, 
/**
 * Totals per day, terminal and card type.
 */
totals: Array<TotalsRow>, };

/**
 * The way to give the customer their money back, or why there is nothing to do.
 */
export type Remedy = { "remedy": "void" } | { "remedy": "void_at_other_terminal", 
/**
 * The terminal that took it.
 */
terminal_id: TerminalId, } | { "remedy": "refund", 
/**
 * The original's reference number, which the refund quotes.
 */
rrn: Rrn, 
/**
 * The original's date, which the refund quotes.
 */
original_date: string, 
/**
 * What can still be refunded.
 */
refundable: Money, } | { "remedy": "refund_needs_rrn", 
/**
 * The original's date.
 */
original_date: string, 
/**
 * What can still be refunded.
 */
refundable: Money, } | { "remedy": "already_voided" } | { "remedy": "already_refunded" } | { "remedy": "nothing_to_return", 
/**
 * Its outcome.
 */
outcome: Outcome, 
/**
 * Its kind.
 */
kind: TxnKind, };

/**
 * 参考号 REF NO. / retrieval reference number (ISO 8583 field 37: 12 characters).
 */
export type Rrn = string;

/**
 * Today's total of one card scheme.
 */
export type SchemeTotal = { 
/**
 * The scheme, as the journal names it.
 */
scheme: string, 
/**
 * Approved payments.
 */
count: number, 
/**
 * Their sum, minor units.
 */
minor: number, };

/**
 * Which field the journal's search box searches.
 */
export type SearchMode = "auto" | "voucher" | "rrn" | "auth" | "last4" | "amount" | "text";

/**
 * How the link service's sending went (`JOURNAL.head-office-status.json`, written by
 * the service): what Settings shows beside the head office the shop joined.
 */
export type Sending = { 
/**
 * When a round last went through (sent, or found nothing to send).
 */
last_ok_at: string | null, 
/**
 * Why the last round failed; None when it went through.
 */
last_error: string | null, 
/**
 * The newest record head office held after the last round that went through.
 */
head_office_seq: number, 
/**
 * The journal's newest record then.
 */
journal_seq: number, };

/**
 * A diagnosis made at head office, naming the shop.
 */
export type ShopDiagnosis = { 
/**
 * The shop's id.
 */
shop_id: string, 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * The diagnosis, as the shop would get it.
 */
diagnosis: Diagnosis, };

/**
 * A shop as a reconciliation at head office names it.
 */
export type ShopRef = { 
/**
 * The shop's id.
 */
shop_id: string, 
/**
 * The shop's name.
 */
shop_name: string, };

/**
 * One shop's share of a statement: its terminals' totals on both sides.
 */
export type ShopTotals = { 
/**
 * The shop's id.
 */
shop_id: string, 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * Its merchant numbers on the statement.
 */
merchant_ids: Array<string>, 
/**
 * Its terminals on the statement.
 */
terminals: Array<string>, 
/**
 * Its transactions at head office in the period.
 */
journal_count: number, 
/**
 * Their sum, minor units.
 */
journal_minor: number, 
/**
 * Its lines on the statement.
 */
statement_count: number, 
/**
 * Their sum, minor units.
 */
statement_minor: number, 
/**
 * statement − journal.
 */
difference_minor: number, 
/**
 * Disagreements found for it.
 */
discrepancies: number, };

/**
 * A statement covering several shops (several merchant numbers), reconciled against
 * every shop's journal at head office.
 */
export type ShopsReconciliation = { 
/**
 * Statement lines paired with a shop's transaction.
 */
matched: number, 
/**
 * As a shop's reconciliation reads, over all shops (row ids and the list of
 * matches left out: they were those of a temporary journal).
 */
report: ReconcileReport, 
/**
 * The shop of each discrepancy, in the same order (None: a terminal no shop has
 * sent anything from).
 */
discrepancy_shops: Array<ShopRef | null>, 
/**
 * Per shop, and a last row for terminals no shop has sent.
 */
shops: Array<ShopTotals>, };

/**
 * Where slip text came from: the terminal printed it, Slipkeeper rebuilt it from
 * the structured fields, or from a line of the acquirer's statement (the journal
 * has no record). A reprint says which.
 */
export type SlipOrigin = "terminal" | "regenerated" | "statement";

/**
 * The slips a reprint is about: a voucher, on a terminal when the voucher number is on
 * more than one, and which copies.
 */
export type SlipRequest = { 
/**
 * The voucher number.
 */
voucher_no: TraceNo, 
/**
 * The terminal, when the voucher number is on more than one.
 */
terminal_id: TerminalId | null, 
/**
 * The batch, when the voucher number is in more than one (a list picked from).
 */
batch_no?: BatchNo | null, 
/**
 * A line of the acquirer's statement to rebuild the slip from (a payment the
 * journal has no record of); the voucher is then only for the file's name.
 */
line_id?: number | null, 
/**
 * Which copies.
 */
copy: CopyChoice, };

/**
 * Printed text of one slip copy.
 */
export type SlipText = { 
/**
 * Merchant's or cardholder's copy.
 */
copy: CopyType, 
/**
 * Who wrote the text.
 */
origin: SlipOrigin, 
/**
 * The lines, card numbers masked.
 */
lines: Array<string>, };

/**
 * A slip for the in-app preview.
 */
export type SlipView = { 
/**
 * Merchant's or cardholder's copy.
 */
copy: CopyType, 
/**
 * Who wrote the text.
 */
origin: SlipOrigin, 
/**
 * The lines, marked 重打印 REPRINT.
 */
lines: Array<string>, };

/**
 * What importing a statement did, for the user.
 */
export type StatementReport = { 
/**
 * The file's name.
 */
file: string, 
/**
 * The mapping that read it.
 */
mapping_id: string, 
/**
 * How it was read: "utf-8", "gb18030" or "xlsx".
 */
encoding: string, 
/**
 * Lines read.
 */
lines: number, 
/**
 * The stored statement, or the earlier one when this exact file was imported before.
 */
statement_id: number, 
/**
 * True when this exact file (same SHA-256) was imported before: nothing was written.
 */
same_file: boolean, 
/**
 * Lines stored now.
 */
new_lines: number, 
/**
 * Lines already stored from another file (an overlapping period, a re-export).
 */
known_lines: number, };

/**
 * A statement line listed beside the journal's transactions, with its source.
 */
export type StatementRow = { 
/**
 * The stored line's id.
 */
line_id: number, 
/**
 * The statement file, without its folder.
 */
file_name: string, 
/**
 * Its row in the file.
 */
line_no: number, 
/**
 * The day the file was imported.
 */
imported_on: string, 
/**
 * The terminal id, when the statement lists it.
 */
terminal_id?: TerminalId | null, 
/**
 * The voucher number, when listed.
 */
voucher?: TraceNo | null, 
/**
 * The reference number, when listed.
 */
rrn?: Rrn | null, 
/**
 * The authorisation code, when listed.
 */
auth_code?: AuthCode | null, 
/**
 * The card as the statement prints it (masked).
 */
card?: string | null, 
/**
 * Sale, refund, …
 */
kind: TxnKind, 
/**
 * The amount.
 */
amount: Money, 
/**
 * When, the terminal's local time.
 */
occurred_at: string, 
/**
 * The day the acquirer settled it.
 */
settle_date?: string | null, 
/**
 * What it matched.
 */
matched: Array<Field>, };

/**
 * 终端号 TERMINAL NO. (UnionPay: 8 characters; ZVT terminal id: 8 digits).
 */
export type TerminalId = string;

/**
 * A terminal the journal has records of, known by its own id (however it was reached).
 */
export type TerminalOverview = { 
/**
 * The terminal's id.
 */
terminal_id: TerminalId, 
/**
 * Batches seen, settled or not.
 */
batches: number, 
/**
 * The newest batch not settled yet: vouchers in it can still be voided.
 */
open_batch: BatchNo | null, 
/**
 * Terminal local time of the last settlement.
 */
last_settled_at: string | null, };

/**
 * A sentence in both languages.
 */
export type Text = { 
/**
 * Chinese.
 */
zh: string, 
/**
 * English.
 */
en: string, };

/**
 * Per-direction totals of a batch, as a settlement reports them.
 */
export type Totals = { 
/**
 * Payments (sales, completions) in the batch.
 */
debit_count: number, 
/**
 * Their sum.
 */
debit_amount: Money, 
/**
 * Refunds in the batch.
 */
credit_count: number, 
/**
 * Their sum.
 */
credit_amount: Money, };

/**
 * The terminal's own totals of its open batch next to the journal's.
 */
export type TotalsCheck = { 
/**
 * The terminal.
 */
terminal: string, 
/**
 * Its open batch.
 */
batch: string, 
/**
 * Bookings the terminal counted.
 */
terminal_count: number, 
/**
 * Their sum on the terminal, minor units.
 */
terminal_minor: number, 
/**
 * Bookings in the journal.
 */
journal_count: number, 
/**
 * Their sum in the journal, minor units.
 */
journal_minor: number, 
/**
 * When the terminal was asked.
 */
checked_at: string, };

/**
 * Totals for one day, terminal and card type, both sides side by side.
 */
export type TotalsRow = { 
/**
 * The day (terminal local time).
 */
day: string, 
/**
 * The terminal id.
 */
terminal: string, 
/**
 * The card type as the statement names it.
 */
card_type: string, 
/**
 * Transactions in the journal.
 */
journal_count: number, 
/**
 * Their sum in the journal, signed minor units.
 */
journal_minor: number, 
/**
 * Lines on the statement.
 */
statement_count: number, 
/**
 * Their sum on the statement, signed minor units.
 */
statement_minor: number, 
/**
 * The acquirer's fees, minor units.
 */
fee_minor: number, 
/**
 * What the acquirer settles, minor units.
 */
net_minor: number, 
/**
 * statement − journal.
 */
difference_minor: number, };

/**
 * 凭证号 VOUCHER NO. / trace number: six digits, zero-padded. On UnionPay slips the
 * voucher number is the terminal's trace number, so [`VoucherNo`] is the same type.
 */
export type TraceNo = string;

/**
 * One card transaction as the terminal reported it. Times are the terminal's local
 * wall-clock time (what the slip prints), not UTC.
 */
export type Transaction = { 
/**
 * 终端编号: the terminal.
 */
terminal_id: TerminalId, 
/**
 * 商户编号: the merchant number it booked for.
 */
merchant_id: MerchantId, 
/**
 * 批次号: its batch.
 */
batch_no: BatchNo, 
/**
 * 凭证号: the voucher (trace) number.
 */
trace_no: TraceNo, 
/**
 * 交易类型.
 */
kind: TxnKind, 
/**
 * What became of it.
 */
outcome: Outcome, 
/**
 * 金额: always positive; `kind` says which way it went.
 */
amount: Money, 
/**
 * 日期时间: the terminal's local time.
 */
occurred_at: string, 
/**
 * The terminal's receipt number, when it counts one.
 */
receipt_no?: ReceiptNo | null, 
/**
 * 卡号, masked.
 */
pan?: MaskedPan | null, 
/**
 * 卡组织, when known.
 */
scheme?: CardScheme | null, 
/**
 * How the card was read, when known.
 */
entry_mode?: EntryMode | null, 
/**
 * 有效期, when printed.
 */
expiry?: Expiry | null, 
/**
 * 参考号.
 */
rrn?: Rrn | null, 
/**
 * 授权码.
 */
auth_code?: AuthCode | null, 
/**
 * 操作员号.
 */
operator_no?: OperatorNo | null, 
/**
 * 发卡行, as the terminal names it.
 */
issuer?: string | null, 
/**
 * 收单行, as the terminal names it.
 */
acquirer?: string | null, 
/**
 * 原凭证号 for voids and refunds.
 */
original_trace_no?: TraceNo | null, 
/**
 * 原参考号: a refund after settlement is matched by the acquirer on this.
 */
original_rrn?: Rrn | null, 
/**
 * 原交易日期.
 */
original_date?: string | null, };

/**
 * Everything the journal holds about one transaction.
 */
export type TxnDetail = { 
/**
 * The transaction.
 */
row: TxnRow, 
/**
 * Its batch: settled or open, and its totals.
 */
batch: Batch, 
/**
 * Its slip copies as the terminal printed them.
 */
slips: Array<SlipText>, 
/**
 * Voids, refunds and reversals that point at this transaction, and the original
 * this one points at.
 */
related: Array<TxnRow>, 
/**
 * The frames that carried it, masked.
 */
frames: Array<RawFrame>, };

/**
 * The terminal's own identity of a record. Two records with the same key are the
 * same record seen twice (a replay), never two transactions.
 */
export type TxnKey = { 
/**
 * The terminal.
 */
terminal_id: TerminalId, 
/**
 * Its batch.
 */
batch_no: BatchNo, 
/**
 * The voucher (trace) number.
 */
trace_no: TraceNo, 
/**
 * What kind of record (a void and its sale may share a voucher number).
 */
kind: TxnKind, };

/**
 * 交易类型 TRANS TYPE.
 */
export type TxnKind = "sale" | "void" | "refund" | "pre_auth" | "pre_auth_completion" | "reversal" | "pre_auth_cancel" | "pre_auth_completion_void" | "balance_inquiry" | "settlement";

/**
 * What to list: every field given must match.
 */
export type TxnQuery = { 
/**
 * The voucher (trace) number.
 */
voucher?: TraceNo | null, 
/**
 * The reference number.
 */
rrn?: Rrn | null, 
/**
 * The authorisation code.
 */
auth_code?: AuthCode | null, 
/**
 * Last four digits of the card.
 */
last4?: string | null, 
/**
 * Exact amount in minor units.
 */
amount_minor?: number | null, 
/**
 * Amount in minor units from the first to the second, both included.
 */
amount_between?: [number, number] | null, 
/**
 * Rows matching at least one of these: a search box's text read as every field
 * it could be. Empty: no such condition.
 */
any_of: Array<Probe>, 
/**
 * Terminal local time, inclusive.
 */
from?: string | null, 
/**
 * Terminal local time, exclusive.
 */
to?: string | null, 
/**
 * Only this terminal's.
 */
terminal?: TerminalId | null, 
/**
 * Only this batch's.
 */
batch?: BatchNo | null, 
/**
 * Only with this outcome.
 */
outcome?: Outcome | null, 
/**
 * Only of this kind.
 */
kind?: TxnKind | null, 
/**
 * Substring of the slip text.
 */
text?: string | null, 
/**
 * Only rows stored up to this row id: the pages of one list, asked for while a
 * terminal adds rows, stay in place (see [`Page::upto_id`]). None: everything.
 */
upto_id?: number | null, 
/**
 * Rows to skip (for the pages after the first).
 */
offset: number, 
/**
 * 0 means the default page size.
 */
limit: number, };

/**
 * A transaction as listed.
 */
export type TxnRow = { 
/**
 * Its row id (stable: the key for `show`).
 */
id: number, 
/**
 * The transaction.
 */
txn: Transaction, 
/**
 * When Slipkeeper stored it.
 */
recorded_at: string, 
/**
 * The batch has been settled: a void is no longer possible.
 */
settled: boolean, };

/**
 * What `verify` found.
 */
export type VerifyReport = { 
/**
 * Chain entries checked.
 */
checked: number, 
/**
 * Hex of the last chain hash: write it down to anchor the journal's current state.
 */
head: string, 
/**
 * Every problem found; empty when the journal is intact.
 */
problems: Array<Problem>, 
/**
 * Every time Slipkeeper itself recomputed the chain, and why (e.g. the migration
 * that masked card numbers kept by older versions). Not a problem: a record.
 */
rewrites: Array<ChainRewrite>, 
/**
 * The longest chain an anchor outside the file vouches for (None: no anchors
 * file beside the journal, e.g. a copy).
 */
anchored: number | null, };

/**
 * Settings → statements folder, and what it did last.
 */
export type WatchStatus = { 
/**
 * The folder watched; none: no folder is watched.
 */
folder?: string | null, 
/**
 * When the folder was last looked at.
 */
last_scan_at?: string | null, 
/**
 * The last statement it brought in.
 */
last_import?: WatchedImport | null, 
/**
 * A statement in the folder that does not read: file, row and column.
 */
last_error?: string | null, 
/**
 * The same in Chinese, where the core can say it.
 */
last_error_zh?: string | null, };

/**
 * The last statement the folder brought in.
 */
export type WatchedImport = { 
/**
 * The file's name.
 */
file: string, 
/**
 * When it was imported.
 */
at: string, 
/**
 * Lines new to the journal.
 */
new_lines: number, };

/** Every command the shell answers (crates/app/src/contract.rs): its arguments and its result. */
export interface Commands {
  /** The OS's file dialog for a purpose; null when the user cancels. */
  choose_path: { args: { purpose: Purpose; filters: Array<FileFilter>; default_path: string | null }; result: string | null };
  /** The journal's search, read forgivingly by the core (every field the text could be, near amounts). */
  search_journal: { args: { form: JournalForm }; result: Found };
  /** One transaction with its slip, frames and history. */
  transaction_detail: { args: { id: number }; result: TxnDetail };
  /** The terminal link as the service reports it. */
  link_status: { args: {}; result: LinkStatus };
  /** The link's status pushed as it changes, under the caller's token. */
  watch_link: { args: { token: number; updates: Channel<LinkStatus> }; result: null };
  /** Ends the stream of that token. */
  unwatch_link: { args: { token: number }; result: null };
  /** Saves a link to the terminal and has the service start it. */
  connect_terminal: { args: { request: ConnectRequest }; result: LinkStatus };
  /** How much the logs keep: error, warn, info, debug or trace. */
  set_log_level: { args: { level: LogLevel }; result: null };
  /** A support bundle at the path picked for it. */
  support_bundle: { args: { path: string }; result: BundleReport };
  /** Starts the link service in the background. */
  start_service: { args: {}; result: LinkStatus };
  /** Links to the built-in demo terminal. */
  connect_demo: { args: {}; result: LinkStatus };
  /** Removes the link. */
  disconnect_terminal: { args: {}; result: LinkStatus };
  /** The serial ports of this PC. */
  serial_ports: { args: {}; result: Array<PortInfo> };
  /** Checks the journal's hash chain and every stored frame. */
  verify_journal: { args: {}; result: VerifyReport };
  /** Today's figures and the alerts. */
  home: { args: {}; result: Home };
  /** The slips of a voucher as text, marked as a reprint. */
  reprint_preview: { args: { request: SlipRequest }; result: Array<SlipView> };
  /** The reprint as a PDF, for the page to draw. */
  reprint_pdf_preview: { args: { request: SlipRequest; paper: Paper }; result: ArrayBuffer };
  /** The reprint saved as a PDF in the exports folder; its path. */
  reprint_pdf: { args: { request: SlipRequest; paper: Paper }; result: string };
  /** The reprint on the system printer. */
  reprint_print: { args: { request: SlipRequest; paper: Paper }; result: null };
  /** The reprint on the ESC/POS receipt printer; the bytes sent. */
  reprint_receipt: { args: { request: SlipRequest }; result: number };
  /** Saves an acquirer's contact data. */
  set_acquirer: { args: { acquirer: Acquirer }; result: Acquirer };
  /** The printers set up. */
  printers: { args: {}; result: Printers };
  /** Sets the printers up. */
  set_printers: { args: { printers: Printers }; result: Printers };
  /** Opens a file the app wrote (an export, a pack) in the OS. */
  open_path: { args: { path: string }; result: null };
  /** Opens a case from a reconciliation discrepancy; its id. */
  open_case_from_discrepancy: { args: { discrepancy: Discrepancy; acquirer_id: string | null }; result: number };
  /** The terminals the journal knows. */
  terminals: { args: {}; result: Array<TerminalOverview> };
  /** Where the journal and its folders are. */
  data_folder: { args: {}; result: DataFolder };
  /** A backup at the path picked for it. */
  backup_journal: { args: { path: string }; result: null };
  /** The automatic backups: where, how many, the last one. */
  backups: { args: {}; result: BackupStatus };
  /** Sets the automatic backups (a new folder must have been picked in the dialog). */
  set_backup_plan: { args: { plan: BackupPlan }; result: BackupStatus };
  /** An automatic backup now, into the chosen folder. */
  backup_now: { args: {}; result: BackupStatus };
  /** The automatic copies in the backup folder, newest first. */
  backup_copies: { args: {}; result: Array<BackupCopy> };
  /** Restores the journal from the automatic copy of that name in the backup folder. */
  restore_backup_copy: { args: { name: string }; result: VerifyReport };
  /** The statements folder and what it imported last. */
  watch_status: { args: {}; result: WatchStatus };
  /** Watches a folder for statements (one picked in the dialog), or none; imports what is there. */
  set_watch_folder: { args: { folder: string | null }; result: WatchStatus };
  /** The head office this shop joined, if any, and how the service's sending goes. */
  head_office: { args: {}; result: HeadOfficeLink | null };
  /** Joins head office as a shop (checked by connecting; the password goes to the OS keyring). */
  join_head_office: { args: { address: string; password: string; every_seconds: number }; result: Joined };
  /** Stops sending to head office; whether the shop had joined one. */
  leave_head_office: { args: {}; result: boolean };
  /** Every shop's transactions at head office that the search text could mean. */
  search_head_office: { args: { address: string; password: string; text: string }; result: Array<HqRow> };
  /** One shop's transaction diagnosed at head office from that shop's records. */
  diagnose_at_head_office: { args: { address: string; password: string; shop_id: string; complaint: Complaint; lookup: Lookup }; result: ShopDiagnosis };
  /** Every shop's cases at head office, soonest deadline first. */
  head_office_cases: { args: { address: string; password: string; due_within: number | null }; result: Array<HqCase> };
  /** The acquirer's statement (a file picked in the dialog) against every shop, split by shop. */
  reconcile_at_head_office: { args: { address: string; password: string; path: string }; result: ShopsReconciliation };
  /** Restores the journal from the backup picked for it. */
  restore_journal: { args: { path: string }; result: VerifyReport };
  /** What happened to a voucher and what to do. */
  diagnose: { args: { complaint: Complaint; lookup: Lookup }; result: Diagnosis };
  /** Opens a case for a complaint about a transaction; its id. */
  open_case: { args: { complaint: Complaint; lookup: Lookup; acquirer_id: string | null }; result: number };
  /** Every case. */
  list_cases: { args: {}; result: Array<CaseSummary> };
  /** A case's page: its transaction, deadline, letter, packs, history and next statuses. */
  case_page: { args: { id: number }; result: CasePage };
  /** A status, note or acquirer reference set on a case; its page after. */
  update_case: { args: { id: number; update: CaseUpdate }; result: CasePage };
  /** How to contact the acquirer about a case, with what and by when. */
  contact_plan: { args: { id: number }; result: ContactPlan };
  /** Builds the evidence pack of a case. */
  build_evidence: { args: { id: number }; result: PackReport };
  /** Checks every hash of an evidence pack. */
  verify_evidence: { args: { path: string }; result: PackCheck };
  /** The shop's details for letters and slips. */
  merchant_profile: { args: {}; result: MerchantProfile };
  /** Saves the shop's details. */
  set_merchant_profile: { args: { profile: MerchantProfile }; result: null };
  /** The shop's details with what the slips say filled in (first start). */
  suggested_profile: { args: {}; result: MerchantProfile };
  /** The shop's details a letter to the acquirer needs and the profile lacks. */
  missing_profile: { args: {}; result: Array<string> };
  /** The acquirers Slipkeeper knows. */
  acquirers: { args: {}; result: Array<Acquirer> };
  /** The acquirer the terminal named on a transaction, when the directory has it. */
  acquirer_for: { args: { id: number }; result: string | null };
  /** Imports an acquirer's statement picked for it. */
  import_statement: { args: { path: string }; result: StatementReport };
  /** The journal against the imported statements. */
  reconcile: { args: {}; result: ReconcileReport | null };
}
