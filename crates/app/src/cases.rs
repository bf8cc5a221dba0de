//! Cases with the acquirer: opened from a diagnosis, with a deadline from the
//! acquirer's response window, a history, and the letter and phone script that go
//! with them.

use crate::{acquirers::Acquirer, App, AppError, ErrorCode, Lookup};
use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;
use slipkeeper_domain::{days_left, CaseStatus, Complaint, Diagnosis, Text, Transaction};
use slipkeeper_journal::{CaseEvent, CaseRow, MerchantProfile, NewCase};

/// A case with what the list shows: days left until the deadline.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct CaseSummary {
    /// The case as stored.
    #[serde(flatten)]
    pub case: CaseRow,
    /// Negative when overdue; None without a deadline or once resolved.
    pub days_left: Option<i64>,
}

/// A case with its history and the diagnosis it was opened with.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    /// The case and its days left.
    pub summary: CaseSummary,
    /// Its history, oldest first.
    pub events: Vec<CaseEvent>,
    /// The diagnosis when it was opened.
    pub diagnosis: Diagnosis,
    /// How the transaction was identified.
    pub lookup: Lookup,
}

/// What to say and write to the acquirer, prefilled.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct ContactPlan {
    /// The diagnosis the case is about.
    pub diagnosis: Diagnosis,
    /// Who to contact.
    pub acquirer: Acquirer,
    /// What they will ask for: their documents and the identifiers of this case.
    pub asks: Vec<Text>,
    /// What to say on the phone.
    pub phone_script: Text,
    /// The letter to send.
    pub letter: Text,
    /// Merchant profile fields to fill in before a letter can go out.
    pub missing: Vec<&'static str>,
    /// The directory's reminder that numbers must be checked against the contract.
    pub check_note: Text,
}

/// A case as its page shows it: the transaction, the deadline, the letter and phone
/// script, the packs built, the history, and the statuses it can move to.
#[derive(ts_rs::TS, Clone, Debug, Serialize)]
pub struct CasePage {
    /// The case and its days left.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// The transaction, when it is in the journal.
    pub txn: Option<slipkeeper_journal::TxnRow>,
    /// Oldest first.
    pub events: Vec<CaseEvent>,
    /// Who to contact and what to say.
    pub plan: ContactPlan,
    /// Evidence packs built for the case and still on disk, newest first.
    pub packs: Vec<std::path::PathBuf>,
    /// Where the case can go from here ([`CaseStatus::can_become`]).
    pub next: Vec<CaseStatus>,
}

/// A change the owner makes on a case's page; what is left out stays.
#[derive(ts_rs::TS, Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct CaseUpdate {
    /// The new status (only to one `next` allows).
    pub status: Option<CaseStatus>,
    /// A line for the history ("called 95516, ticket 2026-1203-17").
    pub note: Option<String>,
    /// The acquirer's own reference for the case.
    pub acquirer_ref: Option<String>,
}

/// Profile fields a letter cannot go without.
pub fn missing_profile_fields(p: &MerchantProfile) -> Vec<&'static str> {
    let mut v = Vec::new();
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|x| x.trim().is_empty());
    if blank(&p.shop_name) {
        v.push("shop_name");
    }
    if blank(&p.contact_person) {
        v.push("contact_person");
    }
    if blank(&p.phone) {
        v.push("phone");
    }
    v
}

impl App {
    /// [`missing_profile_fields`] of the saved profile, for forms to ask before a case.
    pub fn missing_profile(&self) -> Result<Vec<String>, AppError> {
        let p = self.merchant_profile()?;
        Ok(missing_profile_fields(&p)
            .into_iter()
            .map(str::to_owned)
            .collect())
    }

    fn summary(&self, case: CaseRow) -> CaseSummary {
        let today = self.clock.local_now().date();
        let days_left = case
            .due_on
            .filter(|_| !case.status.is_resolved())
            .map(|d| days_left(d, today));
        CaseSummary { case, days_left }
    }

    /// Opens a case from a diagnosis; the deadline is today plus the acquirer's
    /// response window.
    pub fn open_case(
        &mut self,
        complaint: Complaint,
        lookup: &Lookup,
        acquirer_id: Option<&str>,
        statement_line_id: Option<i64>,
    ) -> Result<i64, AppError> {
        let mut facts = self.facts(lookup)?;
        if let Some(id) = statement_line_id {
            // The line the case is about is the acquirer's word on it, first among the
            // statement's witnesses.
            facts.statement.retain(|w| w.line_id != id);
            let line = self.journal.statement_line_by_id(id)?;
            facts.statement.insert(0, self.witness(line));
        }
        let diagnosis = slipkeeper_domain::diagnose(complaint, &facts);
        let acquirer = acquirer_id.map(|id| self.acquirer(id)).transpose()?;
        let today = self.clock.local_now().date();
        let due_on = acquirer
            .as_ref()
            .map(|a| today + TimeDelta::days(i64::from(a.response_days)));
        let txn_id = diagnosis.facts.first().and_then(|f| f.txn_id).filter(|_| {
            !matches!(
                diagnosis.code,
                slipkeeper_domain::DiagnosisCode::NotInJournalTypo
                    | slipkeeper_domain::DiagnosisCode::OtherTerminal
            )
        });
        let id = self.journal.open_case(
            &NewCase {
                complaint,
                code: diagnosis.code.as_str().to_owned(),
                txn_id,
                // The statement line the answer went by travels with the case (and
                // its evidence pack), whether or not the case was opened from it.
                statement_line_id: statement_line_id
                    .or_else(|| diagnosis.facts.iter().find_map(|f| f.line_id)),
                acquirer_id: acquirer.map(|a| a.id),
                due_on,
                lookup: to_json(lookup)?,
                diagnosis: to_json(&diagnosis)?,
            },
            self.clock.now(),
        )?;
        Ok(id)
    }

    /// Every case with its days left.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, AppError> {
        Ok(self
            .journal
            .cases()?
            .into_iter()
            .map(|c| self.summary(c))
            .collect())
    }

    /// Open cases whose deadline is within `days` (or past).
    pub fn cases_due(&self, days: i64) -> Result<Vec<CaseSummary>, AppError> {
        Ok(self
            .cases()?
            .into_iter()
            .filter(|c| c.days_left.is_some_and(|d| d <= days))
            .collect())
    }

    /// One case with its history and diagnosis.
    pub fn case(&self, id: i64) -> Result<CaseView, AppError> {
        let (row, events) = self.journal.case(id)?;
        let corrupt =
            |e: serde_json::Error| AppError::new(ErrorCode::Corrupt, format!("case #{id}: {e}"));
        let diagnosis = serde_json::from_str(&row.diagnosis).map_err(corrupt)?;
        let lookup = serde_json::from_str(&row.lookup).map_err(corrupt)?;
        Ok(CaseView {
            summary: self.summary(row),
            events,
            diagnosis,
            lookup,
        })
    }

    /// Changes a case's status, reference, deadline or adds a note (the history records
    /// each).
    pub fn update_case(
        &mut self,
        id: i64,
        status: Option<CaseStatus>,
        acquirer_ref: Option<&str>,
        due_on: Option<NaiveDate>,
        note: Option<&str>,
    ) -> Result<(), AppError> {
        if let Some(next) = status {
            let (row, _) = self.journal.case(id)?;
            if !row.status.can_become(next) {
                return Err(AppError::new(
                    ErrorCode::BadInput,
                    format!(
                        "case #{id} is {}; it cannot become {}",
                        row.status.as_str(),
                        next.as_str()
                    ),
                ));
            }
        }
        self.journal
            .update_case(id, status, acquirer_ref, due_on, note, self.clock.now())?;
        Ok(())
    }

    /// The profile with what the slips already say filled in where it is empty, for
    /// the first start: the merchant number and the shop's name from the newest
    /// transaction and the slip its terminal printed. Nothing is saved.
    pub fn suggested_profile(&self) -> Result<MerchantProfile, AppError> {
        let mut p = self.merchant_profile()?;
        let newest = self.search(&slipkeeper_journal::TxnQuery {
            limit: 1,
            ..Default::default()
        })?;
        if let Some(row) = newest.items.first() {
            if p.merchant_id.is_none() {
                p.merchant_id = Some(row.txn.merchant_id.clone());
            }
            if p.shop_name.as_deref().is_none_or(|s| s.trim().is_empty()) {
                p.shop_name = slipkeeper_slip::printed_merchant_name(&self.detail(row.id)?.slips);
            }
        }
        Ok(p)
    }

    /// The shop's details for letters.
    pub fn merchant_profile(&self) -> Result<MerchantProfile, AppError> {
        Ok(self.journal.merchant_profile()?)
    }

    /// Saves the shop's details.
    pub fn set_merchant_profile(&self, p: &MerchantProfile) -> Result<(), AppError> {
        Ok(self.journal.set_merchant_profile(p)?)
    }

    /// The guided contact for a case: what the acquirer will ask, a phone script and a
    /// letter with every identifier, and what is still missing from the profile.
    /// Everything the case page shows.
    pub fn case_page(&self, id: i64) -> Result<CasePage, AppError> {
        let view = self.case(id)?;
        let txn = view
            .summary
            .case
            .txn_id
            .map(|t| self.detail(t).map(|d| d.row))
            .transpose()?;
        // A pack event reads "<path> sha256 <digest>" (see `build_evidence`).
        let mut packs: Vec<std::path::PathBuf> = view
            .events
            .iter()
            .filter(|e| e.kind == "pack")
            .filter_map(|e| e.text.rsplit_once(" sha256 ").map(|(p, _)| p.into()))
            .filter(|p: &std::path::PathBuf| p.is_file())
            .collect();
        packs.reverse();
        let status = view.summary.case.status;
        Ok(CasePage {
            plan: self.contact_plan(id)?,
            next: CaseStatus::ALL
                .into_iter()
                .filter(|n| status.can_become(*n))
                .collect(),
            txn,
            events: view.events,
            packs,
            summary: view.summary,
        })
    }

    /// Applies a change from the case page; the page as it is after.
    pub fn change_case(&mut self, id: i64, u: &CaseUpdate) -> Result<CasePage, AppError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (note, reference) = (blank(&u.note), blank(&u.acquirer_ref));
        if u.status.is_none() && note.is_none() && reference.is_none() {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "nothing to change: choose a status or write a note / 没有要修改的内容：请选择状态或填写备注",
            ));
        }
        self.update_case(id, u.status, reference.as_deref(), None, note.as_deref())?;
        self.case_page(id)
    }

    /// What to say and write to the acquirer for a case, prefilled.
    pub fn contact_plan(&self, case_id: i64) -> Result<ContactPlan, AppError> {
        let view = self.case(case_id)?;
        let acquirer = match &view.summary.case.acquirer_id {
            Some(id) => self.acquirer(id)?,
            None => self.acquirer("template")?,
        };
        let txn = view
            .summary
            .case
            .txn_id
            .map(|id| self.detail(id).map(|d| d.row.txn))
            .transpose()?;
        let profile = self.merchant_profile()?;
        let today = self.clock.local_now().date();
        let mut asks = acquirer.documents.clone();
        asks.extend(view.diagnosis.prepare.iter().cloned());
        Ok(ContactPlan {
            phone_script: phone_script(&profile, txn.as_ref(), &view),
            letter: letter(&profile, txn.as_ref(), &view, &acquirer, today),
            missing: missing_profile_fields(&profile),
            diagnosis: view.diagnosis,
            acquirer,
            asks,
            check_note: crate::acquirers::directory_note(),
        })
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

/// The merchant number a letter quotes: the profile's, else the transaction's.
pub(crate) fn merchant_no(p: &MerchantProfile, t: Option<&Transaction>) -> Option<String> {
    p.merchant_id
        .as_ref()
        .map(|m| m.to_string())
        .or_else(|| t.map(|t| t.merchant_id.to_string()))
}

fn or_dash(v: Option<&str>) -> &str {
    v.filter(|s| !s.trim().is_empty()).unwrap_or("—")
}

fn txn_lines(t: &Transaction) -> (Vec<String>, Vec<String>) {
    let (kzh, ken) = t.kind.slip_label();
    let rrn = or_dash(t.rrn.as_ref().map(|r| r.as_str()));
    let auth = or_dash(t.auth_code.as_ref().map(|r| r.as_str()));
    let card = or_dash(t.pan.as_ref().map(|r| r.as_str()));
    (
        vec![
            format!(
                "商户号：{}　终端号：{}　批次号：{}　凭证号：{}",
                t.merchant_id, t.terminal_id, t.batch_no, t.trace_no
            ),
            format!("参考号：{rrn}　授权码：{auth}　卡号：{card}"),
            format!(
                "交易类型：{kzh}　金额：{}　交易时间：{}　结果：{}",
                t.amount.zh_string(),
                t.occurred_at,
                t.outcome.words().0
            ),
        ],
        vec![
            format!(
                "Merchant no.: {}  Terminal no.: {}  Batch no.: {}  Voucher no.: {}",
                t.merchant_id, t.terminal_id, t.batch_no, t.trace_no
            ),
            format!("RRN: {rrn}  Auth code: {auth}  Card: {card}"),
            format!(
                "Type: {ken}  Amount: {}  Time: {}  Outcome: {}",
                t.amount,
                t.occurred_at,
                t.outcome.words().1
            ),
        ],
    )
}

/// What the owner says when the acquirer answers (whom to call is shown beside it).
fn phone_script(p: &MerchantProfile, t: Option<&Transaction>, v: &CaseView) -> Text {
    let shop = or_dash(p.shop_name.as_deref());
    let mid = merchant_no(p, t).unwrap_or_else(|| "—".into());
    let c = v.summary.case.complaint.text();
    let ask = v.summary.case.complaint.acquirer_request();
    let (tzh, ten) = match t {
        Some(t) => (
            format!(
                "终端号 {}，交易时间 {}，金额 {}，凭证号 {}，参考号 {}，授权码 {}",
                t.terminal_id,
                t.occurred_at,
                t.amount.zh_string(),
                t.trace_no,
                or_dash(t.rrn.as_ref().map(|r| r.as_str())),
                or_dash(t.auth_code.as_ref().map(|r| r.as_str()))
            ),
            format!(
                "terminal {}, time {}, amount {}, voucher {}, RRN {}, auth code {}",
                t.terminal_id,
                t.occurred_at,
                t.amount,
                t.trace_no,
                or_dash(t.rrn.as_ref().map(|r| r.as_str())),
                or_dash(t.auth_code.as_ref().map(|r| r.as_str()))
            ),
        ),
        None => (
            format!("查询方式：{}", v.lookup.describe()),
            format!("looked up by {}", v.lookup.describe()),
        ),
    };
    Text::new(
        format!(
            "您好，我是商户“{shop}”，商户号 {mid}。我想查询一笔交易：{tzh}。情况是：{}；我们的记录显示：{}。{}请告诉我受理编号，以及什么时候能给答复。",
            c.zh, v.diagnosis.title.zh, ask.zh
        ),
        format!(
            "Hello, this is the shop \"{shop}\", merchant no. {mid}. I am calling about a transaction: {ten}. What happened: {}; our records show: {}. {} Could you give me a case reference and the date I will get an answer?",
            c.en, v.diagnosis.title.en, ask.en
        ),
    )
}

fn letter(
    p: &MerchantProfile,
    t: Option<&Transaction>,
    v: &CaseView,
    a: &Acquirer,
    today: NaiveDate,
) -> Text {
    let shop = or_dash(p.shop_name.as_deref());
    let mid = merchant_no(p, t).unwrap_or_else(|| "—".into());
    let (tzh, ten) = t.map(txn_lines).unwrap_or_else(|| {
        (
            vec![format!("查询方式：{}", v.lookup.describe())],
            vec![format!("Looked up by: {}", v.lookup.describe())],
        )
    });
    let d = &v.diagnosis;
    let c = v.summary.case.complaint.text();
    let facts_zh: Vec<String> = d.facts.iter().map(|f| format!("- {}", f.text.zh)).collect();
    let facts_en: Vec<String> = d.facts.iter().map(|f| format!("- {}", f.text.en)).collect();
    let contact_zh = format!(
        "联系人：{}　电话：{}　邮箱：{}　地址：{}",
        or_dash(p.contact_person.as_deref()),
        or_dash(p.phone.as_deref()),
        or_dash(p.email.as_deref()),
        or_dash(p.address.as_deref())
    );
    let contact_en = format!(
        "Contact: {}  Phone: {}  E-mail: {}  Address: {}",
        or_dash(p.contact_person.as_deref()),
        or_dash(p.phone.as_deref()),
        or_dash(p.email.as_deref()),
        or_dash(p.address.as_deref())
    );
    let case_no = v.summary.case.id;
    let zh = [
        vec![
            format!("致：{}", a.name.zh),
            format!("日期：{today}　本店案件编号：SK-{case_no}"),
            format!("事由：交易核查申请（商户号 {mid}）"),
            String::new(),
            format!("商户：{shop}"),
        ],
        tzh,
        vec![
            String::new(),
            format!("问题：{}", c.zh),
            format!("我们的核查：{}", d.title.zh),
            d.explanation.zh.clone(),
            String::new(),
            "经过：".into(),
        ],
        facts_zh,
        vec![
            String::new(),
            "请求：".into(),
            format!("- {}", v.summary.case.complaint.acquirer_request().zh),
            "- 请告知受理编号和答复时限。".into(),
        ],
        vec![
            String::new(),
            "附件：签购单重打印件、交易日志摘录、终端原始报文、完整性校验数据。".into(),
            contact_zh,
            String::new(),
            format!("{shop}"),
            String::new(),
            format!("（参考：签购单管家 {}）", d.code.as_str()),
        ],
    ]
    .concat()
    .join("\n");
    let en = [
        vec![
            format!("To: {}", a.name.en),
            format!("Date: {today}  Our case no.: SK-{case_no}"),
            format!("Subject: transaction inquiry (merchant no. {mid})"),
            String::new(),
            format!("Merchant: {shop}"),
        ],
        ten,
        vec![
            String::new(),
            format!("Problem: {}", c.en),
            format!("Our check: {}", d.title.en),
            d.explanation.en.clone(),
            String::new(),
            "Timeline:".into(),
        ],
        facts_en,
        vec![
            String::new(),
            "Requested action:".into(),
            format!("- {}", v.summary.case.complaint.acquirer_request().en),
            "- Please give us a case reference and the date of your answer.".into(),
        ],
        vec![
            String::new(),
            "Enclosed: slip reprint, journal excerpt, the terminal's raw frames, integrity data."
                .into(),
            contact_en,
            String::new(),
            format!("{shop}"),
            String::new(),
            format!("(Reference: Slipkeeper {})", d.code.as_str()),
        ],
    ]
    .concat()
    .join("\n");
    Text::new(zh, en)
}
