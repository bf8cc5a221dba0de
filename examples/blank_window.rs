//! A blank window of the same Tauri version, features and WebKit settings as the
//! desktop app, showing one static page and nothing else: the floor
//! `scripts/measure-desktop` measures beside Slipkeeper to give its idle memory as a
//! ratio (BENCHMARKS.md). Its page is `examples/blank/page/index.html`, served like the
//! app's own files (`examples/blank/tauri.conf.json`).
//!
//!     cargo build --release --example blank_window

fn main() {
    // The same WebKit setting the app makes (src-tauri/src/lib.rs), measured alike.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    if let Err(e) =
        tauri::Builder::default().run(tauri::generate_context!("examples/blank/tauri.conf.json"))
    {
        eprintln!("blank window: {e}");
        std::process::exit(1);
    }
}
