//! `slipkeeper proxy`: sit between the cash register and the terminal, relay every
//! byte unchanged, and mirror each transaction into the journal, until stopped.

use crate::ctx::{done, Ctx, Done};
use clap::Args;
use slipkeeper_app::{App, AppError, ErrorCode};

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Where the cash register connects (give it this address as its terminal).
    #[arg(long, value_name = "HOST:PORT", default_value = "0.0.0.0:20007")]
    listen: String,
    /// The real terminal.
    #[arg(
        long,
        value_name = "HOST:PORT",
        required_unless_present = "terminal_serial"
    )]
    terminal: Option<String>,
    /// Serial proxy: the serial port the cash register is cabled to.
    #[arg(long, value_name = "DEVICE", requires = "terminal_serial")]
    listen_serial: Option<String>,
    /// Serial proxy: the serial port the terminal is cabled to.
    #[arg(
        long,
        value_name = "DEVICE",
        requires = "listen_serial",
        conflicts_with = "terminal"
    )]
    terminal_serial: Option<String>,
    /// Line speed of both serial ports.
    #[arg(long, default_value_t = 9600)]
    baud: u32,
}

pub fn run(ctx: &Ctx, a: ProxyArgs) -> Done {
    proxy(&mut ctx.start_journal()?, a)?;
    done()
}

/// Proxy mode until stopped, over TCP or between two serial ports.
fn proxy(app: &mut App, a: ProxyArgs) -> Result<(), AppError> {
    let ProxyArgs {
        listen,
        terminal,
        listen_serial,
        terminal_serial,
        baud,
    } = a;
    match (terminal, listen_serial, terminal_serial) {
        (_, Some(ecr), Some(pt)) => {
            app.run_proxy_serial(&ecr, &pt, baud, || {
                say!("proxy relaying {ecr} (cash register) <-> {pt} (terminal) at {baud} baud");
            })?;
        }
        (Some(terminal), _, _) => {
            app.run_proxy(&listen, &terminal, |bound| {
                say!("proxy listening on {bound}, relaying to {terminal}");
            })?;
        }
        _ => {
            return Err(AppError::new(
                ErrorCode::BadInput,
                "give --terminal HOST:PORT, or --listen-serial DEVICE and --terminal-serial DEVICE",
            ))
        }
    }
    Ok(())
}
