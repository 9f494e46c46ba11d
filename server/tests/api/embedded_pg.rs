//! The embedded cluster with the machine's real PostgreSQL binaries: first start, reuse by a
//! second command, adoption after the owner was killed, and recovery from a stale pid file.

use std::{os::unix::fs::PermissionsExt, path::PathBuf};

use server::embedded_pg::{EmbeddedPostgres, Mode};
use sqlx::Connection;

fn data_dir(name: &str) -> PathBuf {
    // Under /tmp, not the target folder: as root the cluster runs as `postgres`, which must be able
    // to reach it.
    let dir = std::env::temp_dir().join(format!("tocsin-embedded-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

async fn answers(url: &str) -> bool {
    match sqlx::PgConnection::connect(url).await {
        Ok(mut c) => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&mut c).await.is_ok(),
        Err(_) => false,
    }
}

#[tokio::test]
async fn the_embedded_cluster_survives_its_owner_and_stale_pid_files() {
    let dir = data_dir("lifecycle");

    // First start: initdb, start, database created.
    let owner = EmbeddedPostgres::start(&dir, Mode::Owner).await.unwrap();
    let url = owner.url().to_owned();
    assert!(answers(&url).await);
    assert!(dir.join("postgres/PG_VERSION").exists());

    // A command while the server runs uses the same cluster and leaves it running.
    let client = EmbeddedPostgres::start(&dir, Mode::Client).await.unwrap();
    assert_eq!(client.url(), url);
    client.stop().await.unwrap();
    assert!(answers(&url).await, "a command must not stop the server's cluster");

    // The owner dies without stopping its cluster (kill -9): the kernel drops its lock, nothing else.
    drop(owner);
    let adopted = EmbeddedPostgres::start(&dir, Mode::Owner).await.unwrap();
    assert_eq!(adopted.url(), url, "the next server adopts the running cluster");
    adopted.stop().await.unwrap();
    assert!(!answers(&url).await, "stop really stops it");

    // A crash of PostgreSQL itself leaves a postmaster.pid naming a dead process.
    std::fs::write(dir.join("postgres/postmaster.pid"), "999999\n/x\n0\n5432\n").unwrap();
    let restarted = EmbeddedPostgres::start(&dir, Mode::Owner).await.unwrap();
    assert!(answers(restarted.url()).await);
    restarted.stop().await.unwrap();

    // A command starts the cluster, a server takes it over, the command ends: the server keeps it.
    let command = EmbeddedPostgres::start(&dir, Mode::Client).await.unwrap();
    let server = EmbeddedPostgres::start(&dir, Mode::Owner).await.unwrap();
    let url = server.url().to_owned();
    command.stop().await.unwrap();
    assert!(answers(&url).await, "the server's database must survive the command");
    server.stop().await.unwrap();
    assert!(!answers(&url).await);

    let _ = std::fs::remove_dir_all(&dir);
}
