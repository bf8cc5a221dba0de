//! The desktop shell: windows and commands, nothing else. Each command is declared in
//! `slipkeeper_app::contract` (name, argument and result types, generated into the
//! UI's TypeScript); here it takes those typed arguments — parsing nothing — calls one
//! function of `slipkeeper_app` and returns its result. Errors cross IPC as
//! `{code, message, field}` (see `slipkeeper_app::AppError`).

#![warn(missing_docs)]

use slipkeeper_app::head_office::{
    HeadOfficeLink, HqCase, HqRow, Joined, ShopDiagnosis, ShopsReconciliation,
};
use slipkeeper_app::logs::LogLevel;
use slipkeeper_app::window::Launch;
use slipkeeper_app::{
    clock_from_env, Acquirer, App, AppError, BackupCopy, BackupPlan, BackupStatus, BundleReport,
    CasePage, CaseSummary, CaseUpdate, ConnectRequest, ContactPlan, DataFolder, ErrorCode,
    FileFilter, Found, Home, JournalForm, LinkStatus, Lookup, MerchantProfile, PackCheck,
    PackReport, Paper, PortInfo, Printers, Purpose, ReconcileReport, ServiceClient, SlipRequest,
    SlipView, StatementReport, SystemClock, TerminalOverview, TxnDetail, VerifyReport, WatchStatus,
};
use slipkeeper_domain::{Complaint, Diagnosis, Discrepancy};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tauri_plugin_opener::OpenerExt;

/// The journal the window works on, or why it could not be opened (not a journal,
/// locked, no permission): the window opens either way and every screen says why,
/// instead of nothing showing at all.
struct State(Result<Arc<Mutex<App>>, AppError>);

/// Paths the user picked in the OS's file dialogs, which the shell shows itself (the
/// window cannot call the dialog plugin): a backup is written, and a journal restored,
/// only at a path picked for that purpose — never at one the page made up. Each pick is
/// used once.
#[derive(Default)]
struct Chosen(Mutex<std::collections::HashSet<(Purpose, PathBuf)>>);

impl Chosen {
    fn remember(&self, purpose: Purpose, path: &std::path::Path) {
        if let Ok(mut c) = self.0.lock() {
            c.insert((purpose, path.to_path_buf()));
        }
    }

    fn take(&self, purpose: Purpose, path: &std::path::Path) -> Result<(), AppError> {
        let picked = self
            .0
            .lock()
            .map(|mut c| c.remove(&(purpose, path.to_path_buf())))
            .unwrap_or(false);
        if picked {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::BadInput,
                format!(
                    "{} was not chosen in the file dialog; choose the file again",
                    path.display()
                ),
            ))
        }
    }
}

fn dialog(
    window: &tauri::Window,
    filters: &[FileFilter],
    default_path: Option<PathBuf>,
) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    use tauri_plugin_dialog::DialogExt;
    let mut d = window.dialog().file().set_parent(window);
    for f in filters {
        let exts: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
        d = d.add_filter(&f.name, &exts);
    }
    if let Some(p) = default_path {
        match (p.parent(), p.file_name()) {
            (Some(dir), Some(name)) if !dir.as_os_str().is_empty() => {
                d = d.set_directory(dir).set_file_name(name.to_string_lossy());
            }
            _ => d = d.set_directory(p),
        }
    }
    d
}

/// The OS's file dialog for `purpose` — "save as" for a backup, "open" otherwise — on
/// the blocking pool; what is picked may then be used once for that purpose
/// (`Chosen::take`).
#[tauri::command(rename_all = "snake_case")]
async fn choose_path(
    window: tauri::Window,
    chosen: tauri::State<'_, Arc<Chosen>>,
    purpose: Purpose,
    filters: Vec<FileFilter>,
    default_path: Option<PathBuf>,
) -> Result<Option<PathBuf>, AppError> {
    let chosen = chosen.inner().clone();
    off_main(move || {
        let d = dialog(&window, &filters, default_path);
        let picked = match purpose {
            Purpose::Backup | Purpose::Bundle => d.blocking_save_file(),
            Purpose::BackupFolder | Purpose::StatementFolder => d.blocking_pick_folder(),
            Purpose::Restore | Purpose::Statement => d.blocking_pick_file(),
        };
        let picked = picked.and_then(|p| p.into_path().ok());
        if let Some(p) = &picked {
            chosen.remember(purpose, p);
        }
        Ok(picked)
    })
    .await
}

/// The terminal link, run by the link service (the window is its client), apart from
/// the journal lock: connecting never blocks a screen.
struct Link(Arc<ServiceClient>);

// Every command runs on Tauri's blocking pool, never on the window's main thread: a
// plain `#[tauri::command]` runs there, and a search over a million rows, an evidence
// pack or a connect timeout would freeze the whole window (GTK's loop) meanwhile.
async fn off_main<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let result = tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("the command stopped: {e}")))?;
    if let Err(e) = &result {
        tracing::warn!(code = ?e.code, error = %e.message, "a window command failed");
    }
    result
}

impl State {
    fn app(&self) -> Result<Arc<Mutex<App>>, AppError> {
        self.0.clone()
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut App) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let app = self.app()?;
        off_main(move || f(&mut *locked(&app)?)).await
    }
}

fn locked(app: &Mutex<App>) -> Result<MutexGuard<'_, App>, AppError> {
    app.lock().map_err(|_| {
        AppError::new(
            ErrorCode::Internal,
            "the journal is unavailable after an earlier failure; restart Slipkeeper",
        )
    })
}

impl Link {
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&ServiceClient) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let link = self.0.clone();
        off_main(move || f(&link)).await
    }
}

#[tauri::command(rename_all = "snake_case")]
async fn search_journal(
    state: tauri::State<'_, State>,
    form: JournalForm,
) -> Result<Found, AppError> {
    state.with(move |app| app.search_form(&form)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn transaction_detail(
    state: tauri::State<'_, State>,
    id: i64,
) -> Result<TxnDetail, AppError> {
    state.with(move |app| app.detail(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn link_status(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.with(|l| l.status()).await
}

/// The link's status pushed to the page as it changes (the Connect screen's live
/// progress), until `unwatch_link` or the next `watch_link`.
#[tauri::command(rename_all = "snake_case")]
async fn watch_link(
    link: tauri::State<'_, Link>,
    token: u64,
    updates: tauri::ipc::Channel<LinkStatus>,
) -> Result<(), AppError> {
    link.with(move |l| l.stream(token, |s| updates.send(s).is_ok()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn unwatch_link(link: tauri::State<'_, Link>, token: u64) -> Result<(), AppError> {
    link.with(move |l| {
        l.stop_streaming(token);
        Ok(())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn connect_terminal(
    link: tauri::State<'_, Link>,
    request: ConnectRequest,
) -> Result<LinkStatus, AppError> {
    link.with(move |l| l.connect(&request)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_log_level(state: tauri::State<'_, State>, level: LogLevel) -> Result<(), AppError> {
    state.with(move |app| app.set_log_level(level)).await
}

/// Settings → "Save a support bundle", at the path picked in the save dialog.
#[tauri::command(rename_all = "snake_case")]
async fn support_bundle(
    state: tauri::State<'_, State>,
    chosen: tauri::State<'_, Arc<Chosen>>,
    path: PathBuf,
) -> Result<BundleReport, AppError> {
    chosen.take(Purpose::Bundle, &path)?;
    state.with(move |app| app.support_bundle(&path)).await
}

/// Starts the link service (Home offers it when the service is not running).
#[tauri::command(rename_all = "snake_case")]
async fn start_service(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.with(|l| l.start()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn connect_demo(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.with(|l| l.connect_demo()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn disconnect_terminal(link: tauri::State<'_, Link>) -> Result<LinkStatus, AppError> {
    link.with(|l| l.disconnect()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn serial_ports() -> Result<Vec<PortInfo>, AppError> {
    off_main(|| Ok(slipkeeper_app::serial_ports())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn verify_journal(state: tauri::State<'_, State>) -> Result<VerifyReport, AppError> {
    state.with(move |app| app.verify()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn home(state: tauri::State<'_, State>) -> Result<Home, AppError> {
    state.with(move |app| app.home_now()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn reprint_preview(
    state: tauri::State<'_, State>,
    request: SlipRequest,
) -> Result<Vec<SlipView>, AppError> {
    state
        .with(move |app| app.reprint_preview_for(&request))
        .await
}

/// The PDF "Save PDF" would write, as raw bytes (an ArrayBuffer in the page), for the
/// window to draw before anything is saved or printed.
#[tauri::command(rename_all = "snake_case")]
async fn reprint_pdf_preview(
    state: tauri::State<'_, State>,
    request: SlipRequest,
    paper: Paper,
) -> Result<tauri::ipc::Response, AppError> {
    state
        .with(move |app| app.reprint_pdf_preview_for(&request, paper))
        .await
        .map(tauri::ipc::Response::new)
}

#[tauri::command(rename_all = "snake_case")]
async fn reprint_pdf(
    state: tauri::State<'_, State>,
    request: SlipRequest,
    paper: Paper,
) -> Result<PathBuf, AppError> {
    state
        .with(move |app| app.reprint_pdf_for(&request, paper))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn reprint_print(
    state: tauri::State<'_, State>,
    request: SlipRequest,
    paper: Paper,
) -> Result<(), AppError> {
    state
        .with(move |app| app.reprint_print_for(&request, paper))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn reprint_receipt(
    state: tauri::State<'_, State>,
    request: SlipRequest,
) -> Result<usize, AppError> {
    state
        .with(move |app| app.reprint_receipt_for(&request))
        .await
}

/// Settings → acquirers: an entry checked against the shop's contract.
#[tauri::command(rename_all = "snake_case")]
async fn set_acquirer(
    state: tauri::State<'_, State>,
    acquirer: Acquirer,
) -> Result<Acquirer, AppError> {
    state.with(move |app| app.set_acquirer(&acquirer)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn printers(state: tauri::State<'_, State>) -> Result<Printers, AppError> {
    state.with(move |app| app.printers()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_printers(
    state: tauri::State<'_, State>,
    printers: Printers,
) -> Result<Printers, AppError> {
    state.with(move |app| app.set_printers(&printers)).await
}

/// Opens a reprint, an evidence pack or the data folder with the program the OS
/// chooses — only files inside the data folder (see `App::openable`).
#[tauri::command(rename_all = "snake_case")]
async fn open_path(
    state: tauri::State<'_, State>,
    window: tauri::Window,
    path: PathBuf,
) -> Result<(), AppError> {
    let path = state.with(move |app| app.openable(&path)).await?;
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
async fn open_case_from_discrepancy(
    state: tauri::State<'_, State>,
    discrepancy: Discrepancy,
    acquirer_id: Option<String>,
) -> Result<i64, AppError> {
    state
        .with(move |app| app.open_case_from_discrepancy(&discrepancy, acquirer_id.as_deref()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn terminals(state: tauri::State<'_, State>) -> Result<Vec<TerminalOverview>, AppError> {
    state.with(move |app| app.terminal_overview()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn data_folder(state: tauri::State<'_, State>) -> Result<DataFolder, AppError> {
    state.with(move |app| app.data_folder()).await
}

/// Backs up to a path the user picked in the save dialog for it (`choose_path`).
#[tauri::command(rename_all = "snake_case")]
async fn backup_journal(
    state: tauri::State<'_, State>,
    chosen: tauri::State<'_, Arc<Chosen>>,
    path: PathBuf,
) -> Result<(), AppError> {
    chosen.take(Purpose::Backup, &path)?;
    state.with(move |app| app.backup(&path)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn backups(state: tauri::State<'_, State>) -> Result<BackupStatus, AppError> {
    state.with(move |app| app.backups()).await
}

/// A folder other than the one already set must come from the folder dialog.
#[tauri::command(rename_all = "snake_case")]
async fn set_backup_plan(
    state: tauri::State<'_, State>,
    chosen: tauri::State<'_, Arc<Chosen>>,
    plan: BackupPlan,
) -> Result<BackupStatus, AppError> {
    let chosen = chosen.inner().clone();
    state
        .with(move |app| {
            if let Some(f) = plan
                .folder
                .as_ref()
                .filter(|f| app.backups().ok().and_then(|b| b.plan.folder).as_ref() != Some(*f))
            {
                chosen.take(Purpose::BackupFolder, f)?;
            }
            app.set_backup_plan(&plan)
        })
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn watch_status(state: tauri::State<'_, State>) -> Result<WatchStatus, AppError> {
    state.with(move |app| app.watch_status()).await
}

/// A folder other than the one already watched must come from the folder dialog.
#[tauri::command(rename_all = "snake_case")]
async fn set_watch_folder(
    state: tauri::State<'_, State>,
    chosen: tauri::State<'_, Arc<Chosen>>,
    folder: Option<PathBuf>,
) -> Result<WatchStatus, AppError> {
    let chosen = chosen.inner().clone();
    state
        .with(move |app| {
            if let Some(f) = folder
                .as_ref()
                .filter(|f| app.watch_status().ok().and_then(|w| w.folder).as_ref() != Some(*f))
            {
                chosen.take(Purpose::StatementFolder, f)?;
            }
            app.set_watch_folder(folder.as_deref())?;
            // What is already there comes in now, not at the service's next look.
            app.scan_watch_folder()?;
            app.watch_status()
        })
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn head_office(state: tauri::State<'_, State>) -> Result<Option<HeadOfficeLink>, AppError> {
    state.with(move |app| app.head_office()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn join_head_office(
    state: tauri::State<'_, State>,
    address: String,
    password: String,
    every_seconds: u64,
) -> Result<Joined, AppError> {
    state
        .with(move |app| app.join_head_office(&address, &password, every_seconds))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn leave_head_office(state: tauri::State<'_, State>) -> Result<bool, AppError> {
    state.with(move |app| app.leave_head_office()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn search_head_office(
    state: tauri::State<'_, State>,
    address: String,
    password: String,
    text: String,
) -> Result<Vec<HqRow>, AppError> {
    state
        .with(move |app| app.search_head_office(&address, &password, &text))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn diagnose_at_head_office(
    state: tauri::State<'_, State>,
    address: String,
    password: String,
    shop_id: String,
    complaint: Complaint,
    lookup: Lookup,
) -> Result<ShopDiagnosis, AppError> {
    state
        .with(move |app| {
            app.diagnose_at_head_office(&address, &password, &shop_id, complaint, &lookup)
        })
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn head_office_cases(
    state: tauri::State<'_, State>,
    address: String,
    password: String,
    due_within: Option<i64>,
) -> Result<Vec<HqCase>, AppError> {
    state
        .with(move |app| app.head_office_cases(&address, &password, due_within))
        .await
}

/// Reads the statement file picked in the dialog (as `import_statement` does).
#[tauri::command(rename_all = "snake_case")]
async fn reconcile_at_head_office(
    state: tauri::State<'_, State>,
    address: String,
    password: String,
    path: PathBuf,
) -> Result<ShopsReconciliation, AppError> {
    state
        .with(move |app| app.reconcile_at_head_office(&address, &password, &[path]))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn backup_now(state: tauri::State<'_, State>) -> Result<BackupStatus, AppError> {
    state
        .with(move |app| app.backup_now().and_then(|_| app.backups()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn backup_copies(state: tauri::State<'_, State>) -> Result<Vec<BackupCopy>, AppError> {
    state.with(move |app| app.backup_copies()).await
}

/// By name only: the core takes no path from the window here.
#[tauri::command(rename_all = "snake_case")]
async fn restore_backup_copy(
    state: tauri::State<'_, State>,
    link: tauri::State<'_, Link>,
    name: String,
) -> Result<VerifyReport, AppError> {
    let (app, link) = (state.app()?, link.0.clone());
    off_main(move || link.paused(|| locked(&app)?.restore_backup_copy(&name))).await
}

/// The terminal link pauses while the journal is replaced, then carries on.
#[tauri::command(rename_all = "snake_case")]
async fn restore_journal(
    state: tauri::State<'_, State>,
    link: tauri::State<'_, Link>,
    chosen: tauri::State<'_, Arc<Chosen>>,
    path: PathBuf,
) -> Result<VerifyReport, AppError> {
    chosen.take(Purpose::Restore, &path)?;
    let (app, link) = (state.app()?, link.0.clone());
    off_main(move || link.paused(|| locked(&app)?.restore(&path, false))).await
}

#[tauri::command(rename_all = "snake_case")]
async fn diagnose(
    state: tauri::State<'_, State>,
    complaint: Complaint,
    lookup: Lookup,
) -> Result<Diagnosis, AppError> {
    state
        .with(move |app| app.diagnose(complaint, &lookup))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn open_case(
    state: tauri::State<'_, State>,
    complaint: Complaint,
    lookup: Lookup,
    acquirer_id: Option<String>,
) -> Result<i64, AppError> {
    state
        .with(move |app| app.open_case(complaint, &lookup, acquirer_id.as_deref(), None))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn case_page(state: tauri::State<'_, State>, id: i64) -> Result<CasePage, AppError> {
    state.with(move |app| app.case_page(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn update_case(
    state: tauri::State<'_, State>,
    id: i64,
    update: CaseUpdate,
) -> Result<CasePage, AppError> {
    state.with(move |app| app.change_case(id, &update)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn suggested_profile(state: tauri::State<'_, State>) -> Result<MerchantProfile, AppError> {
    state.with(move |app| app.suggested_profile()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn missing_profile(state: tauri::State<'_, State>) -> Result<Vec<String>, AppError> {
    state.with(move |app| app.missing_profile()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn acquirer_for(state: tauri::State<'_, State>, id: i64) -> Result<Option<String>, AppError> {
    state.with(move |app| app.acquirer_for(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn list_cases(state: tauri::State<'_, State>) -> Result<Vec<CaseSummary>, AppError> {
    state.with(move |app| app.cases()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn contact_plan(state: tauri::State<'_, State>, id: i64) -> Result<ContactPlan, AppError> {
    state.with(move |app| app.contact_plan(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn build_evidence(state: tauri::State<'_, State>, id: i64) -> Result<PackReport, AppError> {
    state.with(move |app| app.evidence_to_exports(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn verify_evidence(path: PathBuf) -> Result<PackCheck, AppError> {
    off_main(move || slipkeeper_app::verify_evidence(&path)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn merchant_profile(state: tauri::State<'_, State>) -> Result<MerchantProfile, AppError> {
    state.with(move |app| app.merchant_profile()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_merchant_profile(
    state: tauri::State<'_, State>,
    profile: MerchantProfile,
) -> Result<(), AppError> {
    state
        .with(move |app| app.set_merchant_profile(&profile))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn acquirers(state: tauri::State<'_, State>) -> Result<Vec<Acquirer>, AppError> {
    state.with(move |app| app.acquirers()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn import_statement(
    state: tauri::State<'_, State>,
    path: PathBuf,
) -> Result<StatementReport, AppError> {
    state
        .with(move |app| app.import_statement(&path, None, None))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn reconcile(state: tauri::State<'_, State>) -> Result<Option<ReconcileReport>, AppError> {
    state
        .with(move |app| {
            app.statement_period()?
                .map(|(from, to)| app.reconcile(from, to))
                .transpose()
        })
        .await
}

/// The journal to open: `SLIPKEEPER_DB` if set (`make run` points it at a demo
/// journal), else the platform data folder.
fn journal_path() -> Result<PathBuf, AppError> {
    match std::env::var_os("SLIPKEEPER_DB") {
        Some(p) => Ok(PathBuf::from(p)),
        None => slipkeeper_app::default_db_path(),
    }
}

/// Brings the main window to the front (the tray's Open, a second launch).
/// Opens the window at the size it was closed at, shrunk to fit this screen's work
/// area (a 768-pixel screen with a taskbar must show the whole window).
fn size_window(app: &tauri::App, journal: &std::path::Path) {
    use tauri::Manager;
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let work = match w.current_monitor() {
        Ok(Some(m)) => {
            let a = m.work_area().size.to_logical::<f64>(m.scale_factor());
            (a.width, a.height)
        }
        // No monitor known (some virtual displays): the size as kept.
        _ => (f64::MAX, f64::MAX),
    };
    let size = slipkeeper_app::window::fit_window(slipkeeper_app::window::kept_size(journal), work);
    let r = w.set_size(tauri::LogicalSize::new(size.width, size.height));
    let r = r.and_then(|()| if size.maximized { w.maximize() } else { Ok(()) });
    if let Err(e) = r {
        tracing::warn!(error = %e, "the window's size was not set");
    }
}

/// Keeps the window's size for the next start.
fn keep_window_size(w: &tauri::Window, journal: &std::path::Path) {
    let size = w
        .inner_size()
        .and_then(|s| Ok((s, w.scale_factor()?, w.is_maximized()?)));
    match size {
        Ok((s, scale, maximized)) => {
            let l = s.to_logical::<f64>(scale);
            let kept = slipkeeper_app::window::WindowSize {
                width: l.width,
                height: l.height,
                maximized,
            };
            if let Err(e) = slipkeeper_app::window::keep_size(journal, kept) {
                tracing::warn!(error = %e.message, "the window's size was not kept");
            }
        }
        Err(e) => tracing::warn!(error = %e, "the window's size is unknown"),
    }
}

fn show_window(app: &tauri::AppHandle) {
    use tauri::Manager;
    if let Some(w) = app.get_webview_window("main") {
        for r in [w.show(), w.unminimize(), w.set_focus()] {
            if let Err(e) = r {
                tracing::warn!(error = %e, "the window did not come forward");
            }
        }
    }
}

fn tray(app: &mut tauri::App, link: Arc<ServiceClient>) -> Result<(), Box<dyn std::error::Error>> {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::TrayIconBuilder;
    let open = MenuItem::with_id(app, "open", "打开 Slipkeeper / Open", true, None::<&str>)?;
    let quit = MenuItem::with_id(
        app,
        "quit",
        "退出窗口 / Quit the window",
        true,
        None::<&str>,
    )?;
    // The link's state as the menu's first line, not only as the tooltip: Linux's tray
    // (AppIndicator) shows no tooltips.
    let state = MenuItem::with_id(
        app,
        "state",
        "终端：正在查询… / Terminal: checking…",
        false,
        None::<&str>,
    )?;
    let menu = Menu::with_items(app, &[&state, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id("link")
        .tooltip("Slipkeeper")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let tray = builder.build(app)?;
    std::thread::spawn(move || loop {
        let line = match link.status() {
            Ok(s) => {
                let t = s.summary();
                format!("{} / {}", t.zh, t.en)
            }
            Err(e) => format!("终端 / Terminal: {}", e.message),
        };
        if let Err(e) = state.set_text(&line) {
            tracing::debug!(error = %e, "tray state line");
        }
        if let Err(e) = tray.set_tooltip(Some(format!("Slipkeeper — {line}"))) {
            tracing::debug!(error = %e, "tray tooltip");
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    });
    Ok(())
}

/// Opens the journal's window (or raises the one already open) and runs until it is
/// closed or the tray's Quit is chosen.
pub fn run() {
    // WebKitGTK's accelerated compositing doubles its web process (≈ 205 MB instead of
    // ≈ 106 MB PSS, measured on Debian 12 with WebKitGTK 2.50) for a UI of tables and
    // forms that gains nothing from it. Set before GTK starts, while this is the only
    // thread; a value the user set already wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let path = match journal_path() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("slipkeeper: {}", e.message);
            std::process::exit(1);
        }
    };
    let _log = match slipkeeper_app::logs::start_logging(&path, "desktop", "info") {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("slipkeeper: no log file: {}", e.message);
            None
        }
    };
    let app = clock_from_env()
        .and_then(|clock| App::open(&path, clock))
        .map(|app| Arc::new(Mutex::new(app)));
    if let Err(e) = &app {
        // Started from a desktop icon nobody reads stderr: the window opens and says it.
        tracing::error!(journal = %path.display(), error = %e.message, "the journal could not be opened");
        eprintln!("slipkeeper: {}", e.message);
    }
    // The link service is the `slipkeeper` program installed beside this one.
    let program = std::env::current_exe()
        .map(|e| {
            e.with_file_name(if cfg!(windows) {
                "slipkeeper.exe"
            } else {
                "slipkeeper"
            })
        })
        .unwrap_or_else(|_| PathBuf::from("slipkeeper"));
    let link = Arc::new(ServiceClient::new(&path, &program, SystemClock));
    // `make run`: the service mirrors the built-in demo terminal, customers paying
    // live; it keeps doing so when the window closes.
    if std::env::var_os("SLIPKEEPER_DEMO").is_some() {
        if let Err(e) = link.connect_demo() {
            tracing::error!(error = %e.message, "demo terminal");
            eprintln!("slipkeeper: demo terminal: {}", e.message);
        }
    }
    // One window per journal: a second launch brings this one forward and ends.
    let (_claim, raised) = match slipkeeper_app::window::claim_window(&path) {
        Ok(Launch::First(claim, raised)) => (Some(claim), Some(raised)),
        Ok(Launch::Second { pid }) => {
            tracing::info!(pid, "the window is open already; brought it forward");
            eprintln!(
                "slipkeeper: the window is open already (process {pid}); it comes to the front"
            );
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e.message, "no single-window guard");
            (None, None)
        }
    };
    let tray_link = link.clone();
    let (sized_journal, kept_journal) = (path.clone(), path.clone());
    let locale =
        slipkeeper_app::window::locale_script(slipkeeper_app::window::os_language().as_deref());
    let result = tauri::Builder::default()
        // The OS's language for the page's first start (ui/src/lib/i18n.svelte.ts).
        .plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("os-locale")
                .js_init_script(locale)
                .build(),
        )
        // The tray icon: the link's state, Open and Quit (quitting the window leaves
        // the link service running).
        .setup(move |app| {
            size_window(app, &sized_journal);
            if let Some(raised) = raised {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    for () in raised {
                        show_window(&handle);
                    }
                });
            }
            tray(app, tray_link)
        })
        // Native file pickers (shown by the shell: choose_path) and opening files
        // with the OS (open_path); the window holds no permission of either plugin.
        .on_window_event(move |w, e| {
            if matches!(e, tauri::WindowEvent::CloseRequested { .. }) {
                keep_window_size(w, &kept_journal);
            }
        })
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Arc::new(Chosen::default()))
        .manage(State(app))
        .manage(Link(link))
        .invoke_handler(tauri::generate_handler![
            search_journal,
            transaction_detail,
            link_status,
            watch_link,
            unwatch_link,
            connect_terminal,
            connect_demo,
            start_service,
            set_log_level,
            support_bundle,
            disconnect_terminal,
            serial_ports,
            verify_journal,
            home,
            reprint_preview,
            reprint_pdf_preview,
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
            acquirer_for,
            missing_profile,
            suggested_profile,
            backups,
            set_backup_plan,
            watch_status,
            set_watch_folder,
            head_office,
            join_head_office,
            leave_head_office,
            search_head_office,
            diagnose_at_head_office,
            head_office_cases,
            reconcile_at_head_office,
            backup_now,
            backup_copies,
            restore_backup_copy,
            case_page,
            update_case,
            contact_plan,
            build_evidence,
            verify_evidence,
            merchant_profile,
            set_merchant_profile,
            acquirers,
            import_statement,
            reconcile,
            choose_path
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("slipkeeper: the window could not start: {e}");
        std::process::exit(1);
    }
}
