//! `tocsin backup FILE` and `tocsin restore FILE`, with PostgreSQL's own `pg_dump` and
//! `pg_restore` in their custom format, against whichever database `serve` uses (the embedded
//! cluster or `DATABASE_URL`).
//!
//! A backup is one consistent snapshot (pg_dump reads in one repeatable-read transaction), so it
//! is safe while servers run. It is written beside FILE and renamed into place when complete: a
//! failed or interrupted backup never leaves a truncated file where the last good one was.
//!
//! A restore goes into an empty database (a fresh data folder) or, with `--replace`, replaces
//! everything in the current one; it runs in one transaction, then applies any migrations newer
//! than the backup.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::{Context, bail};
use sqlx::PgPool;

/// Writes a backup of the database at `url` to `file`.
pub async fn backup(url: &str, file: &Path) -> anyhow::Result<()> {
    let partial = partial_path(file);
    let target = Connection::of(url)?;
    let result = run(
        target
            .command("pg_dump")?
            .arg("--format=custom")
            .arg("--file")
            .arg(&partial)
            .arg("--dbname")
            .arg(&target.url),
        "pg_dump",
    )
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, file).with_context(|| format!("moving the backup into {}", file.display()))?;
    Ok(())
}

/// Restores `file` into the database at `url` (reached also through `pool`).
pub async fn restore(pool: &PgPool, url: &str, file: &Path, replace: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{}: no such backup file", file.display());
    }
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        .fetch_one(pool)
        .await
        .context("reading the target database")?;
    if tables > 0 {
        if !replace {
            bail!(
                "the database already holds Tocsin's tables; to replace everything in it with the backup, stop \
                 every server and run `tocsin restore --replace {}`",
                file.display()
            );
        }
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            .execute(pool)
            .await
            .context("emptying the database before the restore")?;
    }
    let target = Connection::of(url)?;
    run(
        target
            .command("pg_restore")?
            .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
            .arg("--dbname")
            .arg(&target.url)
            .arg(file),
        "pg_restore",
    )
    .await?;
    backend::db::migrate(pool).await.context("bringing the restored database up to this version")?;
    Ok(())
}

/// Where a backup is written until it is complete.
fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    file.with_file_name(name)
}

/// A database URL without its password, which goes to the tools in their environment: in
/// their arguments any local user could read it with `ps`.
struct Connection {
    url: String,
    password: Option<String>,
}

impl Connection {
    fn of(url: &str) -> anyhow::Result<Connection> {
        let mut parsed = url::Url::parse(url).context("DATABASE_URL is not a URL")?;
        let password = parsed
            .password()
            .map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
        let _ = parsed.set_password(None);
        Ok(Connection { url: parsed.to_string(), password })
    }

    fn command(&self, tool: &str) -> anyhow::Result<tokio::process::Command> {
        let mut command = tokio::process::Command::new(tool_path(tool));
        if let Some(p) = &self.password {
            command.env("PGPASSWORD", p);
        }
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        Ok(command)
    }
}

/// The tool beside the server binaries the embedded cluster uses, so client and server
/// versions match; else whatever PATH has.
fn tool_path(tool: &str) -> PathBuf {
    crate::embedded_pg::find_bin_dir()
        .map(|dir| dir.join(tool))
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(tool))
}

async fn run(command: &mut tokio::process::Command, name: &str) -> anyhow::Result<()> {
    let out = command.output().await.with_context(|| {
        format!("running {name} (it comes with PostgreSQL's client tools: apt-get install postgresql-client)")
    })?;
    if !out.status.success() {
        bail!("{name} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_and_is_decoded() {
        let c =
            Connection::of("postgres://tocsin:p%40ss%3Aword@127.0.0.1:5432/tocsin?sslmode=disable").unwrap();
        assert_eq!(c.url, "postgres://tocsin@127.0.0.1:5432/tocsin?sslmode=disable");
        assert_eq!(c.password.as_deref(), Some("p@ss:word"));
        let c = Connection::of("postgres://tocsin@127.0.0.1/tocsin").unwrap();
        assert_eq!(c.password, None);
    }

    #[test]
    fn a_backup_is_written_beside_its_file() {
        assert_eq!(
            partial_path(Path::new("/backups/tocsin.dump")),
            PathBuf::from("/backups/tocsin.dump.partial")
        );
    }
}
