//! Automatic backups on real files: a copy a day into the folder the owner chose,
//! the newest N kept (nothing else in the folder touched), each copy a journal that
//! verifies; refused folders name the field; a failure and a long silence are alerts.

use slipkeeper_app::{App, BackupPlan, FixedClock};
use std::path::Path;

fn app_at(db: &Path, at: &str) -> App {
    App::open(db, FixedClock::at(at)).unwrap()
}

fn copies(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_copy_a_day_the_newest_kept_each_one_a_journal_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    std::fs::write(stick.path().join("photos.txt"), "the owner's own file").unwrap();
    let db = dir.path().join("journal.db");
    let mut app = app_at(&db, "2026-12-01T04:00:00+08:00");
    app.seed_demo(40).unwrap();
    // Nothing set: nothing due, nothing written.
    assert_eq!(app.backup_if_due().unwrap(), None);
    app.set_backup_plan(&BackupPlan {
        folder: Some(stick.path().to_owned()),
        keep: 2,
    })
    .unwrap();
    let first = app.backup_if_due().unwrap().unwrap();
    // Due once a day: not again the same morning.
    assert_eq!(app.backup_if_due().unwrap(), None);
    for day in ["2026-12-02T04:00:00+08:00", "2026-12-03T04:00:00+08:00"] {
        assert!(app_at(&db, day).backup_if_due().unwrap().is_some());
    }
    assert_eq!(
        copies(stick.path()),
        vec![
            "photos.txt",
            "slipkeeper-backup-20261202-040000.db",
            "slipkeeper-backup-20261202-040000.db.anchors",
            "slipkeeper-backup-20261203-040000.db",
            "slipkeeper-backup-20261203-040000.db.anchors"
        ],
        "each copy with its anchors; the oldest removed with its own"
    );
    assert!(!first.exists(), "the oldest copy beyond keep=2 is removed");
    let copy = App::open(
        &stick.path().join("slipkeeper-backup-20261203-040000.db"),
        FixedClock::at("2026-12-03T04:00:00+08:00"),
    )
    .unwrap();
    assert!(copy.verify().unwrap().is_clean());
    assert_eq!(copy.search(&Default::default()).unwrap().total, 40);
    let s = app_at(&db, "2026-12-03T05:00:00+08:00").backups().unwrap();
    assert!(!s.overdue);
    assert!(s
        .last_path
        .unwrap()
        .ends_with("slipkeeper-backup-20261203-040000.db"));
}

#[test]
fn folders_that_are_no_second_place_are_refused_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let app = app_at(&db, "2026-12-01T04:00:00+08:00");
    let refused = |plan: BackupPlan| app.set_backup_plan(&plan).unwrap_err();
    let own = refused(BackupPlan {
        folder: Some(dir.path().to_owned()),
        keep: 7,
    });
    assert_eq!(own.field.as_deref(), Some("folder"));
    assert!(own.message.contains("U盘"), "{}", own.message);
    let gone = refused(BackupPlan {
        folder: Some(dir.path().join("unplugged")),
        keep: 7,
    });
    assert_eq!(gone.field.as_deref(), Some("folder"));
    let none = refused(BackupPlan {
        folder: None,
        keep: 0,
    });
    assert_eq!(none.field.as_deref(), Some("keep"));
    // Nothing was saved by the refusals.
    assert_eq!(app.backups().unwrap().plan, BackupPlan::default());
}

#[test]
fn a_failed_backup_and_a_long_silence_are_alerts_on_home() {
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let app = app_at(&db, "2026-12-01T04:00:00+08:00");
    app.set_backup_plan(&BackupPlan {
        folder: Some(stick.path().to_owned()),
        keep: 7,
    })
    .unwrap();
    let alert = |app: &App| {
        app.home()
            .unwrap()
            .alerts
            .iter()
            .find(|a| a.text.zh.contains("备份"))
            .map(|a| {
                assert_eq!(
                    a.fix,
                    slipkeeper_app::AlertFix::Settings,
                    "fixed in Settings"
                );
                a.text.zh.clone()
            })
    };
    // Set up today, none made yet: overdue only after two days.
    assert_eq!(alert(&app), None);
    let later = app_at(&db, "2026-12-03T05:00:00+08:00");
    assert!(
        alert(&later).unwrap().contains("还没有做过"),
        "{:?}",
        alert(&later)
    );
    later.backup_now().unwrap();
    assert_eq!(alert(&later), None);
    assert!(later.home().unwrap().backup.last_at.is_some());
    // The stick is pulled out: the next attempt fails, and says so.
    let path = stick.path().to_owned();
    drop(stick);
    let next = app_at(&db, "2026-12-04T05:00:00+08:00");
    let e = next.backup_if_due().unwrap_err();
    assert!(
        e.message.contains(&path.display().to_string()),
        "{}",
        e.message
    );
    let said = alert(&next).unwrap();
    assert!(said.starts_with("自动备份失败"), "{said}");
    assert!(next.backups().unwrap().last_error.is_some());
}

/// Settings lists the automatic copies and restores one by its name: newest first,
/// with when it was made; only a name the backup folder lists is taken (another file
/// in the folder, a path, the journal itself are refused and nothing changes); the
/// restored journal is the copy's and verifies.
#[test]
fn an_automatic_copy_is_restored_by_its_name_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    std::fs::write(stick.path().join("photos.txt"), "the owner's own file").unwrap();
    let db = dir.path().join("journal.db");
    let mut app = app_at(&db, "2026-12-01T04:00:00+08:00");
    assert!(
        app.backup_copies().unwrap().is_empty(),
        "no folder, no copies"
    );
    app.seed_demo(30).unwrap();
    app.set_backup_plan(&BackupPlan {
        folder: Some(stick.path().to_owned()),
        keep: 7,
    })
    .unwrap();
    app.backup_now().unwrap();
    let mut later = app_at(&db, "2026-12-02T04:00:00+08:00");
    later.seed_demo(45).unwrap();
    later.backup_now().unwrap();
    let listed = later.backup_copies().unwrap();
    let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "slipkeeper-backup-20261202-040000.db",
            "slipkeeper-backup-20261201-040000.db"
        ]
    );
    assert_eq!(
        listed[1].made_at.unwrap().to_string(),
        "2026-12-01 04:00:00"
    );
    assert!(listed.iter().all(|c| c.size_bytes > 0));

    let total = |app: &App| app.search(&Default::default()).unwrap().total;
    assert_eq!(total(&later), 45);
    for not_a_copy in [
        "photos.txt",
        "../journal.db",
        db.to_str().unwrap(),
        "slipkeeper-backup-20261202-040000.db.anchors",
    ] {
        let e = later.restore_backup_copy(not_a_copy).unwrap_err();
        assert_eq!(
            e.code,
            slipkeeper_app::ErrorCode::NotFound,
            "{not_a_copy}: {e:?}"
        );
        assert!(e.zh.is_some(), "said in Chinese too");
    }
    assert_eq!(total(&later), 45, "a refused restore changes nothing");
    let report = later
        .restore_backup_copy("slipkeeper-backup-20261201-040000.db")
        .unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(total(&later), 30, "the journal is the older copy's");
}
