// The app package lives at the workspace root (so tauri.conf.json sits beside
// Cargo.toml); its capabilities live with the shell's sources.
//
// COMMANDS is every command the shell registers. Declaring them makes Tauri check
// each call against the window's capability (src-tauri/capabilities/default.json),
// which grants exactly these, one `allow-…` each: a command the page may call is one
// listed here and there. tests/boundaries.rs keeps the three lists equal.
const COMMANDS: &[&str] = &[
    "search_journal",
    "transaction_detail",
    "link_status",
    "watch_link",
    "unwatch_link",
    "connect_terminal",
    "connect_demo",
    "start_service",
    "set_log_level",
    "support_bundle",
    "disconnect_terminal",
    "serial_ports",
    "verify_journal",
    "home",
    "reprint_preview",
    "reprint_pdf_preview",
    "reprint_pdf",
    "reprint_print",
    "reprint_receipt",
    "printers",
    "set_printers",
    "set_acquirer",
    "open_path",
    "data_folder",
    "terminals",
    "open_case_from_discrepancy",
    "backup_journal",
    "restore_journal",
    "diagnose",
    "open_case",
    "list_cases",
    "acquirer_for",
    "missing_profile",
    "suggested_profile",
    "backups",
    "set_backup_plan",
    "backup_now",
    "backup_copies",
    "restore_backup_copy",
    "watch_status",
    "set_watch_folder",
    "head_office",
    "join_head_office",
    "leave_head_office",
    "search_head_office",
    "diagnose_at_head_office",
    "head_office_cases",
    "reconcile_at_head_office",
    "case_page",
    "update_case",
    "contact_plan",
    "build_evidence",
    "verify_evidence",
    "merchant_profile",
    "set_merchant_profile",
    "acquirers",
    "import_statement",
    "reconcile",
    "choose_path",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build script failed: {e:#}");
    }
}
