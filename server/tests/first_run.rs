//! A newcomer's first run, through the real `tocsin` binary: `tocsin serve --demo` on an empty data
//! folder with no database configured starts its own PostgreSQL, prints credentials that log in,
//! hands out an API token from the command line while it runs, survives `kill -9` (the next start
//! adopts the cluster it left behind), and on SIGTERM ends open streams, exits cleanly and stops
//! its cluster. This is what `make run` does, minus the build.

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

use std::{
    io::{BufRead, BufReader},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use reqwest::{StatusCode, header};

/// A running `tocsin serve`, with its printed lines.
struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
}

/// Removes the data folder and stops whatever a failed test left running in it.
struct DataDir(PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        // A server killed mid-test leaves its cluster running; SIGQUIT is PostgreSQL's immediate stop.
        if let Ok(pid) = std::fs::read_to_string(self.0.join("postgres/postmaster.pid"))
            && let Some(pid) = pid.lines().next()
        {
            let _ = Command::new("kill").args(["-QUIT", pid]).status();
            std::thread::sleep(Duration::from_millis(500));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn data_dir() -> DataDir {
    // Under /tmp and open to others: as root the cluster runs as `postgres`, which must reach it.
    let dir = std::env::temp_dir().join(format!("tocsin-first-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    DataDir(dir)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `tocsin <args>` with only the data folder configured, as a newcomer runs it.
fn tocsin(dir: &Path, port: u16, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tocsin"));
    cmd.args(args)
        // The folder holds no tocsin.toml, so nothing but these settings applies.
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TOCSIN_CONFIG")
        .env_remove("TOCSIN_SECRET_KEY")
        .env_remove("TOCSIN_ADMIN_EMAIL")
        .env_remove("TOCSIN_ADMIN_PASSWORD")
        .env_remove("TOCSIN_PUBLIC_URL")
        .env("TOCSIN_DATA_DIR", dir)
        .env("TOCSIN_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn");
    cmd
}

fn serve(dir: &Path, port: u16, log: &str) -> Serve {
    let stderr = std::fs::File::create(dir.join(log)).unwrap();
    let mut child =
        tocsin(dir, port, &["serve", "--demo"]).stdout(Stdio::piped()).stderr(stderr).spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Serve { child, lines, base: format!("http://127.0.0.1:{port}") }
}

impl Serve {
    /// Waits for the "Log in as E with password P" line; answers (E, P).
    async fn credentials(&self, dir: &Path, log: &str) -> (String, String) {
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        loop {
            let wait = deadline.saturating_duration_since(std::time::Instant::now());
            let line = tokio::task::block_in_place(|| self.lines.recv_timeout(wait)).unwrap_or_else(|_| {
                let log = std::fs::read_to_string(dir.join(log)).unwrap_or_default();
                panic!("the server printed no credentials; its log:\n{log}")
            });
            if let Some(rest) = line.trim().strip_prefix("Log in as ")
                && let Some((email, password)) = rest.split_once(" with password ")
            {
                return (email.to_owned(), password.to_owned());
            }
        }
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(res) = client.get(format!("{}/readyz", self.base)).send().await
                && res.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("/readyz never answered 200");
    }

    async fn me(&self, token: Option<&str>) -> StatusCode {
        let mut req = reqwest::Client::new().get(format!("{}/api/v1/me", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap().status()
    }

    /// Sends SIGTERM and waits for the exit.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        panic!("the server did not stop within 30 s of SIGTERM");
    }
}

/// Opens the live event stream (a request that only ends when the server does).
async fn open_stream(base: &str, token: &str) -> reqwest::Response {
    let res =
        reqwest::Client::new().get(format!("{base}/api/v1/events")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_logs_in_survives_kill_9_and_stops_cleanly() {
    let dir = data_dir();
    let port = free_port();

    // First start: no database configured, an empty folder.
    let first = serve(&dir.0, port, "first.log");
    let (email, password) = first.credentials(&dir.0, "first.log").await;
    first.wait_ready().await;
    assert!(dir.0.join("postgres/PG_VERSION").exists(), "the embedded cluster lives in the data folder");
    assert!(dir.0.join("secret_key").exists(), "the secret key is generated into the data folder");

    // The printed credentials log in through the form, and the session reads the API.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = browser
        .post(format!("{}/auth/login", first.base))
        .header(header::ORIGIN, &first.base)
        .form(&[("email", email.as_str()), ("password", password.as_str()), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER, "{:?}", login.text().await);
    let me: serde_json::Value =
        browser.get(format!("{}/api/v1/me", first.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["role"], "admin");

    // A command while the server runs uses the server's cluster.
    let out = tocsin(&dir.0, port, &["token", "create", "--email", &email, "--label", "automation"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(!token.is_empty() && !token.contains(char::is_whitespace), "one token on stdout: {token:?}");
    assert_eq!(first.me(Some(&token)).await, StatusCode::OK);
    assert_eq!(first.me(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(first.me(Some("not-a-token")).await, StatusCode::UNAUTHORIZED);

    // An integration key is a secret: a batch that makes the server log (one alert refused)
    // leaves no trace of it in the log.
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{}/api/v1/services/web-dashboard/integration-keys", first.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "kind": "alertmanager", "label": "secret test" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    let batch = serde_json::json!({ "version": "4", "alerts": [{ "status": "pending", "labels": {} }] });
    let res = client
        .post(format!("{}/integrations/alertmanager/{key}", first.base))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The server logs to standard output, which the test reads line by line.
    let log: String = first.lines.try_iter().collect::<Vec<_>>().join("\n");
    assert!(log.contains("alerts refused from a batch"), "the refusal is logged:\n{log}");
    assert!(!log.contains(&key), "the integration key is in the log:\n{log}");

    // kill -9: no chance to stop anything.
    let _stream = open_stream(&first.base, &token).await;
    let mut killed = first.child;
    killed.kill().unwrap();
    killed.wait().unwrap();

    // The next start on the same folder adopts the cluster, keeps the data, the key and the demo
    // credentials, and serves again.
    let second = serve(&dir.0, port, "second.log");
    assert_eq!(second.credentials(&dir.0, "second.log").await, (email.clone(), password.clone()));
    second.wait_ready().await;
    assert_eq!(second.me(Some(&token)).await, StatusCode::OK, "data and token survive the kill");

    // SIGTERM with a stream open: the stream ends, the process exits 0, the cluster stops.
    let stream = open_stream(&second.base, &token).await;
    let status = second.terminate().await;
    let log = std::fs::read_to_string(dir.0.join("second.log")).unwrap_or_default();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    tokio::time::timeout(Duration::from_secs(5), stream.bytes())
        .await
        .expect("the event stream ended with the server")
        .ok();
    assert!(
        !dir.0.join("postgres/postmaster.pid").exists(),
        "SIGTERM stops the embedded cluster; log:\n{log}"
    );
}
