//! The desktop shell: windows and commands, nothing else. Each command parses its
//! arguments, calls one function of `slipkeeper_app` and returns its result; errors
//! cross IPC as `{code, message}` (see `slipkeeper_app::AppError`).

use slipkeeper_app::{
    Acquirer, App, AppError, CaseSummary, CaseView, ConnectRequest, ContactPlan, DataFolder,
    ErrorCode, Home, LinkSlot, LinkStatus, Lookup, MerchantProfile, PackCheck, PackReport, Page,
    Paper, PortInfo, Printers, ReconcileReport, SlipView, StatementReport, SystemClock,
    TerminalOverview, TxnDetail, TxnQuery, TxnRow, VerifyReport,
};
use slipkeeper_domain::{Complaint, Diagnosis, Discrepancy, TerminalId, TraceNo};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri_plugin_opener::OpenerExt;

struct State(Arc<Mutex<App>>);

/// The terminal link, apart from the journal lock: connecting never blocks a screen.
struct Link(LinkSlot);

impl State {
    fn with<T>(&self, f: impl FnOnce(&mut App) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut app = self.0.lock().map_err(|_| {
            AppError::new(
                ErrorCode::Internal,
                "the journal is unavailable after an earlier failure; restart Slipkeeper",
            )
        })?;
        f(&mut app)
    }
}

#[tauri::command]
fn list_transactions(
    state: tauri::State<'_, State>,
    query: TxnQuery,
) -> Result<Page<TxnRow>, AppError> {
    state.with(|app| app.search(&query))
}

#[tauri::command]
fn transaction_detail(state: tauri::State<'_, State>, id: i64) -> Result<TxnDetail, AppError> {
    state.with(|app| app.detail(id))
}

#[tauri::command]
fn link_status(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.0.status()
}

#[tauri::command]
fn connect_terminal(
    link: tauri::State<'_, Link>,
    request: ConnectRequest,
) -> Result<LinkStatus, AppError> {
    link.0.connect(&request)
}

#[tauri::command]
fn connect_demo(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.0.connect_demo()
}

#[tauri::command]
fn disconnect_terminal(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.0.disconnect()
}

#[tauri::command]
fn serial_ports() -> Vec<PortInfo> {
    slipkeeper_app::serial_ports()
}

#[tauri::command]
fn verify_journal(state: tauri::State<'_, State>) -> Result<VerifyReport, AppError> {
    state.with(|app| app.verify())
}

fn bad(e: impl ToString) -> AppError {
    AppError::new(ErrorCode::BadInput, e.to_string())
}

fn complaint(s: &str) -> Result<Complaint, AppError> {
    Complaint::parse(s).ok_or_else(|| bad(format!("unknown complaint {s:?}")))
}

fn paper(s: &str) -> Result<Paper, AppError> {
    Paper::parse(s).ok_or_else(|| bad(format!("paper {s:?}: expected 58mm, 80mm or a4")))
}

fn voucher(v: &str) -> Result<TraceNo, AppError> {
    TraceNo::new(v).map_err(bad)
}

fn terminal(t: Option<String>) -> Result<Option<TerminalId>, AppError> {
    t.filter(|s| !s.is_empty())
        .map(|s| TerminalId::new(&s).map_err(bad))
        .transpose()
}

#[tauri::command]
fn home(state: tauri::State<'_, State>) -> Result<Home, AppError> {
    state.with(|app| app.home_now())
}

#[tauri::command(rename_all = "snake_case")]
fn reprint_preview(
    state: tauri::State<'_, State>,
    voucher_no: String,
    terminal_id: Option<String>,
    copy: String,
) -> Result<Vec<SlipView>, AppError> {
    state.with(|app| {
        app.reprint_preview(
            &voucher(&voucher_no)?,
            terminal(terminal_id)?.as_ref(),
            &slipkeeper_app::copies(&copy)?,
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
fn reprint_pdf(
    state: tauri::State<'_, State>,
    voucher_no: String,
    terminal_id: Option<String>,
    copy: String,
    paper_size: String,
) -> Result<PathBuf, AppError> {
    state.with(|app| {
        app.reprint_to_exports(
            &voucher(&voucher_no)?,
            terminal(terminal_id)?.as_ref(),
            &slipkeeper_app::copies(&copy)?,
            paper(&paper_size)?,
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
fn reprint_print(
    state: tauri::State<'_, State>,
    voucher_no: String,
    terminal_id: Option<String>,
    copy: String,
    paper_size: String,
) -> Result<(), AppError> {
    state.with(|app| {
        app.reprint_on_system_printer(
            &voucher(&voucher_no)?,
            terminal(terminal_id)?.as_ref(),
            &slipkeeper_app::copies(&copy)?,
            paper(&paper_size)?,
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
fn reprint_receipt(
    state: tauri::State<'_, State>,
    voucher_no: String,
    terminal_id: Option<String>,
    copy: String,
) -> Result<usize, AppError> {
    state.with(|app| {
        app.reprint_on_receipt_printer(
            &voucher(&voucher_no)?,
            terminal(terminal_id)?.as_ref(),
            &slipkeeper_app::copies(&copy)?,
        )
    })
}

/// Settings → acquirers: an entry checked against the shop's contract.
#[tauri::command]
fn set_acquirer(state: tauri::State<'_, State>, acquirer: Acquirer) -> Result<Acquirer, AppError> {
    state.with(|app| app.set_acquirer(&acquirer))
}

#[tauri::command]
fn printers(state: tauri::State<'_, State>) -> Result<Printers, AppError> {
    state.with(|app| app.printers())
}

#[tauri::command]
fn set_printers(state: tauri::State<'_, State>, printers: Printers) -> Result<Printers, AppError> {
    state.with(|app| app.set_printers(&printers))
}

/// Opens a reprint, an evidence pack or the data folder with the program the OS
/// chooses — only files inside the data folder (see `App::openable`).
#[tauri::command]
fn open_path(
    state: tauri::State<'_, State>,
    window: tauri::Window,
    path: PathBuf,
) -> Result<(), AppError> {
    let path = state.with(|app| app.openable(&path))?;
    window
        .opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("cannot open {}: {e}", path.display()),
            )
        })
}

/// Reconcile → "open a case" on one discrepancy.
#[tauri::command(rename_all = "snake_case")]
fn open_case_from_discrepancy(
    state: tauri::State<'_, State>,
    discrepancy: Discrepancy,
    acquirer_id: Option<String>,
) -> Result<i64, AppError> {
    state.with(|app| app.open_case_from_discrepancy(&discrepancy, acquirer_id.as_deref()))
}

#[tauri::command]
fn terminals(state: tauri::State<'_, State>) -> Result<Vec<TerminalOverview>, AppError> {
    state.with(|app| app.terminal_overview())
}

#[tauri::command]
fn data_folder(state: tauri::State<'_, State>) -> Result<DataFolder, AppError> {
    state.with(|app| app.data_folder())
}

#[tauri::command]
fn backup_journal(state: tauri::State<'_, State>, path: PathBuf) -> Result<(), AppError> {
    state.with(|app| app.backup(&path))
}

/// The terminal link pauses while the journal is replaced, then carries on.
#[tauri::command]
fn restore_journal(
    state: tauri::State<'_, State>,
    link: tauri::State<'_, Link>,
    path: PathBuf,
) -> Result<VerifyReport, AppError> {
    link.0.paused(|| state.with(|app| app.restore(&path)))
}

#[tauri::command]
fn diagnose(
    state: tauri::State<'_, State>,
    complaint: String,
    lookup: Lookup,
) -> Result<Diagnosis, AppError> {
    state.with(|app| app.diagnose(self::complaint(&complaint)?, &lookup))
}

#[tauri::command(rename_all = "snake_case")]
fn open_case(
    state: tauri::State<'_, State>,
    complaint: String,
    lookup: Lookup,
    acquirer_id: Option<String>,
) -> Result<i64, AppError> {
    state.with(|app| {
        app.open_case(
            self::complaint(&complaint)?,
            &lookup,
            acquirer_id.as_deref(),
            None,
        )
    })
}

#[tauri::command]
fn list_cases(state: tauri::State<'_, State>) -> Result<Vec<CaseSummary>, AppError> {
    state.with(|app| app.cases())
}

#[tauri::command]
fn case_view(state: tauri::State<'_, State>, id: i64) -> Result<CaseView, AppError> {
    state.with(|app| app.case(id))
}

#[tauri::command]
fn contact_plan(state: tauri::State<'_, State>, id: i64) -> Result<ContactPlan, AppError> {
    state.with(|app| app.contact_plan(id))
}

#[tauri::command]
fn build_evidence(state: tauri::State<'_, State>, id: i64) -> Result<PackReport, AppError> {
    state.with(|app| app.evidence_to_exports(id))
}

#[tauri::command]
fn verify_evidence(path: PathBuf) -> Result<PackCheck, AppError> {
    slipkeeper_app::verify_evidence(&path)
}

#[tauri::command]
fn merchant_profile(state: tauri::State<'_, State>) -> Result<MerchantProfile, AppError> {
    state.with(|app| app.merchant_profile())
}

#[tauri::command]
fn set_merchant_profile(
    state: tauri::State<'_, State>,
    profile: MerchantProfile,
) -> Result<(), AppError> {
    state.with(|app| app.set_merchant_profile(&profile))
}

#[tauri::command]
fn acquirers(state: tauri::State<'_, State>) -> Result<Vec<Acquirer>, AppError> {
    state.with(|app| app.acquirers())
}

#[tauri::command]
fn import_statement(
    state: tauri::State<'_, State>,
    path: PathBuf,
) -> Result<StatementReport, AppError> {
    state.with(|app| app.import_statement(&path, None, None))
}

#[tauri::command]
fn reconcile(state: tauri::State<'_, State>) -> Result<Option<ReconcileReport>, AppError> {
    state.with(|app| {
        app.statement_period()?
            .map(|(from, to)| app.reconcile(from, to))
            .transpose()
    })
}

/// The journal to open: `SLIPKEEPER_DB` if set (`make run` points it at a demo
/// journal), else the platform data folder.
fn journal_path() -> Result<PathBuf, AppError> {
    match std::env::var_os("SLIPKEEPER_DB") {
        Some(p) => Ok(PathBuf::from(p)),
        None => slipkeeper_app::default_db_path(),
    }
}

pub fn run() {
    let path = match journal_path() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("slipkeeper: {}", e.message);
            std::process::exit(1);
        }
    };
    let app = match App::open(&path, SystemClock) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("slipkeeper: {}", e.message);
            std::process::exit(1);
        }
    };
    let app = Arc::new(Mutex::new(app));
    let link = LinkSlot::new(&path);
    // `make run`: mirror the built-in demo terminal, customers paying live.
    if std::env::var_os("SLIPKEEPER_DEMO").is_some() {
        if let Err(e) = link.connect_demo() {
            eprintln!("slipkeeper: demo terminal: {}", e.message);
        }
    }
    let result = tauri::Builder::default()
        // Native file pickers (statements, backups) and opening files with the OS.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(State(app))
        .manage(Link(link))
        .invoke_handler(tauri::generate_handler![
            list_transactions,
            transaction_detail,
            link_status,
            connect_terminal,
            connect_demo,
            disconnect_terminal,
            serial_ports,
            verify_journal,
            home,
            reprint_preview,
            reprint_pdf,
            reprint_print,
            reprint_receipt,
            printers,
            set_printers,
            set_acquirer,
            open_path,
            data_folder,
            terminals,
            open_case_from_discrepancy,
            backup_journal,
            restore_journal,
            diagnose,
            open_case,
            list_cases,
            case_view,
            contact_plan,
            build_evidence,
            verify_evidence,
            merchant_profile,
            set_merchant_profile,
            acquirers,
            import_statement,
            reconcile
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("slipkeeper: the window could not start: {e}");
        std::process::exit(1);
    }
}
