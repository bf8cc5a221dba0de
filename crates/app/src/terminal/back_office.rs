//! Back-office commands to the counter terminal, each mirrored into the journal.

use super::*;

impl App {
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
        // Built before connecting: a value that does not fit is said, nothing is sent.
        let status = matches!(cmd, TerminalCommand::Status);
        let apdu: Apdu = match cmd {
            TerminalCommand::Status => Ok(commands::status_enquiry()),
            TerminalCommand::Totals => commands::turnover_totals(password),
            TerminalCommand::EndOfDay => commands::end_of_day(password),
            TerminalCommand::RepeatReceipt => commands::repeat_receipt(password),
            TerminalCommand::Diagnosis => Ok(commands::diagnosis()),
            TerminalCommand::DemoPayment { amount_minor } => {
                commands::authorisation(amount_minor, 156)
            }
        }
        .map_err(LinkError::Command)?;
        let register = commands::registration(password, commands::MIRROR_CONFIG, 156)
            .map_err(LinkError::Command)?;
        let (reg, ex) = rt.block_on(async {
            let mut link = Link::connect_tcp(addr, link_clock).await?;
            let reg = link.command(&register).await?;
            let ex = match link.command(&apdu).await {
                Ok(ex) => Ok(ex),
                // Some terminals know only registration, authorisation and end of
                // day: "function not possible" to an enquiry still says it is there.
                Err(LinkError::Refused(rc)) if status => Err(rc),
                Err(e) => return Err(e),
            };
            Ok::<_, LinkError>((reg, ex))
        })?;
        match ex {
            Ok(ex) => self.mirror(&reg, &ex),
            Err(rc) => {
                tracing::info!(
                    result_code = rc,
                    "the terminal does not support the status enquiry"
                );
                let tid_text = terminal_id_of(&reg);
                let (stored, _) = self.store(tid_text.as_deref(), &[&reg])?;
                Ok(TerminalReport {
                    end: "not_supported".to_owned(),
                    result_code: Some(rc),
                    terminal_id: tid_text,
                    software: None,
                    terminal_status: None,
                    settled: false,
                    stored,
                })
            }
        }
    }

    fn mirror(&mut self, reg: &Exchange, ex: &Exchange) -> Result<TerminalReport, AppError> {
        let tid_text = terminal_id_of(reg).or_else(|| terminal_id_of(ex));
        let (stored, settled) = self.store(tid_text.as_deref(), &[reg, ex])?;
        let (end, result_code) = match ex.end {
            End::Completed => ("completed", None),
            End::Aborted(rc) => ("aborted", rc),
            End::Acknowledged | End::Open => ("acknowledged", None),
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
