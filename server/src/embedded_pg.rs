//! The embedded PostgreSQL cluster: with no `DATABASE_URL`, Tocsin runs its own cluster under
//! `$TOCSIN_DATA_DIR/postgres` with the machine's PostgreSQL binaries.
//!
//! The cluster listens on 127.0.0.1 only, on a port chosen at start and recorded by PostgreSQL in
//! `postmaster.pid`, with a generated password. One `tocsin serve` owns the running cluster: it
//! holds an exclusive lock on `serve.lock` for its whole life and stops the cluster on shutdown.
//! Any other command on the same data folder (`tocsin user create`, a second `serve`) uses the
//! running cluster and leaves it alone. The kernel drops the lock of a killed server (kill -9), so
//! the next `serve` adopts the cluster it left running; a stale `postmaster.pid` is removed.
//! Starting and stopping take turns on `start.lock`, so two commands never initdb or start twice.
//!
//! As root, `initdb` refuses to run, so the cluster runs as the unprivileged `postgres` system user.

use std::{
    fs::File,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::{Context, anyhow, bail};
use tokio::process::Command;

const SUPERUSER: &str = "tocsin";
const DATABASE: &str = "tocsin";
const SYSTEM_USER: &str = "postgres";

/// Whether this process will own the cluster (serve) or only use one (commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Owner,
    Client,
}

pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    run_as: Option<String>,
    url: String,
    /// Whether this process stops the cluster when it ends.
    owned: bool,
    data_dir: PathBuf,
    /// Held by the serving owner for its whole life.
    serve_lock: Option<File>,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the URL: it holds the password.
        f.debug_struct("EmbeddedPostgres")
            .field("cluster_dir", &self.cluster_dir)
            .field("owned", &self.owned)
            .finish()
    }
}

/// Takes an exclusive lock on `path`, waiting for it without blocking the async runtime.
async fn lock_file(path: PathBuf) -> anyhow::Result<File> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<File> {
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        file.lock().with_context(|| format!("locking {}", path.display()))?;
        Ok(file)
    })
    .await?
}

/// Takes an exclusive lock on `path` if nobody holds it.
fn try_lock_file(path: &Path) -> anyhow::Result<Option<File>> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {}", path.display())),
    }
}

impl EmbeddedPostgres {
    /// Finds or initialises the cluster under `data_dir` and makes sure it is running.
    pub async fn start(data_dir: &Path, mode: Mode) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data folder {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("resolving data folder {}", data_dir.display()))?;
        let cluster_dir = data_dir.join("postgres");
        let run_as = running_as_root().then(|| SYSTEM_USER.to_owned());
        let start_lock = lock_file(data_dir.join("start.lock")).await?;
        let password = read_or_create_password(&data_dir.join("postgres.password"))?;

        let mut pg = EmbeddedPostgres {
            bin_dir,
            cluster_dir,
            run_as,
            url: String::new(),
            owned: false,
            data_dir: data_dir.clone(),
            serve_lock: None,
        };
        if let Some(user) = &pg.run_as {
            pg.check_system_user(user, &data_dir).await?;
        }
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.initdb(&data_dir, &password).await?;
        }
        if mode == Mode::Owner {
            // None: another server on this folder owns the cluster, and this one only uses it.
            pg.serve_lock = try_lock_file(&data_dir.join("serve.lock"))?;
        }

        let port = match pg.running_port()? {
            Some(port) => {
                if pg.serve_lock.is_some() {
                    tracing::info!(port, "using the embedded PostgreSQL left running by a previous server");
                    pg.owned = true;
                }
                port
            }
            None => {
                let port = pg.pg_ctl_start().await?;
                pg.owned = true;
                if pg.serve_lock.is_none() {
                    tracing::warn!(
                        "started the embedded PostgreSQL for this command; it stops when the command ends"
                    );
                }
                port
            }
        };
        drop(start_lock);
        pg.url = format!("postgres://{SUPERUSER}:{password}@127.0.0.1:{port}/{DATABASE}");
        pg.ensure_database(&password, port).await?;
        Ok(pg)
    }

    /// The URL to connect with. Holds the password: never log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the cluster if this process owns it; waits for a clean shutdown.
    pub async fn stop(self) -> anyhow::Result<()> {
        if !self.owned {
            return Ok(());
        }
        let _start_lock = lock_file(self.data_dir.join("start.lock")).await?;
        // A command that started the cluster leaves it running if a server has taken it over since.
        let _serve_lock = match &self.serve_lock {
            Some(_) => None,
            None => match try_lock_file(&self.data_dir.join("serve.lock"))? {
                Some(lock) => Some(lock),
                None => return Ok(()),
            },
        };
        tracing::info!("stopping the embedded PostgreSQL");
        let status = self
            .command("pg_ctl")
            .arg("stop")
            .arg("-D")
            .arg(&self.cluster_dir)
            .args(["-m", "fast", "-w", "-t", "60"])
            .stdout(Stdio::null())
            .status()
            .await
            .context("running pg_ctl stop")?;
        if !status.success() {
            bail!("pg_ctl stop failed with {status}");
        }
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new(runuser());
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        // Whatever the caller's locale, initdb and pg_ctl should not fail on it.
        cmd.env("LC_ALL", "C").env_remove("PGDATA");
        // Commands run as another user start in a folder that user may not be able to read.
        cmd.current_dir("/");
        cmd
    }

    async fn check_system_user(&self, user: &str, data_dir: &Path) -> anyhow::Result<()> {
        let exists =
            Command::new("id").arg("-u").arg(user).stdout(Stdio::null()).stderr(Stdio::null()).status().await;
        if !exists.map(|s| s.success()).unwrap_or(false) {
            bail!(
                "running as root: PostgreSQL refuses to run as root and there is no '{user}' system user to run it as; \
                 install the 'postgresql' package (it creates that user) or run tocsin as an unprivileged user"
            );
        }
        let reachable = Command::new(runuser())
            .args(["-u", user, "--", "test", "-x"])
            .arg(data_dir)
            .status()
            .await
            .map_err(|e| {
                anyhow!(
                    "running as root: cannot run `runuser` ({e}) to start PostgreSQL as '{user}'; \
                     install util-linux or run tocsin as an unprivileged user"
                )
            })?
            .success();
        if !reachable {
            bail!(
                "running as root: the '{user}' system user cannot reach the data folder {}; \
                 set TOCSIN_DATA_DIR to a folder outside /root (every parent must be readable by others)",
                data_dir.display()
            );
        }
        Ok(())
    }

    async fn initdb(&self, data_dir: &Path, password: &str) -> anyhow::Result<()> {
        // A half-made cluster (initdb interrupted) has no PG_VERSION; start it again from nothing.
        if self.cluster_dir.exists() {
            std::fs::remove_dir_all(&self.cluster_dir)
                .with_context(|| format!("removing incomplete cluster {}", self.cluster_dir.display()))?;
        }
        std::fs::create_dir_all(&self.cluster_dir)?;
        let pwfile = data_dir.join(".initdb-password");
        write_private(&pwfile, password)?;
        if let Some(user) = &self.run_as {
            chown_to(user, &self.cluster_dir).await?;
            chown_to(user, &pwfile).await?;
        }
        tracing::info!(dir = %self.cluster_dir.display(), "initialising the embedded PostgreSQL cluster");
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&self.cluster_dir)
            .args(["-U", SUPERUSER, "-E", "UTF8", "--no-locale", "--auth=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .await
            .context("running initdb")?;
        let _ = std::fs::remove_file(&pwfile);
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(())
    }

    /// The port of a running cluster, or None. Removes a `postmaster.pid` whose process is gone.
    fn running_port(&self) -> anyhow::Result<Option<u16>> {
        let pid_file = self.cluster_dir.join("postmaster.pid");
        let Ok(text) = std::fs::read_to_string(&pid_file) else {
            return Ok(None);
        };
        let mut lines = text.lines();
        let pid = lines.next().and_then(|l| l.trim().parse::<u32>().ok());
        let port = lines.nth(2).and_then(|l| l.trim().parse::<u16>().ok());
        match (pid, port) {
            (Some(pid), Some(port)) if process_alive(pid) && is_our_postmaster(pid, &self.cluster_dir) => {
                Ok(Some(port))
            }
            _ => {
                tracing::warn!("removing a stale postmaster.pid left by a cluster that is no longer running");
                std::fs::remove_file(&pid_file)
                    .with_context(|| format!("removing {}", pid_file.display()))?;
                Ok(None)
            }
        }
    }

    /// Starts the cluster on a free port and returns it. The port is free when chosen but another
    /// process may take it before PostgreSQL binds it, so a failed start is tried again on a new one.
    async fn pg_ctl_start(&self) -> anyhow::Result<u16> {
        let log = self.cluster_dir.join("server.log");
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            // No unix socket: its folder may not exist or be writable, and TCP on loopback suffices.
            let options =
                format!("-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories=''");
            tracing::info!(port, "starting the embedded PostgreSQL");
            let output = self
                .command("pg_ctl")
                .arg("start")
                .arg("-D")
                .arg(&self.cluster_dir)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "-o", &options])
                .stdin(Stdio::null())
                .output()
                .await
                .context("running pg_ctl start")?;
            if output.status.success() {
                return Ok(port);
            }
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            last_error = Some(anyhow::anyhow!(
                "PostgreSQL did not start ({}); last lines of {}:\n{}",
                String::from_utf8_lossy(&output.stderr).trim(),
                log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("PostgreSQL did not start")))
    }

    async fn ensure_database(&self, password: &str, port: u16) -> anyhow::Result<()> {
        use sqlx::{Connection, PgConnection};
        let admin_url = format!("postgres://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres");
        let mut conn =
            PgConnection::connect(&admin_url).await.context("connecting to the embedded PostgreSQL")?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut conn)
            .await?;
        if exists {
            return Ok(());
        }
        // Two commands starting together may race here; the loser sees a duplicate error.
        match sqlx::query("CREATE DATABASE tocsin").execute(&mut conn).await {
            Err(e) if !backend::error::is_unique_violation(&e) && !is_duplicate_database(&e) => Err(e.into()),
            _ => Ok(()),
        }
    }
}

fn is_duplicate_database(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("42P04"))
}

/// Looks for `initdb` and `pg_ctl`: on PATH, then `pg_config --bindir`, then the newest
/// `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                return Ok(dir);
            }
        }
    }
    if let Ok(out) = std::process::Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, dir)) => Ok(dir),
        None => bail!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install the 'postgresql' package \
             (apt-get install postgresql) or set DATABASE_URL to an existing database"
        ),
    }
}

/// `runuser` lives in /usr/sbin, which a root shell has on PATH but a service manager or a
/// trimmed environment may not.
fn runuser() -> PathBuf {
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

#[expect(unsafe_code, reason = "libc calls with no memory involved")]
fn running_as_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

#[expect(unsafe_code, reason = "libc calls with no memory involved")]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn is_our_postmaster(pid: u32, cluster_dir: &Path) -> bool {
    // After a crash the pid may belong to another process, even another PostgreSQL.
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmd) => String::from_utf8_lossy(&cmd).contains(&*cluster_dir.to_string_lossy()),
        // Without /proc, trust the liveness check.
        Err(_) => true,
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port for PostgreSQL")?;
    Ok(listener.local_addr()?.port())
}

fn read_or_create_password(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let password = backend::auth::secrets::random_token(32);
    write_private(path, &password)?;
    Ok(password)
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

async fn chown_to(user: &str, path: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown").arg("-R").arg(format!("{user}:")).arg(path).status().await?;
    if !status.success() {
        bail!("could not hand {} to the '{user}' system user", path.display());
    }
    Ok(())
}
