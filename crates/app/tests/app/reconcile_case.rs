//! Reconcile → "open a case" on a discrepancy: the case is about the right
//! transaction or statement line, with the complaint the discrepancy means.

use slipkeeper_domain::DiscrepancyKind;

#[test]
fn a_case_opened_from_a_discrepancy_names_what_the_statement_and_the_journal_say() {
    let (dir, mut app) = crate::support::shop(60);
    // A statement for the day of the journal's newest transaction that lists none
    // of the journal's transactions and one the journal lacks.
    let day = app.search(&Default::default()).unwrap().items[0]
        .txn
        .occurred_at
        .date();
    let statement = dir.path().join("statement.csv");
    std::fs::write(
        &statement,
        format!(
            "Terminal ID,Transaction Time,Card Number,Amount,Fee,RRN,Trace No,Type\n\
             10000001,{day} 23:59:00,552233******0733,12.50,0.08,600000000099,000099,SALE\n"
        ),
    )
    .unwrap();
    app.import_statement(&statement, None, None).unwrap();
    let (from, to) = app.statement_period().unwrap().unwrap();
    let report = app.reconcile(from, to).unwrap();

    let lost = report
        .result
        .discrepancies
        .iter()
        .find(|d| d.kind == DiscrepancyKind::MissingFromStatement)
        .expect("journal transactions the statement lacks");
    let case = app.open_case_from_discrepancy(lost, Some("cup")).unwrap();
    let c = app.case(case).unwrap().summary;
    assert_eq!(c.case.txn_id, lost.txn_id, "about that transaction");
    assert_eq!(c.case.complaint.as_str(), "not_in_acquirer_back_end");
    assert!(c.case.due_on.is_some(), "the acquirer's deadline");

    let unknown = report
        .result
        .discrepancies
        .iter()
        .find(|d| d.kind == DiscrepancyKind::MissingFromJournal)
        .expect("the statement line the journal lacks");
    let case = app.open_case_from_discrepancy(unknown, None).unwrap();
    let c = app.case(case).unwrap().summary;
    assert_eq!(
        c.case.statement_line_id, unknown.line_id,
        "the line is attached"
    );
    assert_eq!(c.case.txn_id, None);
    assert!(c.case.code.starts_with("NOT_IN_JOURNAL"), "{}", c.case.code);
    assert!(
        c.case.lookup.contains("600000000099"),
        "looked up by the statement's RRN: {}",
        c.case.lookup
    );
}
