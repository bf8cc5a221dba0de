//! Statement lines meet journal transactions: every discrepancy kind, and stability.

#![allow(clippy::unwrap_used)] // a test: fail loudly

use chrono::TimeDelta;
use slipkeeper_domain::{
    reconcile, sample, DiscrepancyKind, MatchRule, Money, Outcome, StatementLine, TerminalId,
    TraceNo, Transaction, TxnKind,
};
use std::collections::HashSet;

fn journal(n: u64) -> Vec<(i64, Transaction)> {
    (0..n)
        .map(|i| (i as i64 + 1, sample::transaction(i)))
        .collect()
}

fn known() -> HashSet<TerminalId> {
    sample::TERMINALS
        .iter()
        .map(|t| TerminalId::new(t).unwrap())
        .collect()
}

/// What an acquirer would list for `t`: every settled transaction, fee 0.6 %.
fn line_for(no: u32, t: &Transaction) -> StatementLine {
    let fee = t.amount.minor() * 6 / 1000;
    StatementLine {
        line_no: no,
        merchant_id: Some(t.merchant_id.clone()),
        terminal_id: Some(t.terminal_id.clone()),
        occurred_at: t.occurred_at,
        card: t.pan.as_ref().map(|p| p.as_str().to_owned()),
        amount: t.amount,
        fee: Some(Money::cny(fee)),
        net: None,
        rrn: t.rrn.clone(),
        trace_no: Some(t.trace_no.clone()),
        auth_code: t.auth_code.clone(),
        kind: t.kind,
        settle_date: Some(t.occurred_at.date() + TimeDelta::days(1)),
        card_type: None,
    }
}

/// The statement an acquirer that received everything would send.
fn statement(txns: &[(i64, Transaction)]) -> Vec<(i64, StatementLine)> {
    txns.iter()
        .filter(|(_, t)| t.outcome == Outcome::Approved && t.kind != TxnKind::Void)
        .enumerate()
        .map(|(i, (_, t))| (1000 + i as i64, line_for(i as u32 + 2, t)))
        .collect()
}

fn kinds(r: &slipkeeper_domain::Reconciliation) -> Vec<DiscrepancyKind> {
    r.discrepancies.iter().map(|d| d.kind).collect()
}

#[test]
fn a_complete_statement_matches_everything_by_rrn() {
    let txns = journal(200);
    let lines = statement(&txns);
    let r = reconcile(&txns, &lines, &known());
    assert_eq!(r.matches.len(), lines.len());
    assert!(r
        .matches
        .iter()
        .all(|m| m.rule == MatchRule::Rrn && m.confidence == 100));
    assert!(r.discrepancies.is_empty(), "{:#?}", r.discrepancies);
    assert!(
        r.totals.iter().all(|t| t.difference_minor == 0),
        "{:#?}",
        r.totals
    );
    let fees: i64 = r.totals.iter().map(|t| t.fee_minor).sum();
    let expected: i64 = lines.iter().map(|(_, l)| l.fee.unwrap().minor()).sum();
    assert_eq!(fees, expected);
    assert!(r
        .totals
        .iter()
        .all(|t| t.net_minor == t.statement_minor - t.fee_minor));
}

#[test]
fn a_sale_the_acquirer_never_received_is_missing_from_the_statement() {
    let txns = journal(50);
    let mut lines = statement(&txns);
    let (_, dropped) = lines.remove(7);
    let r = reconcile(&txns, &lines, &known());
    assert_eq!(kinds(&r), vec![DiscrepancyKind::MissingFromStatement]);
    let d = &r.discrepancies[0];
    let (id, t) = txns.iter().find(|(_, t)| t.rrn == dropped.rrn).unwrap();
    assert_eq!(d.txn_id, Some(*id));
    assert!(
        d.detail.en.contains(t.trace_no.as_str()) && d.detail.en.contains("not on the statement"),
        "{}",
        d.detail.en
    );
    let diff: i64 = r.totals.iter().map(|t| t.difference_minor).sum();
    assert_eq!(
        diff,
        -dropped.signed_minor(),
        "the totals show the missing money"
    );
}

#[test]
fn a_line_the_mirror_missed_and_a_line_from_another_terminal() {
    let txns = journal(20);
    let mut lines = statement(&txns);
    let mut extra = line_for(90, &txns[3].1);
    extra.rrn = Some("699999999999".parse().unwrap());
    extra.trace_no = Some(TraceNo::new("777777").unwrap());
    extra.amount = Money::cny(12_345);
    lines.push((5000, extra.clone()));
    let mut other = extra.clone();
    other.line_no = 91;
    other.rrn = Some("699999999998".parse().unwrap());
    other.terminal_id = Some(TerminalId::new("20000009").unwrap());
    lines.push((5001, other));
    let r = reconcile(&txns, &lines, &known());
    let mut k = kinds(&r);
    k.sort();
    assert_eq!(
        k,
        vec![
            DiscrepancyKind::MissingFromJournal,
            DiscrepancyKind::OtherTerminal
        ]
    );
    let other = r
        .discrepancies
        .iter()
        .find(|d| d.kind == DiscrepancyKind::OtherTerminal)
        .unwrap();
    assert!(
        other.detail.en.contains("20000009") && other.detail.en.contains("line 91"),
        "{}",
        other.detail.en
    );
}

#[test]
fn weaker_rules_when_the_statement_lacks_the_rrn_or_the_voucher() {
    let txns = journal(10);
    let sale = txns
        .iter()
        .find(|(_, t)| t.kind == TxnKind::Sale && t.outcome == Outcome::Approved)
        .unwrap();
    let mut by_voucher = line_for(2, &sale.1);
    by_voucher.rrn = None;
    let r = reconcile(
        std::slice::from_ref(sale),
        &[(1, by_voucher.clone())],
        &known(),
    );
    assert_eq!(r.matches[0].rule, MatchRule::TerminalVoucherDate);
    assert_eq!(r.matches[0].confidence, 90);

    let mut by_amount = by_voucher.clone();
    by_amount.trace_no = None;
    by_amount.occurred_at += TimeDelta::seconds(95); // acquirer host time, a bit later
    let r = reconcile(
        std::slice::from_ref(sale),
        &[(1, by_amount.clone())],
        &known(),
    );
    assert_eq!(r.matches[0].rule, MatchRule::AmountTimeCard);
    assert_eq!(r.matches[0].confidence, 70);
    assert_eq!(
        r.matches[0].reason,
        "same amount and card last-4, 95 s apart"
    );

    let mut no_card = by_amount.clone();
    no_card.card = None;
    let r = reconcile(std::slice::from_ref(sale), &[(1, no_card)], &known());
    assert_eq!(r.matches[0].confidence, 50);

    // Another card, or outside the window: no match.
    let mut other_card = by_amount.clone();
    other_card.card = Some("622202******9999".into());
    let r = reconcile(std::slice::from_ref(sale), &[(1, other_card)], &known());
    assert!(r.matches.is_empty());
    let mut late = by_amount;
    late.occurred_at += TimeDelta::minutes(30);
    assert!(
        reconcile(std::slice::from_ref(sale), &[(1, late)], &known())
            .matches
            .is_empty()
    );
}

#[test]
fn amount_and_type_mismatches_on_a_matched_pair() {
    let txns = journal(10);
    let mut lines = statement(&txns);
    lines[0].1.amount = Money::cny(lines[0].1.amount.minor() + 100);
    lines[1].1.kind = TxnKind::Refund;
    let r = reconcile(&txns, &lines, &known());
    let mut k = kinds(&r);
    k.sort();
    assert_eq!(
        k,
        vec![
            DiscrepancyKind::AmountMismatch,
            DiscrepancyKind::TypeMismatch
        ]
    );
    assert_eq!(r.matches.len(), lines.len(), "still paired by RRN");
}

#[test]
fn two_identical_sales_pair_with_two_lines_one_each() {
    let base = journal(4)
        .into_iter()
        .find(|(_, t)| t.kind == TxnKind::Sale && t.outcome == Outcome::Approved)
        .unwrap()
        .1;
    let mut a = base.clone();
    a.rrn = None;
    let mut b = a.clone();
    b.trace_no = TraceNo::new("900001").unwrap();
    b.occurred_at += TimeDelta::minutes(1);
    let txns = vec![(1, a.clone()), (2, b.clone())];
    let strip = |t: &Transaction, no| {
        let mut l = line_for(no, t);
        l.trace_no = None;
        l
    };
    let lines = vec![(10, strip(&a, 2)), (11, strip(&b, 3))];
    let r = reconcile(&txns, &lines, &known());
    let pairs: Vec<(i64, i64)> = r.matches.iter().map(|m| (m.line_id, m.txn_id)).collect();
    assert_eq!(
        pairs,
        vec![(10, 1), (11, 2)],
        "closest in time, each used once"
    );
    assert!(r.discrepancies.is_empty());
}

#[test]
fn the_same_inputs_in_any_order_give_the_same_result() {
    let txns = journal(300);
    let mut lines = statement(&txns);
    lines.truncate(250);
    for (_, l) in lines.iter_mut().step_by(3) {
        l.rrn = None;
    }
    let a = reconcile(&txns, &lines, &known());
    let mut t2 = txns.clone();
    t2.reverse();
    let mut l2 = lines.clone();
    l2.reverse();
    l2.rotate_left(17);
    let b = reconcile(&t2, &l2, &known());
    assert_eq!(a, b);
    // Declines and voids never count as missing from the statement.
    assert!(a.discrepancies.iter().filter_map(|d| d.txn_id).all(|id| {
        let t = &txns[(id - 1) as usize].1;
        t.outcome == Outcome::Approved && t.kind != TxnKind::Void
    }));
}
