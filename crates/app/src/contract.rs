//! The desktop's commands, declared once: name, arguments, result. The TypeScript list
//! of commands (`Commands` in `ui/src/lib/types.generated.ts`) is generated from here,
//! so a wrong command name, argument or result type is a type error in `ui/`; a test
//! holds the shell's `#[tauri::command]` functions and its permission list to it
//! (`tests/boundaries.rs`).
//!
//! The request types the window sends are here too when no other module owns them:
//! what a reprint is about, the file pickers' purposes.

use serde::{Deserialize, Serialize};
use slipkeeper_domain::{CopyType, TerminalId, TraceNo};
use std::marker::PhantomData;
use ts_rs::{TypeVisitor, TS};

// The types the commands name (kept in scope for the declaration below).
#[allow(unused_imports)]
use crate::head_office::{HeadOfficeLink, HqCase, Joined, ShopDiagnosis, ShopsReconciliation};
#[allow(unused_imports)]
use crate::logs::LogLevel;
#[allow(unused_imports)]
use crate::{
    Acquirer, AppError, BackupCopy, BackupPlan, BackupStatus, BundleReport, CasePage, CaseSummary,
    CaseUpdate, ConnectRequest, ContactPlan, DataFolder, Found, Home, JournalForm, LinkStatus,
    Lookup, MerchantProfile, PackCheck, PackReport, Page, PortInfo, Printers, ReconcileReport,
    SlipView, StatementReport, TerminalOverview, TxnDetail, TxnRow, VerifyReport, WatchStatus,
};
#[allow(unused_imports)]
use slipkeeper_domain::{Complaint, Diagnosis, Discrepancy};
#[allow(unused_imports)]
use slipkeeper_hq::HqRow;
#[allow(unused_imports)]
use slipkeeper_slip::Paper;
#[allow(unused_imports)]
use std::path::PathBuf;

/// Which copies of a slip: the merchant's, the cardholder's, or both.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyChoice {
    /// The shop's copy.
    Merchant,
    /// The customer's copy.
    Cardholder,
    /// Both, the shop's first.
    Both,
}

impl CopyChoice {
    /// The copies chosen, in print order.
    pub fn copies(self) -> Vec<CopyType> {
        match self {
            CopyChoice::Merchant => vec![CopyType::Merchant],
            CopyChoice::Cardholder => vec![CopyType::Cardholder],
            CopyChoice::Both => vec![CopyType::Merchant, CopyType::Cardholder],
        }
    }
}

/// The slips a reprint is about: a voucher, on a terminal when the voucher number is on
/// more than one, and which copies.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipRequest {
    /// The voucher number.
    pub voucher_no: TraceNo,
    /// The terminal, when the voucher number is on more than one.
    pub terminal_id: Option<TerminalId>,
    /// The batch, when the voucher number is in more than one (a list picked from).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub batch_no: Option<slipkeeper_domain::BatchNo>,
    /// A line of the acquirer's statement to rebuild the slip from (a payment the
    /// journal has no record of); the voucher is then only for the file's name.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub line_id: Option<i64>,
    /// Which copies.
    pub copy: CopyChoice,
}

/// What a file picked in the OS's dialog is for: the shell lets a backup be written, a
/// journal restored, a statement imported or a bundle saved only at a path the user
/// picked for that purpose.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A file to write a backup to.
    Backup,
    /// A folder for the automatic backups.
    BackupFolder,
    /// A folder statements are imported from as they appear (e.g. Downloads).
    StatementFolder,
    /// A journal backup to restore.
    Restore,
    /// A statement file to import.
    Statement,
    /// A file to write a support bundle to.
    Bundle,
}

/// A filter of the file dialogs: a name and extensions without the dot.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFilter {
    /// The filter's label.
    pub name: String,
    /// Extensions without the dot.
    pub extensions: Vec<String>,
}

/// A command's result sent as raw bytes (a PDF), not JSON: an `ArrayBuffer` in the page.
pub struct Bytes;

/// A stream the page opens and the shell writes to (a Tauri `Channel<T>`).
pub struct Updates<T>(PhantomData<T>);

/// How a type reads in TypeScript, and the declarations it needs.
pub trait TsType {
    /// The TypeScript type.
    fn ts() -> String;
    /// Hands every type it is made of to `v` (for their declarations).
    fn visit(v: &mut impl TypeVisitor);
}

impl<T: TS + 'static> TsType for T {
    fn ts() -> String {
        // ts-rs writes 64-bit integers as bigint; JSON delivers them as numbers, all
        // far below 2^53 here.
        T::name().replace("bigint", "number")
    }
    fn visit(v: &mut impl TypeVisitor) {
        v.visit::<T>();
    }
}

impl TsType for Bytes {
    fn ts() -> String {
        "ArrayBuffer".into()
    }
    fn visit(_: &mut impl TypeVisitor) {}
}

impl<T: TS + 'static> TsType for Updates<T> {
    fn ts() -> String {
        format!("Channel<{}>", T::name())
    }
    fn visit(v: &mut impl TypeVisitor) {
        v.visit::<T>();
    }
}

/// One command: its name, its arguments (name, TypeScript type, Rust type as written)
/// and its result.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The command's name, as `invoke` names it.
    pub name: &'static str,
    /// Its doc line.
    pub doc: &'static str,
    /// Its arguments, in order.
    pub args: Vec<ArgSpec>,
    /// Its result's TypeScript type.
    pub result: String,
    /// The result's Rust type as written in the declaration.
    pub result_rust: &'static str,
}

/// One argument of a command.
#[derive(Clone, Debug)]
pub struct ArgSpec {
    /// Its name, as the page passes it.
    pub name: &'static str,
    /// Its TypeScript type.
    pub ts: String,
    /// Its Rust type as written.
    pub rust: &'static str,
}

macro_rules! contract {
    ($( #[doc = $doc:literal] $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        /// Every command the shell answers, in the order declared.
        pub fn commands() -> Vec<CommandSpec> {
            vec![$(CommandSpec {
                name: stringify!($name),
                doc: $doc,
                args: vec![$(ArgSpec {
                    name: stringify!($arg),
                    ts: <$ty as TsType>::ts(),
                    rust: stringify!($ty),
                }),*],
                result: <$ret as TsType>::ts(),
                result_rust: stringify!($ret),
            }),*]
        }

        /// Visits every type the commands take or return (for the TypeScript declarations).
        pub fn visit_types(v: &mut impl TypeVisitor) {
            $( $( <$ty as TsType>::visit(v); )* <$ret as TsType>::visit(v); )*
        }
    };
}

contract! {
    /// The OS's file dialog for a purpose; null when the user cancels.
    choose_path(purpose: Purpose, filters: Vec<FileFilter>, default_path: Option<PathBuf>) -> Option<PathBuf>;
    /// The journal's search, read forgivingly by the core (every field the text could be, near amounts).
    search_journal(form: JournalForm) -> Found;
    /// One transaction with its slip, frames and history.
    transaction_detail(id: i64) -> TxnDetail;
    /// The terminal link as the service reports it.
    link_status() -> LinkStatus;
    /// The link's status pushed as it changes, under the caller's token.
    watch_link(token: u64, updates: Updates<LinkStatus>) -> ();
    /// Ends the stream of that token.
    unwatch_link(token: u64) -> ();
    /// Saves a link to the terminal and has the service start it.
    connect_terminal(request: ConnectRequest) -> LinkStatus;
    /// How much the logs keep: error, warn, info, debug or trace.
    set_log_level(level: LogLevel) -> ();
    /// A support bundle at the path picked for it.
    support_bundle(path: PathBuf) -> BundleReport;
    /// Starts the link service in the background.
    start_service() -> LinkStatus;
    /// Links to the built-in demo terminal.
    connect_demo() -> LinkStatus;
    /// Removes the link.
    disconnect_terminal() -> LinkStatus;
    /// The serial ports of this PC.
    serial_ports() -> Vec<PortInfo>;
    /// Checks the journal's hash chain and every stored frame.
    verify_journal() -> VerifyReport;
    /// Today's figures and the alerts.
    home() -> Home;
    /// The slips of a voucher as text, marked as a reprint.
    reprint_preview(request: SlipRequest) -> Vec<SlipView>;
    /// The reprint as a PDF, for the page to draw.
    reprint_pdf_preview(request: SlipRequest, paper: Paper) -> Bytes;
    /// The reprint saved as a PDF in the exports folder; its path.
    reprint_pdf(request: SlipRequest, paper: Paper) -> PathBuf;
    /// The reprint on the system printer.
    reprint_print(request: SlipRequest, paper: Paper) -> ();
    /// The reprint on the ESC/POS receipt printer; the bytes sent.
    reprint_receipt(request: SlipRequest) -> usize;
    /// Saves an acquirer's contact data.
    set_acquirer(acquirer: Acquirer) -> Acquirer;
    /// The printers set up.
    printers() -> Printers;
    /// Sets the printers up.
    set_printers(printers: Printers) -> Printers;
    /// Opens a file the app wrote (an export, a pack) in the OS.
    open_path(path: PathBuf) -> ();
    /// Opens a case from a reconciliation discrepancy; its id.
    open_case_from_discrepancy(discrepancy: Discrepancy, acquirer_id: Option<String>) -> i64;
    /// The terminals the journal knows.
    terminals() -> Vec<TerminalOverview>;
    /// Where the journal and its folders are.
    data_folder() -> DataFolder;
    /// A backup at the path picked for it.
    backup_journal(path: PathBuf) -> ();
    /// The automatic backups: where, how many, the last one.
    backups() -> BackupStatus;
    /// Sets the automatic backups (a new folder must have been picked in the dialog).
    set_backup_plan(plan: BackupPlan) -> BackupStatus;
    /// An automatic backup now, into the chosen folder.
    backup_now() -> BackupStatus;
    /// The automatic copies in the backup folder, newest first.
    backup_copies() -> Vec<BackupCopy>;
    /// Restores the journal from the automatic copy of that name in the backup folder.
    restore_backup_copy(name: String) -> VerifyReport;
    /// The statements folder and what it imported last.
    watch_status() -> WatchStatus;
    /// Watches a folder for statements (one picked in the dialog), or none; imports what is there.
    set_watch_folder(folder: Option<PathBuf>) -> WatchStatus;
    /// The head office this shop joined, if any, and how the service's sending goes.
    head_office() -> Option<HeadOfficeLink>;
    /// Joins head office as a shop (checked by connecting; the password goes to the OS keyring).
    join_head_office(address: String, password: String, every_seconds: u64) -> Joined;
    /// Stops sending to head office; whether the shop had joined one.
    leave_head_office() -> bool;
    /// Every shop's transactions at head office that the search text could mean.
    search_head_office(address: String, password: String, text: String) -> Vec<HqRow>;
    /// One shop's transaction diagnosed at head office from that shop's records.
    diagnose_at_head_office(address: String, password: String, shop_id: String, complaint: Complaint, lookup: Lookup) -> ShopDiagnosis;
    /// Every shop's cases at head office, soonest deadline first.
    head_office_cases(address: String, password: String, due_within: Option<i64>) -> Vec<HqCase>;
    /// The acquirer's statement (a file picked in the dialog) against every shop, split by shop.
    reconcile_at_head_office(address: String, password: String, path: PathBuf) -> ShopsReconciliation;
    /// Restores the journal from the backup picked for it.
    restore_journal(path: PathBuf) -> VerifyReport;
    /// What happened to a voucher and what to do.
    diagnose(complaint: Complaint, lookup: Lookup) -> Diagnosis;
    /// Opens a case for a complaint about a transaction; its id.
    open_case(complaint: Complaint, lookup: Lookup, acquirer_id: Option<String>) -> i64;
    /// Every case.
    list_cases() -> Vec<CaseSummary>;
    /// A case's page: its transaction, deadline, letter, packs, history and next statuses.
    case_page(id: i64) -> CasePage;
    /// A status, note or acquirer reference set on a case; its page after.
    update_case(id: i64, update: CaseUpdate) -> CasePage;
    /// How to contact the acquirer about a case, with what and by when.
    contact_plan(id: i64) -> ContactPlan;
    /// Builds the evidence pack of a case.
    build_evidence(id: i64) -> PackReport;
    /// Checks every hash of an evidence pack.
    verify_evidence(path: PathBuf) -> PackCheck;
    /// The shop's details for letters and slips.
    merchant_profile() -> MerchantProfile;
    /// Saves the shop's details.
    set_merchant_profile(profile: MerchantProfile) -> ();
    /// The shop's details with what the slips say filled in (first start).
    suggested_profile() -> MerchantProfile;
    /// The shop's details a letter to the acquirer needs and the profile lacks.
    missing_profile() -> Vec<String>;
    /// The acquirers Slipkeeper knows.
    acquirers() -> Vec<Acquirer>;
    /// The acquirer the terminal named on a transaction, when the directory has it.
    acquirer_for(id: i64) -> Option<String>;
    /// Imports an acquirer's statement picked for it.
    import_statement(path: PathBuf) -> StatementReport;
    /// The journal against the imported statements.
    reconcile() -> Option<ReconcileReport>;
}

/// The `Commands` interface for `ui/`: each command's arguments and result.
pub fn typescript() -> String {
    let mut out = String::from(
        "/** Every command the shell answers (crates/app/src/contract.rs): its arguments and its result. */\nexport interface Commands {\n",
    );
    for c in commands() {
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.ts))
            .collect();
        let args = if args.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        out.push_str(&format!(
            "  /** {} */\n  {}: {{ args: {args}; result: {} }};\n",
            c.doc.trim(),
            c.name,
            c.result
        ));
    }
    out.push_str("}\n");
    out
}

/// The reprint commands over a [`SlipRequest`], as the window asks for them.
impl crate::App {
    /// The slips a request is about: a statement line's, or a voucher's.
    fn slips_for(&self, r: &SlipRequest) -> Result<Vec<slipkeeper_slip::Slip>, AppError> {
        match r.line_id {
            Some(id) => self.reprint_statement_line(id, &r.copy.copies()),
            None => self.reprint(
                &r.voucher_no,
                r.terminal_id.as_ref(),
                r.batch_no.as_ref(),
                &r.copy.copies(),
            ),
        }
    }

    /// The slips of a reprint request, as the preview shows them.
    pub fn reprint_preview_for(&self, r: &SlipRequest) -> Result<Vec<SlipView>, AppError> {
        Ok(self.slips_for(r)?.iter().map(SlipView::from).collect())
    }

    /// The slips of a reprint request as a PDF, for the preview.
    pub fn reprint_pdf_preview_for(
        &self,
        r: &SlipRequest,
        paper: Paper,
    ) -> Result<Vec<u8>, AppError> {
        crate::reprint::pdf_bytes(&self.slips_for(r)?, paper)
    }

    /// The slips of a reprint request saved as a PDF in the exports folder; returns its
    /// path.
    pub fn reprint_pdf_for(&self, r: &SlipRequest, paper: Paper) -> Result<PathBuf, AppError> {
        let slips = self.slips_for(r)?;
        let t = r.terminal_id.as_ref().map(|t| t.as_str()).unwrap_or("any");
        let path = self.exports_dir()?.join(format!(
            "reprint-{t}-{}-{}.pdf",
            r.voucher_no,
            self.clock.local_now().format("%Y%m%d-%H%M%S")
        ));
        self.save_pdf(&slips, paper, &path)?;
        Ok(path)
    }

    /// The slips of a reprint request on the system printer set in Settings.
    pub fn reprint_print_for(&self, r: &SlipRequest, paper: Paper) -> Result<(), AppError> {
        let printer = self.printers()?.system;
        self.print_on_system_printer(&self.slips_for(r)?, paper, printer.as_deref())
    }

    /// The slips of a reprint request on the receipt printer set in Settings; returns the
    /// bytes sent.
    pub fn reprint_receipt_for(&self, r: &SlipRequest) -> Result<usize, AppError> {
        let (target, cols) = self.printers()?.receipt_target()?;
        self.print_escpos(&self.slips_for(r)?, cols, &target)
    }
}
