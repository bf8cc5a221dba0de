//! The desktop shell: windows and commands, nothing else. Each command parses its
//! arguments, calls one function of `slipkeeper_app` and returns its result; errors
//! cross IPC as `{code, message}` (see `slipkeeper_app::AppError`).

use slipkeeper_app::{
    App, AppError, ErrorCode, Page, SystemClock, TxnDetail, TxnQuery, TxnRow, VerifyReport,
};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

struct State(Arc<Mutex<App>>);

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
fn verify_journal(state: tauri::State<'_, State>) -> Result<VerifyReport, AppError> {
    state.with(|app| app.verify())
}

/// The journal to open: `SLIPKEEPER_DB` if set (`make run` points it at a demo
/// journal), else the platform data folder.
fn journal_path() -> Result<PathBuf, AppError> {
    match std::env::var_os("SLIPKEEPER_DB") {
        Some(p) => Ok(PathBuf::from(p)),
        None => slipkeeper_app::default_db_path(),
    }
}

fn start_demo(app: Arc<Mutex<App>>) -> Option<slipkeeper_app::DemoTerminal> {
    match slipkeeper_app::start_demo_terminal() {
        Ok(demo) => {
            let addr = demo.addr.clone();
            std::thread::spawn(move || {
                let stop = AtomicBool::new(false);
                slipkeeper_app::run_live_demo(&app, &addr, std::time::Duration::from_secs(4), &stop)
            });
            Some(demo)
        }
        Err(e) => {
            eprintln!("slipkeeper: {}", e.message);
            None
        }
    }
}

pub fn run() {
    let app = match journal_path().and_then(|p| App::open(&p, SystemClock)) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("slipkeeper: {}", e.message);
            std::process::exit(1);
        }
    };
    let app = Arc::new(Mutex::new(app));
    // `make run`: the built-in demo terminal, with demo payments arriving live.
    let _demo = if std::env::var_os("SLIPKEEPER_DEMO").is_some() {
        start_demo(app.clone())
    } else {
        None
    };
    let result = tauri::Builder::default()
        .manage(State(app))
        .invoke_handler(tauri::generate_handler![
            list_transactions,
            transaction_detail,
            verify_journal
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("slipkeeper: the window could not start: {e}");
        std::process::exit(1);
    }
}
