//! Talking to the counter terminal from the back office: connect, register (asking
//! for receipts and status to be sent here), run one command, and mirror everything the
//! terminal said into the journal.

use crate::{App, AppError, ErrorCode, IngestReport};
use serde::Serialize;
use slipkeeper_domain::{BatchNo, Currency, MerchantId, TerminalId};
use slipkeeper_link::{commands, mirror, End, Exchange, Link, LinkError};
use slipkeeper_zvt::{Apdu, Message};
use std::sync::Arc;

/// What the back office asks of the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalCommand {
    /// 05 01: is it there, which software, ready?
    Status,
    /// 06 10: turnover totals of the open batch.
    Totals,
    /// 06 50: settle the batch (end-of-day).
    EndOfDay,
    /// 06 20: print the last receipt again.
    RepeatReceipt,
    /// 06 70: diagnosis.
    Diagnosis,
    /// 06 01: a payment, for the demo and tests only.
    DemoPayment { amount_minor: u64 },
}

/// What happened, for the user.
#[derive(Clone, Debug, Serialize)]
pub struct TerminalReport {
    /// "completed", "aborted" or "acknowledged".
    pub end: String,
    /// The terminal's result code when it aborted.
    pub result_code: Option<u8>,
    pub terminal_id: Option<String>,
    pub software: Option<String>,
    pub terminal_status: Option<u8>,
    /// The batch was settled and Slipkeeper moved on to the next batch number.
    pub settled: bool,
    pub stored: IngestReport,
}

impl From<LinkError> for AppError {
    fn from(e: LinkError) -> Self {
        let code = match e {
            LinkError::Protocol(_) => ErrorCode::BadInput,
            _ => ErrorCode::Io,
        };
        AppError::new(code, e.to_string())
    }
}

const CURSOR_BATCH: &str = "batch";

fn runtime(b: &mut tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, AppError> {
    b.enable_all().build().map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot start the network runtime: {e}"),
        )
    })
}

fn terminal_id_of(ex: &Exchange) -> Option<String> {
    ex.messages.iter().find_map(|(m, _)| match m {
        Message::Completion(slipkeeper_zvt::Completion::Fields(f)) => f.terminal_id.clone(),
        Message::StatusInformation(f) => f.terminal_id.clone(),
        _ => None,
    })
}

impl App {
    /// Mirrors exchanges of terminal `tid` into the journal, in the terminal's open
    /// batch; returns what was stored and whether the batch was settled (the batch
    /// counter then moves on).
    fn store(
        &mut self,
        tid: Option<&str>,
        exchanges: &[&Exchange],
    ) -> Result<(IngestReport, bool), AppError> {
        let terminal_id = TerminalId::new(tid.unwrap_or("UNKNOWN"))?;
        let merchant_id = match self.journal.merchant_profile()?.merchant_id {
            Some(m) => m,
            None => MerchantId::new("UNKNOWN")?,
        };
        let batch_text = self
            .journal
            .cursor(&terminal_id, CURSOR_BATCH)?
            .unwrap_or_else(|| "1".to_owned());
        let ctx = mirror::Context {
            terminal_id: terminal_id.clone(),
            merchant_id,
            batch_no: BatchNo::new(&batch_text)?,
            currency: Currency::CNY,
            local_now: self.clock.local_now(),
        };
        let now = self.clock.now();
        let mut stored = IngestReport::default();
        let mut settled = false;
        for e in exchanges {
            let (records, s) = mirror::records(&ctx, e, now);
            stored.merge(self.journal.ingest(&records)?);
            settled |= s;
        }
        if settled {
            let next = batch_text.parse::<u32>().unwrap_or(0) + 1;
            self.journal
                .set_cursor(&terminal_id, CURSOR_BATCH, &next.to_string(), now)?;
        }
        self.index_search()?;
        Ok((stored, settled))
    }

    /// Proxy mode: listens for the cash register on `listen`, relays every byte to the
    /// terminal at `terminal`, and mirrors each finished exchange into the journal as
    /// it completes. `on_ready` gets the bound address. Runs until the listener fails.
    pub fn run_proxy(
        &mut self,
        listen: &str,
        terminal: &str,
        on_ready: impl FnOnce(&str),
    ) -> Result<(), AppError> {
        let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(2))?;
        let listen_addr: std::net::SocketAddr = listen
            .parse()
            .map_err(|e| AppError::new(ErrorCode::BadInput, format!("--listen {listen:?}: {e}")))?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let (tap, mut frames) = tokio::sync::mpsc::unbounded_channel();
        let (bound, _task) = rt
            .block_on(slipkeeper_link::proxy::run(
                listen_addr,
                terminal.to_owned(),
                tap,
                link_clock,
            ))
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot listen on {listen}: {e}")))?;
        on_ready(&bound.to_string());
        let mut conns: std::collections::HashMap<
            u64,
            (slipkeeper_link::proxy::Assembler, Option<String>),
        > = Default::default();
        // The relay runs on the runtime's threads; this thread only records, so a slow
        // disk never holds up a payment.
        while let Some((conn, frame)) = frames.blocking_recv() {
            let (asm, tid) = conns.entry(conn).or_default();
            for ex in asm.push(frame) {
                if tid.is_none() {
                    *tid = terminal_id_of(&ex);
                }
                let tid = tid.clone().or_else(|| terminal_id_of(&ex));
                self.store(tid.as_deref(), &[&ex])?;
            }
        }
        Ok(())
    }

    /// ECR mode, long-running: stays connected to the terminal at `addr` (heartbeat,
    /// reconnect with backoff) and mirrors everything it says into the journal.
    /// `on_state` hears every change of the connection. Runs until the process ends.
    pub fn connect(
        &mut self,
        addr: &str,
        heartbeat: std::time::Duration,
        mut on_state: impl FnMut(&slipkeeper_link::service::State),
    ) -> Result<(), AppError> {
        use slipkeeper_link::service::{self, Event};
        let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(1))?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let mut cfg = service::Config::new(addr);
        cfg.heartbeat = heartbeat;
        // Kept open for the service's lifetime; back-office commands will go through it.
        let (_requests, req_rx) = tokio::sync::mpsc::channel(8);
        let (ev_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        rt.spawn(service::run(cfg, link_clock, req_rx, ev_tx));
        let mut tid: Option<String> = None;
        while let Some(ev) = events.blocking_recv() {
            match ev {
                Event::State(s) => on_state(&s),
                Event::Exchange(ex) => {
                    if let Some(t) = terminal_id_of(&ex) {
                        tid = Some(t);
                    }
                    self.store(tid.as_deref(), &[&ex])?;
                }
            }
        }
        Ok(())
    }

    /// Runs `cmd` on the terminal at `addr` (host:port, ZVT over TCP) and mirrors it.
    pub fn terminal(
        &mut self,
        addr: &str,
        cmd: TerminalCommand,
        password: u32,
    ) -> Result<TerminalReport, AppError> {
        let rt = runtime(&mut tokio::runtime::Builder::new_current_thread())?;
        let clock = self.clock.clone();
        let link_clock: slipkeeper_link::Clock = Arc::new(move || clock.now());
        let (reg, ex) = rt.block_on(async {
            let mut link = Link::connect_tcp(addr, link_clock).await?;
            let reg = link
                .command(&commands::registration(
                    password,
                    commands::MIRROR_CONFIG,
                    156,
                ))
                .await?;
            let apdu: Apdu = match cmd {
                TerminalCommand::Status => commands::status_enquiry(),
                TerminalCommand::Totals => commands::turnover_totals(password),
                TerminalCommand::EndOfDay => commands::end_of_day(password),
                TerminalCommand::RepeatReceipt => commands::repeat_receipt(password),
                TerminalCommand::Diagnosis => commands::diagnosis(),
                TerminalCommand::DemoPayment { amount_minor } => {
                    commands::authorisation(amount_minor, 156)
                }
            };
            let ex = link.command(&apdu).await?;
            Ok::<_, LinkError>((reg, ex))
        })?;
        self.mirror(&reg, &ex)
    }

    fn mirror(&mut self, reg: &Exchange, ex: &Exchange) -> Result<TerminalReport, AppError> {
        let tid_text = terminal_id_of(reg).or_else(|| terminal_id_of(ex));
        let (stored, settled) = self.store(tid_text.as_deref(), &[reg, ex])?;
        let (end, result_code) = match ex.end {
            End::Completed => ("completed", None),
            End::Aborted(rc) => ("aborted", rc),
            End::Acknowledged => ("acknowledged", None),
        };
        let status = ex.terminal_status();
        Ok(TerminalReport {
            end: end.to_owned(),
            result_code,
            terminal_id: tid_text,
            software: status.as_ref().and_then(|s| s.0.clone()),
            terminal_status: status.map(|s| s.1),
            settled,
            stored,
        })
    }
}

/// The built-in demo terminal (the simulator) on 127.0.0.1; it runs until dropped.
#[derive(Debug)]
pub struct DemoTerminal {
    /// host:port to connect to.
    pub addr: String,
    _runtime: tokio::runtime::Runtime,
}

pub fn start_demo_terminal() -> Result<DemoTerminal, AppError> {
    start_demo_terminal_on("127.0.0.1:0")
}

/// The demo terminal on a given address (port 0: any free port).
pub fn start_demo_terminal_on(addr: &str) -> Result<DemoTerminal, AppError> {
    let listen: std::net::SocketAddr = addr
        .parse()
        .map_err(|e| AppError::new(ErrorCode::BadInput, format!("{addr:?}: {e}")))?;
    let rt = runtime(tokio::runtime::Builder::new_multi_thread().worker_threads(1))?;
    let term =
        slipkeeper_termsim::Terminal::new("52523535", slipkeeper_domain::sample::MERCHANT, 156);
    let (addr, _task) = rt
        .block_on(slipkeeper_termsim::serve(listen, term, demo_local_now))
        .map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("cannot start the demo terminal: {e}"),
            )
        })?;
    Ok(DemoTerminal {
        addr: addr.to_string(),
        _runtime: rt,
    })
}

/// Demo payments arriving live, as if a cash register drove the demo terminal: one
/// every `every`, until `stop` is set. Amounts follow a fixed pseudo-random sequence
/// (about one in twenty is declined, as the simulator declines amounts ending in .13).
pub fn run_live_demo(
    app: &std::sync::Mutex<App>,
    addr: &str,
    every: std::time::Duration,
    stop: &std::sync::atomic::AtomicBool,
) {
    let mut n: u64 = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        n += 1;
        let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let amount = if n % 20 == 7 { 1013 } else { 500 + h % 30_000 };
        if let Ok(mut a) = app.lock() {
            // A failed demo payment is shown by its absence; the demo keeps going.
            let _ = a.terminal(
                addr,
                TerminalCommand::DemoPayment {
                    amount_minor: amount,
                },
                0,
            );
        }
        std::thread::sleep(every);
    }
}

#[allow(clippy::disallowed_methods)] // the demo terminal's own clock, like a real terminal's
fn demo_local_now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, TxnQuery};

    #[test]
    fn back_office_commands_against_the_demo_terminal_are_mirrored() {
        let demo = start_demo_terminal().unwrap();
        let addr = demo.addr.clone();
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();

        let st = app.terminal(&addr, TerminalCommand::Status, 0).unwrap();
        assert_eq!(
            (st.end.as_str(), st.terminal_status, st.software.as_deref()),
            ("completed", Some(0), Some("SIM-1.00"))
        );
        assert_eq!(st.terminal_id.as_deref(), Some("52523535"));

        let paid = app
            .terminal(
                &addr,
                TerminalCommand::DemoPayment { amount_minor: 4200 },
                0,
            )
            .unwrap();
        assert_eq!(paid.end, "completed");
        let page = app.search(&TxnQuery::default()).unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].txn.batch_no.as_str(), "000001");
        assert_eq!(app.detail(page.items[0].id).unwrap().slips.len(), 2);

        let eod = app.terminal(&addr, TerminalCommand::EndOfDay, 0).unwrap();
        assert!(eod.settled);
        app.terminal(&addr, TerminalCommand::DemoPayment { amount_minor: 100 }, 0)
            .unwrap();
        let newest = app.search(&TxnQuery::default()).unwrap().items.remove(0);
        assert_eq!(
            newest.txn.batch_no.as_str(),
            "000002",
            "after end-of-day the next batch begins"
        );
        assert!(
            app.search(&TxnQuery {
                text: Some("VOUCHER NO.: 000001".into()),
                ..Default::default()
            })
            .unwrap()
            .total
                >= 1
        );
        assert!(app.verify().unwrap().is_clean());

        let declined = app
            .terminal(&addr, TerminalCommand::DemoPayment { amount_minor: 513 }, 0)
            .unwrap();
        assert_eq!(
            (declined.end.as_str(), declined.result_code),
            ("aborted", Some(5))
        );
    }

    #[test]
    fn an_unreachable_terminal_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(
            &dir.path().join("j.db"),
            FixedClock::at("2026-11-22T03:00:00Z"),
        )
        .unwrap();
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        drop(l);
        let e = app.terminal(&addr, TerminalCommand::Status, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::Io);
        assert!(
            e.message.contains("cannot reach the terminal"),
            "{}",
            e.message
        );
    }
}
