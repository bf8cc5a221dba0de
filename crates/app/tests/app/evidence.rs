//! Evidence packs are the same bytes for the same inputs, and say what is missing.

use slipkeeper_app::{verify_evidence, App, Lookup};
use slipkeeper_domain::{Complaint, TerminalId, TraceNo};

/// The shop's details set (a letter needs them) and a dispute case opened on voucher 7.
fn case_with_profile(app: &mut App) -> i64 {
    crate::support::letter_details(app);
    app.open_case(Complaint::Dispute, &lookup(), Some("cup"), None)
        .unwrap()
}

fn lookup() -> Lookup {
    Lookup::Voucher {
        voucher: TraceNo::new("7").unwrap(),
        terminal: Some(TerminalId::new("10000001").unwrap()),
        batch: None,
    }
}

#[test]
fn two_builds_are_byte_identical_and_verify() {
    let (dir, mut app) = crate::support::shop(60);
    let id = case_with_profile(&mut app);
    let a = dir.path().join("a.zip");
    let b = dir.path().join("b.zip");
    let ra = app.build_evidence(id, &[], &a).unwrap();
    let rb = app.build_evidence(id, &[], &b).unwrap();
    assert_eq!(ra.sha256, rb.sha256);
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "same inputs, same bytes"
    );
    let check = verify_evidence(&a).unwrap();
    assert!(check.ok(), "{:?}", check.problems);
    assert!(check.proofs >= 1);
    // The deadline comes from the acquirer's response window (7 days for cup).
    let v = app.case(id).unwrap();
    assert_eq!(v.summary.days_left, Some(7));
    assert_eq!(v.events.iter().filter(|e| e.kind == "pack").count(), 2);
}

#[test]
fn a_letter_is_not_written_without_the_shops_details() {
    let (dir, mut app) = crate::support::shop(60);
    let id = app
        .open_case(Complaint::Dispute, &lookup(), Some("cup"), None)
        .unwrap();
    let out = dir.path().join("p.zip");
    let e = app.build_evidence(id, &[], &out).unwrap_err();
    assert!(
        e.message.contains("shop_name, contact_person, phone")
            && e.message.contains("nothing was written"),
        "{}",
        e.message
    );
    assert!(!out.exists());
    let plan = app.contact_plan(id).unwrap();
    assert_eq!(plan.missing, vec!["shop_name", "contact_person", "phone"]);
    // Whom to call is shown beside the script; the script is what the owner says.
    assert_eq!(plan.acquirer.hotline, "95516");
    assert!(
        plan.phone_script.zh.starts_with("您好"),
        "{}",
        plan.phone_script.zh
    );
    assert!(
        plan.letter.en.contains("Voucher no.: 000007"),
        "{}",
        plan.letter.en
    );
}

fn built_pack() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, mut app) = crate::support::shop(60);
    let id = case_with_profile(&mut app);
    let p = dir.path().join("pack.zip");
    app.build_evidence(id, &[], &p).unwrap();
    (dir, p)
}

/// Rewrites a pack entry by entry through `each` (name, bytes) → entries to write.
fn rewrite(
    src: &std::path::Path,
    dst: &std::path::Path,
    mut each: impl FnMut(&str, Vec<u8>) -> Vec<(String, Vec<u8>)>,
) {
    use std::io::{Read, Write};
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().to_owned();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        for (n, body) in each(&name, b) {
            w.start_file(n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&body).unwrap();
        }
    }
    w.finish().unwrap();
}

/// Two entries of one name, the forged one first: a checker that keeps the last one
/// said "all hashes match". Now it is an error naming the entry.
#[test]
fn a_pack_with_two_entries_of_one_name_is_refused() {
    let (dir, pack) = built_pack();
    let forged = dir.path().join("forged.zip");
    rewrite(&pack, &forged, |name, b| {
        if name == "03_raw_frames.txt" {
            // Same length as the real name, renamed to it in the bytes below.
            vec![
                ("03_raw_frames.txX".into(), b"forged".to_vec()),
                (name.into(), b),
            ]
        } else {
            vec![(name.into(), b)]
        }
    });
    let mut bytes = std::fs::read(&forged).unwrap();
    let from = b"03_raw_frames.txX";
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
        bytes[i + at + from.len() - 1] = b't';
        i += at + 1;
    }
    std::fs::write(&forged, bytes).unwrap();
    match verify_evidence(&forged) {
        Err(e) => {
            assert!(
                e.message.contains("two entries named 03_raw_frames.txt"),
                "{}",
                e.message
            );
            assert!(
                e.zh.as_deref()
                    .is_some_and(|z| z.contains("有两个同名文件 03_raw_frames.txt")),
                "{e:?}"
            );
        }
        Ok(c) => panic!("a forged pack passed: {:?}", c.problems),
    }
}

/// An entry that unpacks to far more than any pack holds is refused while unpacking,
/// without keeping it in memory.
#[test]
fn a_pack_entry_that_unpacks_too_far_is_refused() {
    let (dir, pack) = built_pack();
    let bomb = dir.path().join("bomb.zip");
    let mut added = false;
    rewrite(&pack, &bomb, |name, b| {
        let mut out = vec![(name.to_owned(), b)];
        if !added {
            added = true;
            out.push(("zeros.bin".into(), vec![0u8; 64 * 1024 * 1024]));
        }
        out
    });
    assert!(
        std::fs::metadata(&bomb).unwrap().len() < 2 * 1024 * 1024,
        "compressed small"
    );
    let e = verify_evidence(&bomb).unwrap_err();
    assert!(
        e.message.contains("zeros.bin unpacks to more than"),
        "{}",
        e.message
    );
}

/// A pipe given as an attachment used to hang the build; it is refused at once.
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_as_an_attachment() {
    let (dir, mut app) = crate::support::shop(60);
    let id = case_with_profile(&mut app);
    let fifo = dir.path().join("photo.jpg");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = dir.path().join("p.zip");
    let e = app.build_evidence(id, &[fifo], &out).unwrap_err();
    assert!(e.message.contains("not an ordinary file"), "{}", e.message);
    assert!(!out.exists());
}

#[test]
fn a_case_page_shows_the_case_and_takes_status_notes_and_packs() {
    use slipkeeper_app::CaseUpdate;
    use slipkeeper_domain::CaseStatus::*;
    let (_dir, mut app) = crate::support::shop(60);
    let id = case_with_profile(&mut app);
    let page = app.case_page(id).unwrap();
    assert_eq!(page.summary.case.status, Open);
    assert_eq!(page.summary.days_left, Some(7));
    assert_eq!(
        page.txn.as_ref().map(|t| t.txn.trace_no.as_str()),
        Some("000007")
    );
    assert_eq!(page.next, vec![Submitted, Waiting, Won, Lost, Withdrawn]);
    assert!(
        page.plan.letter.zh.contains("000007"),
        "{}",
        page.plan.letter.zh
    );
    assert!(page.packs.is_empty());

    // Submitted, with a note and the acquirer's reference: all in the history.
    let page = app
        .change_case(
            id,
            &CaseUpdate {
                status: Some(Submitted),
                note: Some("已致电 95516".into()),
                acquirer_ref: Some("CUP-2026-1203-17".into()),
            },
        )
        .unwrap();
    assert_eq!(page.summary.case.status, Submitted);
    assert_eq!(
        page.summary.case.acquirer_ref.as_deref(),
        Some("CUP-2026-1203-17")
    );
    assert_eq!(page.next, vec![Waiting, Won, Lost, Withdrawn]);
    let kinds: Vec<(&str, &str)> = page
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.text.as_str()))
        .collect();
    assert!(kinds.contains(&("status", "submitted")), "{kinds:?}");
    assert!(kinds.contains(&("note", "已致电 95516")), "{kinds:?}");

    // A pack built is listed, newest first, while it is on disk.
    let first = app.evidence_to_exports(id).unwrap();
    let page = app.case_page(id).unwrap();
    assert_eq!(page.packs, vec![first.path.clone()]);
    std::fs::remove_file(&first.path).unwrap();
    assert!(app.case_page(id).unwrap().packs.is_empty());

    // A note alone; nothing at all is refused; a resolved case moves no more.
    app.change_case(
        id,
        &CaseUpdate {
            note: Some("duplicate of another case".into()),
            ..CaseUpdate::default()
        },
    )
    .unwrap();
    let e = app.change_case(id, &CaseUpdate::default()).unwrap_err();
    assert_eq!(e.code, slipkeeper_app::ErrorCode::BadInput);
    let page = app
        .change_case(
            id,
            &CaseUpdate {
                status: Some(Withdrawn),
                ..CaseUpdate::default()
            },
        )
        .unwrap();
    assert!(page.next.is_empty());
    assert_eq!(page.summary.days_left, None);
    let e = app
        .change_case(
            id,
            &CaseUpdate {
                status: Some(Won),
                ..CaseUpdate::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, slipkeeper_app::ErrorCode::BadInput);
}

#[test]
fn the_letter_asks_the_acquirer_and_keeps_the_owners_steps_and_codes_out() {
    let (_dir, mut app) = crate::support::shop(60);
    let id = case_with_profile(&mut app);
    let plan = app.contact_plan(id).unwrap();
    let letter = &plan.letter.zh;
    let ask = Complaint::Dispute.acquirer_request();
    assert!(
        letter.contains(&format!("请求：\n- {}", ask.zh)),
        "{letter}"
    );
    for step in &plan.diagnosis.next_steps {
        assert!(
            !letter.contains(&step.zh),
            "the owner's step {:?} is in the letter",
            step.zh
        );
    }
    // Codes only on the reference line at the end; words in Chinese.
    let code = plan.diagnosis.code.as_str();
    let lines: Vec<&str> = letter.lines().collect();
    let with_code: Vec<&&str> = lines.iter().filter(|l| l.contains(code)).collect();
    assert_eq!(with_code, vec![lines.last().unwrap()], "{letter}");
    assert!(letter.contains("结果：成功"), "{letter}");
    for english in ["approved", "RMB", "(merchant)", "unionpay"] {
        assert!(
            !letter.contains(english),
            "{english:?} in the Chinese letter:\n{letter}"
        );
    }
    // The phone script is what the owner says: the same request, no stage directions.
    let phone = &plan.phone_script.zh;
    assert!(phone.starts_with("您好，我是商户"), "{phone}");
    assert!(phone.contains(&ask.zh), "{phone}");
    assert!(!phone.contains("致电") && !phone.contains(code), "{phone}");
}
