//! `slipkeeper connect`: ECR mode, long-running — stay connected to the terminal and
//! mirror everything it says, until stopped (reconnects by itself).

use crate::ctx::{done, Ctx, Done};
use crate::output::Out;
use clap::Args;
use slipkeeper_app::{App, AppError, ErrorCode};

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The terminal on the network (port 20007 when none is given).
    #[arg(
        long,
        value_name = "HOST[:PORT]",
        required_unless_present = "serial",
        conflicts_with = "serial"
    )]
    tcp: Option<String>,
    /// The terminal on a serial line or USB (e.g. /dev/ttyACM0, COM3).
    #[arg(long, value_name = "DEVICE")]
    serial: Option<String>,
    #[arg(long, default_value_t = 9600)]
    baud: u32,
    /// Seconds of quiet before checking that the terminal still answers.
    #[arg(long, default_value_t = 30.0)]
    heartbeat: f64,
    /// Keep the terminal armed for amounts keyed in at the counter, SECONDS per
    /// wait; 0 when a cash register drives the terminal (heartbeats only).
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    arm: u8,
    /// Seconds to wait for the terminal's acknowledgement.
    #[arg(long, default_value_t = 5.0)]
    ack_timeout: f64,
}

pub fn run(ctx: &Ctx, a: ConnectArgs) -> Done {
    connect(&mut ctx.start_journal()?, &ctx.out, a)?;
    done()
}

/// ECR mode until stopped: states and progress on the terminal, totals checks said.
fn connect(app: &mut App, out: &Out, a: ConnectArgs) -> Result<(), AppError> {
    let ConnectArgs {
        tcp,
        serial,
        baud,
        heartbeat,
        arm,
        ack_timeout,
    } = a;
    use slipkeeper_app::{ConnectOptions, MirrorEvent};
    use slipkeeper_link::service::{Endpoint, State};
    let seconds = |name: &str, v: f64| {
        std::time::Duration::try_from_secs_f64(v)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::BadInput,
                    format!("--{name} {v}: expected seconds > 0"),
                )
            })
    };
    let endpoint = match (tcp, serial) {
        (Some(t), _) => Endpoint::tcp(&t),
        (None, Some(path)) => Endpoint::Serial { path, baud },
        (None, None) => {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "give --tcp HOST[:PORT] or --serial DEVICE",
            ))
        }
    };
    let mut opts = ConnectOptions::new(endpoint.clone());
    opts.heartbeat = seconds("heartbeat", heartbeat)?;
    opts.ack_timeout = seconds("ack-timeout", ack_timeout)?;
    opts.arm = (arm > 0).then(|| std::time::Duration::from_secs(arm.into()));
    let stop = std::sync::atomic::AtomicBool::new(false);
    let json = out.json;
    app.connect(&opts, &stop, |ev| match ev {
        MirrorEvent::State(State::Connecting { attempt }) => {
            say!("connecting to {endpoint} (attempt {})", attempt + 1)
        }
        MirrorEvent::State(State::Connected) => {
            say!("connected to {endpoint}; mirroring")
        }
        MirrorEvent::State(State::Disconnected { reason, retry_in }) => say!(
            "disconnected: {reason}; retrying in {:.1} s",
            retry_in.as_secs_f64()
        ),
        MirrorEvent::Progress(p) if json => {
            say!("{}", serde_json::to_string(p).unwrap_or_default())
        }
        MirrorEvent::Progress(p) => eprintln!(
            "{} transactions, {} exchanges, {} frames, {} bytes, {:.1} transactions/min",
            p.transactions,
            p.exchanges,
            p.frames,
            p.bytes,
            p.per_minute()
        ),
        MirrorEvent::Totals(c) if c.agrees() => eprintln!(
            "terminal {} batch {}: totals agree ({} sales, {}.{:02})",
            c.terminal,
            c.batch,
            c.terminal_count,
            c.terminal_minor / 100,
            c.terminal_minor % 100
        ),
        MirrorEvent::Totals(c) => eprintln!(
            "terminal {} batch {}: the terminal counts {} sales for {}.{:02}, the journal {} for {}.{:02}; run `slipkeeper journal verify` and see the home screen",
            c.terminal,
            c.batch,
            c.terminal_count,
            c.terminal_minor / 100,
            c.terminal_minor % 100,
            c.journal_count,
            c.journal_minor / 100,
            c.journal_minor % 100
        ),
    })?;
    Ok(())
}
