//! `slipkeeper link list|add|remove`: the terminal links the service runs (mirrors and
//! cash-register proxies); a running service picks a change up at once.

use crate::ctx::{Ctx, Done};
use crate::output::{print_json, Out};
use clap::Subcommand;
use slipkeeper_app::agent::{self, SavedLink};
use slipkeeper_app::{App, AppError, ConnectRequest, ErrorCode};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum LinkCmd {
    /// The configured links.
    List,
    /// Add a link: a terminal on the network or a serial line, or a proxy between a
    /// cash register and its terminal. The running service picks it up.
    Add {
        /// The terminal on the network, `HOST[:PORT]` (port 20007 when none is given).
        #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "serial")]
        tcp: Option<String>,
        /// The terminal on a serial line or USB (e.g. /dev/ttyACM0, COM3).
        #[arg(long, value_name = "DEVICE")]
        serial: Option<String>,
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// Proxy mode: the cash register connects to this port on every interface,
        /// and Slipkeeper relays to --tcp.
        #[arg(long, value_name = "PORT", requires = "tcp")]
        proxy_listen: Option<u16>,
        /// Proxy mode on serial lines: the cash register's cable on this port, the
        /// terminal's on --serial.
        #[arg(long, value_name = "DEVICE", requires = "serial")]
        register_serial: Option<String>,
    },
    /// Remove a link by its id (from `link list`).
    Remove { id: i64 },
}

/// Linking a terminal may be a new shop's first command: it starts the journal.
pub fn run(ctx: &Ctx, cmd: LinkCmd) -> Done {
    link(&ctx.start_journal()?, &ctx.db, &ctx.out, cmd)
}

pub fn describe(link: &ConnectRequest) -> String {
    match link {
        ConnectRequest::Lan { host, port } => {
            format!("mirror terminal {host}:{}", port.unwrap_or(20007))
        }
        ConnectRequest::Serial { path, baud } => {
            format!("mirror terminal on {path} at {} baud", baud.unwrap_or(9600))
        }
        ConnectRequest::Proxy {
            listen_port,
            host,
            port,
        } => format!(
            "proxy: cash register on port {} ↔ terminal {host}:{}",
            listen_port.unwrap_or(20007),
            port.unwrap_or(20007)
        ),
        ConnectRequest::SerialProxy {
            register,
            terminal,
            baud,
        } => format!(
            "proxy: cash register on {register} ↔ terminal on {terminal} at {} baud",
            baud.unwrap_or(9600)
        ),
        ConnectRequest::Demo => "mirror the built-in demo terminal".to_owned(),
    }
}

fn link_line(l: &SavedLink) -> String {
    format!("{:>3}  {}", l.id, describe(&l.link))
}

fn link(app: &App, db: &Path, out: &Out, cmd: LinkCmd) -> Result<ExitCode, AppError> {
    match cmd {
        LinkCmd::List => {
            let links = app.links()?;
            if out.json {
                print_json(&links);
            } else if links.is_empty() {
                say!("no links; `slipkeeper link add --tcp HOST` adds one");
            } else {
                links.iter().for_each(|l| say!("{}", link_line(l)));
            }
        }
        LinkCmd::Add {
            tcp,
            serial,
            baud,
            proxy_listen,
            register_serial,
        } => {
            let split = |hp: &str| -> Result<(String, Option<u16>), AppError> {
                match hp.rsplit_once(':') {
                    Some((h, p)) => p.parse().map(|p| (h.to_owned(), Some(p))).map_err(|_| {
                        AppError::new(
                            ErrorCode::BadInput,
                            format!("--tcp {hp:?}: the port is a number"),
                        )
                    }),
                    None => Ok((hp.to_owned(), None)),
                }
            };
            let link = match (tcp, serial, proxy_listen) {
                (None, Some(terminal), None) if register_serial.is_some() => {
                    ConnectRequest::SerialProxy {
                        register: register_serial.unwrap_or_default(),
                        terminal,
                        baud: Some(baud),
                    }
                }
                (Some(t), None, Some(listen)) => {
                    let (host, port) = split(&t)?;
                    ConnectRequest::Proxy {
                        listen_port: Some(listen),
                        host,
                        port,
                    }
                }
                (Some(t), None, None) => {
                    let (host, port) = split(&t)?;
                    ConnectRequest::Lan { host, port }
                }
                (None, Some(path), None) => ConnectRequest::Serial {
                    path,
                    baud: Some(baud),
                },
                _ => {
                    return Err(AppError::new(
                        ErrorCode::BadInput,
                        "say --tcp HOST[:PORT] (with --proxy-listen PORT for a proxy) or --serial DEVICE (with --register-serial DEVICE for a proxy)",
                    ))
                }
            };
            let saved = app.add_link(&link)?;
            let reloaded = agent::request(db, "POST", "/reload")?.is_some();
            out.message(
                &format!(
                    "added link {}{}",
                    link_line(&saved).trim_start(),
                    if reloaded {
                        "; the service runs it now"
                    } else {
                        "; it runs when the service starts (`slipkeeper service start`)"
                    }
                ),
                serde_json::json!({"link": saved, "running": reloaded}),
            );
        }
        LinkCmd::Remove { id } => {
            app.remove_link(id)?;
            let reloaded = agent::request(db, "POST", "/reload")?.is_some();
            out.message(
                &format!("removed link {id}"),
                serde_json::json!({"removed": id, "running": reloaded}),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
