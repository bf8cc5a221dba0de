//! The crate map is a rule, not a wish: this test reads `cargo metadata` and fails
//! when a dependency crosses a boundary ARCHITECTURE.md draws.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

struct Graph {
    /// package id -> (name, normal/build dependency ids)
    nodes: HashMap<String, (String, Vec<String>)>,
    members: Vec<String>,
}

fn graph() -> Graph {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: HashMap<String, String> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut nodes = HashMap::new();
    for n in v["resolve"]["nodes"].as_array().unwrap() {
        let id = n["id"].as_str().unwrap().to_owned();
        let deps = n["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].as_str() != Some("dev"))
            })
            .map(|d| d["pkg"].as_str().unwrap().to_owned())
            .collect();
        nodes.insert(id.clone(), (names[&id].clone(), deps));
    }
    let members = v["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    Graph { nodes, members }
}

impl Graph {
    fn id(&self, name: &str) -> &str {
        self.members
            .iter()
            .find(|m| self.nodes[*m].0 == name)
            .unwrap_or_else(|| panic!("no member {name}"))
    }
    fn direct(&self, name: &str) -> BTreeSet<String> {
        self.nodes[self.id(name)]
            .1
            .iter()
            .map(|d| self.nodes[d].0.clone())
            .collect()
    }
    fn transitive(&self, name: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![self.id(name).to_owned()];
        while let Some(id) = stack.pop() {
            for d in &self.nodes[&id].1 {
                if seen.insert(self.nodes[d].0.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    }
    fn member_names(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| self.nodes[m].0.clone())
            .collect()
    }
}

#[test]
fn only_the_journal_names_rusqlite() {
    let g = graph();
    for m in g.member_names() {
        let names_it = g.direct(&m).contains("rusqlite");
        assert_eq!(
            names_it,
            m == "slipkeeper-journal",
            "{m} must {}depend on rusqlite",
            if m == "slipkeeper-journal" {
                ""
            } else {
                "not "
            }
        );
    }
}

#[test]
fn only_the_head_office_crate_names_postgres() {
    let g = graph();
    for m in g.member_names() {
        let d = g.direct(&m);
        let names_it = ["postgres", "tokio-postgres", "postgres-types"]
            .iter()
            .any(|p| d.contains(*p));
        assert_eq!(
            names_it,
            m == "slipkeeper-hq",
            "{m}: only slipkeeper-hq may depend on the PostgreSQL client"
        );
    }
    // The journal, and so a shop's mirror, never links the PostgreSQL client.
    assert!(!g
        .transitive("slipkeeper-journal")
        .contains("tokio-postgres"));
}

#[test]
fn only_the_shell_names_tauri() {
    let g = graph();
    for m in g.member_names() {
        let t = g.transitive(&m);
        if m != "slipkeeper-desktop" {
            for bad in ["tauri", "tauri-build", "wry", "webkit2gtk", "gtk"] {
                assert!(
                    !t.contains(bad),
                    "{m} pulls in {bad}; only the desktop shell may"
                );
            }
        }
    }
}

#[test]
fn the_domain_is_pure() {
    let g = graph();
    let t = g.transitive("slipkeeper-domain");
    for bad in [
        "rusqlite",
        "libsqlite3-sys",
        "tokio",
        "tauri",
        "reqwest",
        "mio",
    ] {
        assert!(
            !t.contains(bad),
            "the domain crate must do no I/O, but depends on {bad}"
        );
    }
}

#[test]
fn the_zvt_codec_is_pure() {
    let g = graph();
    let t = g.transitive("slipkeeper-zvt");
    for bad in [
        "rusqlite",
        "libsqlite3-sys",
        "tokio",
        "mio",
        "tauri",
        "slipkeeper-journal",
    ] {
        assert!(
            !t.contains(bad),
            "the ZVT codec must be pure functions over bytes, but depends on {bad}"
        );
    }
}

#[test]
fn the_cli_is_headless() {
    let g = graph();
    let t = g.transitive("slipkeeper-cli");
    for bad in [
        "gtk",
        "gdk",
        "webkit2gtk",
        "javascriptcore-rs",
        "soup3",
        "tauri",
    ] {
        assert!(!t.contains(bad), "the CLI must not link {bad}");
    }
}

#[test]
fn every_member_has_a_purpose_comment() {
    let manifest = include_str!("../Cargo.toml");
    let members = manifest
        .split("members = [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    for line in members
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"'))
    {
        let comment = line.split('#').nth(1).map(str::trim).unwrap_or("");
        assert!(
            comment.len() > 10,
            "workspace member {line} needs a one-line purpose comment"
        );
    }
}

/// A plain `#[tauri::command] fn` runs on the window's main thread, where a search
/// over a million rows, an evidence pack or a connect timeout freezes the whole window.
/// Every command of the shell is an `async fn` that hands its work to the blocking pool.
#[test]
fn no_command_runs_on_the_main_thread() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/src/lib.rs"))
        .unwrap();
    let mut lines = src.lines();
    let (mut commands, mut blocking) = (0, Vec::new());
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[tauri::command") {
            commands += 1;
            let sig = lines
                .by_ref()
                .find(|l| !l.trim_start().starts_with("#["))
                .unwrap_or_default();
            if !sig.trim_start().starts_with("async fn ") {
                blocking.push(sig.trim().to_owned());
            }
        }
    }
    assert!(
        commands >= 30,
        "found only {commands} commands: did the shell's layout change?"
    );
    assert!(
        blocking.is_empty(),
        "commands that would run on the main thread: {blocking:?}"
    );
}

/// The page may call exactly the shell's commands: each registered command is declared
/// in build.rs (so Tauri checks every call against the capability) and granted once in
/// the window's capability, which grants nothing else of Slipkeeper's and no plugin
/// permission beyond the core defaults (no dialog, fs, shell, opener or http).
#[test]
fn the_window_may_call_exactly_the_shells_commands() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
    let lib = read("src-tauri/src/lib.rs");
    let handler = lib
        .split("generate_handler![")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap();
    let registered: BTreeSet<String> = handler
        .split(',')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let build = read("src-tauri/build.rs");
    let list = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .and_then(|s| s.split("];").next())
        .unwrap();
    let declared: BTreeSet<String> = list
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        registered, declared,
        "build.rs COMMANDS and generate_handler! differ"
    );
    let cap: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let wanted: BTreeSet<String> = declared
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .chain(["core:default".to_owned()])
        .collect();
    assert_eq!(
        granted, wanted,
        "the capability grants other than the commands"
    );
}

/// Every command is declared once, in `slipkeeper_app::contract` (from which the UI's
/// TypeScript `Commands` is generated): the shell's `#[tauri::command]` functions are
/// exactly those, with the same argument names and types and the same result, and all
/// take their arguments by their Rust names (`rename_all = "snake_case"`).
#[test]
fn the_shells_commands_are_the_contract() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/src/lib.rs"))
        .unwrap();
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    /// (name, [(argument, type)], result), as the shell writes them.
    type Command = (String, Vec<(String, String)>, String);
    let mut shell: Vec<Command> = Vec::new();
    for chunk in src.split("\n#[tauri::command").skip(1) {
        assert!(
            chunk.starts_with("(rename_all = \"snake_case\")]"),
            "a command without rename_all = \"snake_case\": {}",
            &chunk[..chunk.len().min(120)]
        );
        let sig = chunk.split("async fn ").nth(1).unwrap();
        let name = sig.split('(').next().unwrap().trim().to_owned();
        let params = sig.split_once('(').unwrap().1;
        let params = &params[..params.find(") ->").unwrap()];
        let ret = sig.split(") ->").nth(1).unwrap().split('{').next().unwrap();
        let ret = norm(ret);
        let ret = ret
            .strip_prefix("Result<")
            .and_then(|r| r.strip_suffix(",AppError>"))
            .unwrap_or_else(|| panic!("{name} returns {ret}, not Result<_, AppError>"))
            .to_owned();
        // Split the parameters at top-level commas (types have <…, …>).
        let (mut depth, mut cur, mut args) = (0, String::new(), Vec::new());
        for c in params.chars() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        args.push(cur);
        let args = args
            .iter()
            .filter(|a| !a.trim().is_empty())
            .map(|a| {
                let (n, t) = a.split_once(':').unwrap();
                (n.trim().to_owned(), norm(t))
            })
            // What Tauri injects is not an argument from the page.
            .filter(|(_, t)| !t.starts_with("tauri::State<") && t != "tauri::Window")
            .collect();
        shell.push((name, args, ret));
    }
    let contract = slipkeeper_app::contract::commands();
    let names = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        names(shell.iter().map(|c| c.0.clone()).collect()),
        names(contract.iter().map(|c| c.name.to_owned()).collect()),
        "the shell's commands and the contract's differ"
    );
    for (name, args, ret) in &shell {
        let c = contract.iter().find(|c| c.name == name).unwrap();
        let want: Vec<(String, String)> = c
            .args
            .iter()
            .map(|a| {
                (
                    a.name.to_owned(),
                    norm(a.rust).replace("Updates<", "tauri::ipc::Channel<"),
                )
            })
            .collect();
        assert_eq!(args, &want, "{name}: arguments differ from the contract");
        let want_ret = match norm(c.result_rust).as_str() {
            "Bytes" => "tauri::ipc::Response".to_owned(),
            "()" => "()".to_owned(),
            other => other.to_owned(),
        };
        assert_eq!(ret, &want_ret, "{name}: result differs from the contract");
    }
}

/// ZVT command codes are named in `slipkeeper_zvt::cmd`: no raw `(0x06, 0x..)` pair or
/// `Apdu::new(0x06, …)` in the other crates' sources (only their tests' byte vectors).
#[test]
fn zvt_command_codes_are_named_in_the_codec() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut raw = Vec::new();
    let mut seen = 0;
    let mut stack = vec![
        std::path::PathBuf::from(format!("{root}/crates")),
        format!("{root}/src-tauri/src").into(),
    ];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if p.ends_with("zvt")
                || p.ends_with("tests")
                || p.ends_with("benches")
                || p.ends_with("target")
            {
                continue;
            }
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            seen += 1;
            let src = std::fs::read_to_string(&p).unwrap();
            for (n, line) in src.lines().enumerate() {
                let l = line.replace(' ', "");
                let pair = ["(0x04,0x", "(0x05,0x", "(0x06,0x", "(0x08,0x"]
                    .iter()
                    .any(|x| l.contains(x));
                let new = [
                    "Apdu::new(0x04",
                    "Apdu::new(0x05",
                    "Apdu::new(0x06",
                    "Apdu::new(0x08",
                ]
                .iter()
                .any(|x| l.contains(x));
                if pair || new {
                    raw.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(seen > 50, "only {seen} source files seen");
    assert!(raw.is_empty(), "raw ZVT command codes:\n{}", raw.join("\n"));
}
