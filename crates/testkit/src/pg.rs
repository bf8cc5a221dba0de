//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` and `pg_ctl`
//! from the installed server package in a temporary folder, listening on 127.0.0.1
//! only, on a port the OS picked, with password (SCRAM) logins and TLS from a
//! certificate made for it. Stopped and removed when dropped. When the tests run as
//! root (CI), the server runs as the `postgres` user, since it refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The administrator role `initdb` makes.
pub const ADMIN: &str = "hqadmin";
/// The administrator's password.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A running throwaway cluster; stopped and removed when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    run_as: Option<String>,
}

fn bin_dir() -> PathBuf {
    if let Ok(b) = std::env::var("SLIPKEEPER_PG_BIN") {
        return PathBuf::from(b);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    if let Some(b) = found.pop() {
        return b;
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        if Path::new(dir).join("initdb").exists() && Path::new(dir).join("pg_ctl").exists() {
            return PathBuf::from(dir);
        }
    }
    panic!("PostgreSQL's server (initdb, pg_ctl) is not installed: run scripts/bootstrap (Debian: postgresql-15)");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// A cluster for tests: no fsync (it is thrown away).
    pub fn start() -> Cluster {
        Cluster::start_with(false)
    }

    /// `durable`: fsync and synchronous commit on, as a real head office runs (for
    /// benchmarks).
    pub fn start_with(durable: bool) -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("slipkeeper-pg-")
            .tempdir()
            .unwrap();
        let run_as = is_root().then(|| "postgres".to_owned());
        let c = Cluster {
            dir,
            bin,
            port: free_port(),
            run_as,
        };
        let pwfile = c.path().join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).unwrap();
        // A root of its own and a certificate for 127.0.0.1 signed by it.
        let p = |f: &str| c.path().join(f).to_str().unwrap().to_owned();
        std::fs::write(
            c.path().join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        for args in [
            vec![
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=Slipkeeper test root",
                "-keyout",
                &p("root.key"),
                "-out",
                &p("root.crt"),
            ],
            vec![
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                &p("server.key"),
                "-out",
                &p("server.csr"),
            ],
            vec![
                "x509",
                "-req",
                "-in",
                &p("server.csr"),
                "-CA",
                &p("root.crt"),
                "-CAkey",
                &p("root.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &p("server.ext"),
                "-out",
                &p("server.crt"),
            ],
        ] {
            let ok = Command::new("openssl")
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            assert!(ok.success(), "openssl {args:?} failed");
        }
        if let Some(user) = &c.run_as {
            let ok = Command::new("chown")
                .args(["-R", &format!("{user}:"), c.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(ok.success());
        }
        std::fs::set_permissions(
            c.path().join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        let data = c.path().join("data");
        c.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                ADMIN,
                "--pwfile",
                pwfile.to_str().unwrap(),
                "--auth",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        );
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}{}",
            c.port,
            c.path().display(),
            c.path().join("server.crt").display(),
            c.path().join("server.key").display(),
            if durable {
                " -c shared_buffers=512MB -c max_wal_size=4GB"
            } else {
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            }
        );
        let log = c.path().join("server.log");
        c.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        c
    }

    /// The cluster's data folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The root that signed the server's certificate.
    pub fn root_cert(&self) -> PathBuf {
        self.path().join("root.crt")
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.path().join("server.log")).unwrap_or_default()
        );
    }

    /// `postgres://USER:PASSWORD@127.0.0.1:PORT/DB?sslmode=disable`.
    pub fn url(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// `postgres://hqadmin:…@127.0.0.1:PORT/DB?sslmode=disable`: the administrator's URL.
    pub fn admin_url(&self, db: &str) -> String {
        self.url(ADMIN, ADMIN_PASSWORD, db)
    }

    /// A new, empty database owned by the administrator (through `createdb`, so a
    /// test needs no PostgreSQL client library of its own).
    pub fn create_db(&self, name: &str) {
        let out = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                ADMIN,
                name,
            ])
            .env("PGPASSWORD", ADMIN_PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "createdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.path().join("data");
        let exe = self.bin.join("pg_ctl");
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let _ = cmd
            .args(["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
