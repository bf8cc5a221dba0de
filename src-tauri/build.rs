// The app package lives at the workspace root (so tauri.conf.json sits beside
// Cargo.toml); its capabilities live with the shell's sources.
fn main() {
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build script failed: {e:#}");
    }
}
