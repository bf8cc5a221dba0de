//! Where head office is and how to reach it: a `postgres://` address, TLS through
//! rustls (the server's certificate is always checked: against `sslrootcert=FILE` when
//! given, else the system's roots), and the password given apart from the address so
//! it need not be written into files.

use crate::HqError;
use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Head office's address: the PostgreSQL URL, its TLS root certificate, and how it is
/// shown to people (never with a password).
#[derive(Clone)]
pub struct HqAddress {
    config: Config,
    root_cert: Option<PathBuf>,
    shown: String,
}

impl std::fmt::Debug for HqAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The address with no password in it at all, to be kept (the password goes
/// elsewhere).
pub fn without_password(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => redact(address),
    }
}

/// The address without its password, for messages and settings.
pub fn redact(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(an address that is not a postgres:// URL)".into(),
    }
}

impl HqAddress {
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…&sslrootcert=FILE]`.
    pub fn parse(address: &str) -> Result<HqAddress, HqError> {
        let bad = |why: &str| HqError::BadAddress(format!("{}: {why}", redact(address)));
        let mut u = url::Url::parse(address).map_err(|e| bad(&e.to_string()))?;
        if !matches!(u.scheme(), "postgres" | "postgresql") {
            return Err(bad("it must start with postgres://"));
        }
        if u.username().is_empty() {
            return Err(bad("it names no user (postgres://USER@HOST/DATABASE)"));
        }
        if u.path().trim_matches('/').is_empty() {
            return Err(bad("it names no database (postgres://USER@HOST/DATABASE)"));
        }
        // libpq's sslrootcert is not an option of the Rust client: taken out here.
        let mut root_cert = None;
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter_map(|(k, v)| {
                if k == "sslrootcert" {
                    root_cert = Some(PathBuf::from(v.as_ref()));
                    None
                } else {
                    Some((k.into_owned(), v.into_owned()))
                }
            })
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
        let mut config = Config::from_str(u.as_str()).map_err(|e| bad(&e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("slipkeeper");
        Ok(HqAddress {
            config,
            root_cert,
            shown: redact(address),
        })
    }

    /// The password kept apart (the OS keyring, a prompt, `PGPASSWORD`).
    pub fn with_password(mut self, password: &str) -> HqAddress {
        self.config.password(password);
        self
    }

    /// Whether it carries a password (in the URL, or given with `with_password`).
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The password this address connects with, if any.
    pub fn password(&self) -> Option<&str> {
        self.config
            .get_password()
            .and_then(|p| std::str::from_utf8(p).ok())
    }

    /// The login role it connects as.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    /// The address as it may be shown: no password.
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

/// Opens a connection to head office.
pub fn connect(address: &HqAddress) -> Result<Client, HqError> {
    let failed = |reason: String| HqError::Connect {
        target: address.shown.clone(),
        reason,
    };
    let explain = |e: postgres::Error| match e.as_db_error() {
        Some(d) => failed(d.message().to_owned()),
        None => {
            // The chain of sources holds the useful part ("connection refused", the
            // certificate problem).
            let mut reason = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                reason.push_str(": ");
                reason.push_str(&s.to_string());
                src = s.source();
            }
            failed(reason)
        }
    };
    if address.config.get_ssl_mode() == SslMode::Disable {
        return address.config.connect(NoTls).map_err(explain);
    }
    let mut roots = rustls::RootCertStore::empty();
    match &address.root_cert {
        Some(path) => {
            let file = |reason: String| HqError::File {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| file(e.to_string()))?;
            let mut added = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|e| file(format!("not a PEM certificate: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| file(format!("not a usable certificate: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(file("holds no PEM certificate".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for e in &found.errors {
                tracing::warn!(error = %e, "a system root certificate could not be read");
            }
            roots.add_parsable_certificates(found.certs);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    address
        .config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(explain)
}
