//! A blank window of the same Tauri version, features and WebKit settings as the
//! desktop app, and nothing else: the floor `scripts/measure-desktop` measures beside
//! Slipkeeper to give its idle memory as a ratio (BENCHMARKS.md).
//!
//!     cargo build --release --example blank_window

fn main() {
    // The same WebKit setting the app makes (src-tauri/src/lib.rs), measured alike.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let mut context = tauri::generate_context!();
    // Not the app's window: one empty page.
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .setup(|app| {
            let url = "data:text/html,<!doctype html><title>blank</title><p>blank</p>"
                .parse()
                .map_err(|e| format!("{e}"))?;
            tauri::WebviewWindowBuilder::new(app, "blank", tauri::WebviewUrl::External(url))
                .title("blank")
                .inner_size(1180.0, 760.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("blank window: {e}");
        std::process::exit(1);
    }
}
