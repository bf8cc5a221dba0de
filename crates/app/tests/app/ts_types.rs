//! The UI's TypeScript types, generated from the Rust DTOs (ts-rs) into
//! `ui/src/lib/types.generated.ts`. The committed file must be what this test
//! writes — a DTO changed without regenerating fails here — and `UPDATE_SNAPSHOTS=1`
//! rewrites it. `npm run check` then compiles the screens against it, and the answers
//! sampled by `dto_samples.rs` against the same types, so the declared shapes are
//! checked against what the core really sends as well.

use slipkeeper_app::*;
use slipkeeper_domain::{Complaint, Diagnosis};
use slipkeeper_journal::TxnDetail;
use std::collections::BTreeMap;
use ts_rs::{TypeVisitor, TS};

/// Every declared type reachable from the roots, by name.
#[derive(Default)]
struct Declarations(BTreeMap<String, String>);

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Built-in types (string, number, arrays…) have no declaration of their own.
        if T::output_path().is_none() {
            // Vec<T>, Option<T>, Page<T>'s arguments …: declare what they hold.
            T::visit_generics(self);
            T::visit_dependencies(self);
            return;
        }
        if self.0.contains_key(&T::ident()) {
            return;
        }
        let docs = T::docs().unwrap_or_default();
        self.0
            .insert(T::ident(), format!("{docs}export {}", T::decl()));
        T::visit_dependencies(self);
    }
}

fn generated() -> String {
    let mut d = Declarations::default();
    // What the commands of src-tauri/src/lib.rs take and return.
    d.visit::<AppError>();
    d.visit::<Page<TxnRow>>();
    d.visit::<TxnQuery>();
    d.visit::<JournalForm>();
    d.visit::<TxnDetail>();
    d.visit::<Home>();
    d.visit::<VerifyReport>();
    d.visit::<SlipView>();
    d.visit::<Complaint>();
    d.visit::<Lookup>();
    d.visit::<Diagnosis>();
    d.visit::<CaseSummary>();
    d.visit::<ContactPlan>();
    d.visit::<PackReport>();
    d.visit::<BundleReport>();
    d.visit::<PackCheck>();
    d.visit::<MerchantProfile>();
    d.visit::<Acquirer>();
    d.visit::<StatementReport>();
    d.visit::<ReconcileReport>();
    d.visit::<LinkStatus>();
    d.visit::<PortInfo>();
    d.visit::<ConnectRequest>();
    d.visit::<DataFolder>();
    d.visit::<Printers>();
    d.visit::<TerminalOverview>();
    // And everything the commands take and return (crates/app/src/contract.rs).
    slipkeeper_app::contract::visit_types(&mut d);
    let mut out = String::from(
        "// Generated from the Rust DTOs by crates/app/tests/app/ts_types.rs (ts-rs); do not edit.\n\
         // UPDATE_SNAPSHOTS=1 cargo test -p slipkeeper-app --test app ts_types rewrites it.\n\
         import type { Channel } from \"@tauri-apps/api/core\";\n",
    );
    for decl in d.0.values() {
        out.push('\n');
        // ts-rs declares 64-bit integers as bigint; JSON delivers them as numbers.
        // Every such value here (money in minor units, counts, row ids) stays far
        // below 2^53, where a JavaScript number is exact.
        out.push_str(&decl.replace("bigint", "number"));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&slipkeeper_app::contract::typescript());
    out
}

#[test]
fn the_ui_types_are_generated_from_the_rust_dtos() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/lib/types.generated.ts");
    let want = generated();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not what the Rust DTOs generate; run UPDATE_SNAPSHOTS=1 cargo test -p slipkeeper-app --test app ts_types",
        path.display()
    );
}
