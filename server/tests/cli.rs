//! The `tocsin` command line against a real database: what an operator types at 4 a.m.

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

mod common;

use common::{TestApp, spawn_app};

fn tocsin(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("TOCSIN_DATA_DIR", std::env::temp_dir().join("tocsin-cli-test-unused"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin_and_the_user_can_log_in() {
    let app = spawn_app().await;
    let pool = app.pool.clone();
    let out = tocsin(
        &app,
        &[
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops",
            "--role",
            "admin",
            "--time-zone",
            "Australia/Sydney",
        ],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created ops@example.com (admin)"));
    let user = backend::services::auth::login(
        &pool,
        &Default::default(),
        "127.0.0.1",
        "ops@example.com",
        "a long enough password",
        app.now(),
    )
    .await
    .unwrap();
    assert_eq!(user.time_zone, "Australia/Sydney");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'user.create' AND actor_label = 'cli'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    let out =
        tocsin(&app, &["user", "set-password", "--email", "ops@example.com"], "another long password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        backend::services::auth::login(
            &pool,
            &Default::default(),
            "127.0.0.1",
            "ops@example.com",
            "another long password",
            app.now(),
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn bad_input_is_one_clear_line_and_writes_nothing() {
    let app = spawn_app().await;
    let pool = app.pool.clone();
    for (args, stdin, expected) in [
        (
            vec!["user", "create", "--email", "x@example.com", "--name", "X", "--role", "boss"],
            "a long enough password\n",
            "role: 'boss' is not a role",
        ),
        (
            vec!["user", "create", "--email", "x@example.com", "--name", "X", "--role", "viewer"],
            "short\n",
            "password: must be at least 12 characters",
        ),
        (
            vec!["user", "create", "--email", "nope", "--name", "X", "--role", "viewer"],
            "a long enough password\n",
            "email: must look like",
        ),
        (
            vec!["token", "create", "--email", "ghost@example.com", "--label", "ci"],
            "",
            "no user with email ghost@example.com",
        ),
    ] {
        let out = tocsin(&app, &args, stdin);
        assert!(!out.status.success(), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn token_create_prints_a_token_that_authenticates() {
    let app = spawn_app().await;
    let pool = app.pool.clone();
    let out = tocsin(
        &app,
        &["user", "create", "--email", "bot@example.com", "--name", "Bot", "--role", "viewer"],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = tocsin(&app, &["token", "create", "--email", "bot@example.com", "--label", "ci"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    assert!(token.starts_with("tocsin_"), "{token}");
    let principal =
        backend::services::auth::principal_from_api_token(&pool, &token, app.now()).await.unwrap().unwrap();
    assert_eq!(principal.email, "bot@example.com");
}

#[tokio::test]
async fn demo_loads_once_and_refuses_a_database_with_users() {
    let app = spawn_app().await;
    let out = tocsin(&app, &["demo"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Log in as alex@example.com with password"));
    // Ninety days of history before the open incidents, with roles (a commander on every one
    // someone acknowledged; some were resolved by their alerts alone) and related recurrences.
    let (past, acknowledged, open, oldest_days, roles, related): (i64, i64, i64, f64, i64, i64) =
        sqlx::query_as(
            "SELECT count(*) FILTER (WHERE status = 'resolved' AND created_at < now() - interval '1 day'),
                count(*) FILTER (WHERE status = 'resolved' AND created_at < now() - interval '1 day'
                                 AND acknowledged_at IS NOT NULL),
                count(*) FILTER (WHERE status IN ('triggered', 'acknowledged', 'mitigated')),
                extract(epoch FROM now() - min(created_at))::float8 / 86400,
                (SELECT count(*) FROM incident_roles), (SELECT count(*) FROM incident_relations)
         FROM incidents",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(past >= 50 && open >= 2, "{past} past, {open} open");
    assert!((85.0..=91.0).contains(&oldest_days), "{oldest_days}");
    assert!(
        acknowledged > past / 2 && roles >= acknowledged && related > 0,
        "{acknowledged} acknowledged, {roles} roles"
    );
    let newest_past: i64 =
        sqlx::query_scalar("SELECT max(number) FROM incidents WHERE created_at < now() - interval '1 day'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let first_open: i64 =
        sqlx::query_scalar("SELECT min(number) FROM incidents WHERE created_at > now() - interval '1 day'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(newest_past < first_open, "numbers grow with time");
    let again = tocsin(&app, &["demo"], "");
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("demo data loads only into an empty database"));
}

#[tokio::test]
async fn a_bad_setting_names_the_variable() {
    let app = spawn_app().await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tocsin"));
    let out = cmd
        .arg("migrate")
        .env("DATABASE_URL", &app.database_url)
        .env("TOCSIN_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr).trim(), "tocsin: TOCSIN_LOG_FORMAT: pretty or json (got 'xml')");
}

/// What a backup must carry: every incident, schedule, key and person, by their own fields.
async fn inventory(pool: &sqlx::PgPool) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for query in [
        "SELECT number::text || ' ' || title || ' ' || status::text FROM incidents ORDER BY number",
        "SELECT name || ' ' || time_zone FROM schedules ORDER BY name",
        "SELECT encode(key_hash, 'hex') FROM integration_keys ORDER BY key_hash",
        "SELECT email || ' ' || password_hash FROM users ORDER BY email",
        "SELECT count(*)::text FROM timeline_events",
    ] {
        all.push(sqlx::query_scalar::<_, String>(query).fetch_all(pool).await.unwrap());
    }
    all
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_data_folder_with_everything_in_it() {
    let app = spawn_app().await;
    let out = tocsin(&app, &["demo"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The server's alert processing applies the demo's alert events in the background (writing to
    // their incidents' timelines): the inventory is taken once none is left pending.
    for _ in 0..200 {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_events WHERE processed_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = inventory(&app.pool).await;
    assert!(before.iter().take(3).all(|rows| !rows.is_empty()), "the demo has incidents, schedules and keys");

    let dir = std::env::temp_dir().join(format!("tocsin-restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    // As root the embedded cluster runs as `postgres`, which must reach the data folder.
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("data"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let file = dir.join("tocsin.dump");
    let out = tocsin(&app, &["backup", file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(file.is_file() && !dir.join("tocsin.dump.partial").exists());

    // Into a data folder with nothing in it: the embedded cluster is created for the restore.
    let restore = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tocsin"))
            .args(args)
            .env("DATABASE_URL", "")
            .env("TOCSIN_DATA_DIR", dir.join("data"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = restore(&["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A second restore would overwrite what is there now: refused without --replace.
    let out = restore(&["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--replace"), "{}", text(&out.stderr));
    let out = restore(&["restore", "--replace", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let pg =
        server::embedded_pg::EmbeddedPostgres::start(&dir.join("data"), server::embedded_pg::Mode::Owner)
            .await
            .unwrap();
    let restored = sqlx::PgPool::connect(pg.url()).await.unwrap();
    assert_eq!(inventory(&restored).await, before);
    restored.close().await;
    pg.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn status_page_export_writes_the_page_as_static_files() {
    let app = spawn_app().await;
    let root = std::env::temp_dir().join(format!("tocsin-cli-export-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.join("public");
    let out = tocsin(&app, &["status-page", "export", dir.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("status page exported"), "{}", text(&out.stdout));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        html.contains("All Systems Operational") && html.contains(r#"href="history/index.html""#),
        "{html}"
    );
    assert!(dir.join("api/v2/summary.json").is_file());
    // A second export replaces the first in one step.
    let first = std::fs::read_link(&dir).unwrap();
    let out = tocsin(&app, &["status-page", "export", dir.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(std::fs::read_link(&dir).unwrap(), first);
    // A folder with someone's files in it is not replaced.
    let theirs = root.join("theirs");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("keep.txt"), "mine").unwrap();
    let out = tocsin(&app, &["status-page", "export", theirs.to_str().unwrap()], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("folder with files in it"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(theirs.join("keep.txt")).unwrap(), "mine");
    std::fs::remove_dir_all(&root).unwrap();
}
