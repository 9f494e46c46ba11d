//! The public status page as static files. A status page hosted on the system that is failing
//! goes down with it; with `TOCSIN_STATUS_EXPORT_DIR` set (or `tocsin status-page export DIR` by
//! hand) every snapshot is also written out (the page, its history, every incident's page, the
//! Statuspage JSON, the feeds) with relative links, so another host or an object store can serve
//! the same page while Tocsin is down.
//!
//! The pages are the ones customers are served, rendered through this instance's router (and so
//! cached for them too). Each export is written into a directory of its own and published by
//! swapping a symbolic link, `DIR`, to it: a reader sees one whole snapshot or the one before,
//! never a mixture or a half-written file. The last two exports are kept (a reader may be in the
//! middle of the older one).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use backend::services::status_page::{self, Snapshot};
use tower::ServiceExt;

use crate::AppState;

/// Exports kept beside the published one.
const KEEP: usize = 2;

/// One file of an export: where it goes under the directory, and its bytes.
struct File {
    path: String,
    bytes: Vec<u8>,
}

/// Where a path of the live page lives in an export, relative to the export's root; `None` for
/// what an export does not hold (forms and everything behind a login stay on Tocsin itself).
fn local(path: &str) -> Option<String> {
    let file = match path {
        "/status" => "index.html".to_owned(),
        "/status/history" => "history/index.html".to_owned(),
        "/status/feed.atom" | "/status/feed.rss" | "/status/live.js" => path["/status/".len()..].to_owned(),
        _ => {
            if let Some(page) = path.strip_prefix("/status/history/") {
                format!("history/{page}/index.html")
            } else if let Some(id) = path.strip_prefix("/status/incidents/") {
                format!("incidents/{id}/index.html")
            } else if (path.starts_with("/api/v2/") && path.ends_with(".json")) || path.starts_with("/pkg/") {
                path[1..].to_owned()
            } else {
                return None;
            }
        }
    };
    // Nothing may climb out of the export.
    (!file.split('/').any(|part| part == ".." || part.is_empty())).then_some(file)
}

/// The page's links made relative to a page `depth` folders below the export's root; a link the
/// export does not hold goes to Tocsin itself (`public_url`), which answers once it is back.
fn relink(html: &str, depth: usize, public_url: &str) -> String {
    let up = "../".repeat(depth);
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["href=\"/", "src=\"/", "action=\"/"]
            .iter()
            .filter_map(|attr| rest.find(attr).map(|at| at + attr.len() - 1))
            .min();
        let Some(start) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('"').unwrap_or(after.len());
        let target = &after[..end];
        let (path, fragment) = target.split_at(target.find('#').unwrap_or(target.len()));
        if target.starts_with("//") {
            out.push_str(target);
        } else if let Some(file) = local(path) {
            out.push_str(&up);
            out.push_str(&file);
            out.push_str(fragment);
        } else {
            out.push_str(public_url);
            out.push_str(target);
        }
        rest = &after[end..];
    }
}

/// A public path as customers get it from this instance; `None` when it is not there (404).
async fn fetch(router: &Router, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let req = Request::get(path)
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .context("building a request")?;
    let res = router.clone().oneshot(req).await.context("the router failed")?;
    match res.status() {
        StatusCode::OK => {
            let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await?;
            Ok(Some(bytes.to_vec()))
        }
        StatusCode::NOT_FOUND => Ok(None),
        status => bail!("{path} answered {status}"),
    }
}

/// Every file of the export of `snapshot`. `previous` is the last export: an old incident's page
/// (one only the history's later pages list, long closed) is taken from it rather than rendered
/// again every minute.
async fn files(
    state: &AppState,
    router: &Router,
    snapshot: &Snapshot,
    previous: Option<&Path>,
) -> anyhow::Result<Vec<File>> {
    let public_url = state.ctx.config.public_url.as_str();
    let pages = domain::status::public::history_pages(snapshot.data.total_incidents);
    let mut paths: Vec<String> = vec!["/status".into(), "/status/history".into()];
    let mut old = Vec::new();
    for page in 2..=pages {
        paths.push(format!("/status/history/{page}"));
        let items = status_page::history(&state.ctx.pool, snapshot, page).await?.unwrap_or_default();
        old.extend(items.into_iter().map(|i| i.public_id));
    }
    paths.extend(snapshot.data.incidents.iter().map(|i| format!("/status/incidents/{}", i.public_id)));
    let mut out = Vec::new();
    for id in old {
        let path = format!("/status/incidents/{id}");
        let kept = previous.and_then(|p| local(&path).and_then(|f| std::fs::read(p.join(f)).ok()));
        match kept {
            Some(bytes) => out.push(File { path: local(&path).unwrap_or_default(), bytes }),
            None => paths.push(path),
        }
    }
    for path in paths {
        let Some(file) = local(&path) else { continue };
        let Some(bytes) = fetch(router, &path).await? else { continue };
        let depth = file.matches('/').count();
        let html = relink(&String::from_utf8_lossy(&bytes), depth, public_url);
        out.push(File { path: file, bytes: html.into_bytes() });
    }
    let mut docs: Vec<String> = snapshot.json.keys().map(|name| format!("/api/v2/{name}.json")).collect();
    docs.sort();
    docs.extend(
        ["/status/feed.atom", "/status/feed.rss", "/status/live.js", "/pkg/tocsin.css"].map(String::from),
    );
    for path in docs {
        if let (Some(file), Some(bytes)) = (local(&path), fetch(router, &path).await?) {
            out.push(File { path: file, bytes });
        }
    }
    Ok(out)
}

/// Where exports of `dir` are kept: a hidden folder beside it.
fn versions_of(dir: &Path) -> anyhow::Result<(PathBuf, String)> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} has no folder name to export to", dir.display()))?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok((parent.join(format!(".{name}.exports")), name.to_owned()))
}

/// Writes the current snapshot's export and publishes it at `dir`; answers how many files.
pub async fn export(state: &AppState, router: &Router, dir: &Path) -> anyhow::Result<usize> {
    let ctx = &state.ctx;
    let snapshot = ctx
        .status
        .current_or_build(&ctx.pool, &ctx.config.public_url, ctx.now())
        .await
        .context("no snapshot of the status page: is PostgreSQL reachable?")?;
    let (versions, name) = versions_of(dir)?;
    let previous = std::fs::read_link(dir).ok().map(|p| dir.parent().unwrap_or(Path::new(".")).join(p));
    let files = files(state, router, &snapshot, previous.as_deref()).await?;
    let count = files.len();
    let stamp =
        format!("{}-{}", snapshot.built_at.format("%Y%m%dT%H%M%S%.6fZ"), uuid::Uuid::new_v4().simple());
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || publish(&dir, &versions, &name, &stamp, &files))
        .await
        .context("writing the export")??;
    Ok(count)
}

/// Writes `files` into a new export and points `dir` at it in one rename.
fn publish(dir: &Path, versions: &Path, name: &str, stamp: &str, files: &[File]) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => {}
        // A folder made ready for the export (empty) becomes the link; one with files in it is
        // not ours to replace.
        Ok(m) if m.is_dir() => std::fs::remove_dir(dir).with_context(|| {
            format!(
                "{} is a folder with files in it; the export publishes by a symbolic link there: give a new path",
                dir.display()
            )
        })?,
        Ok(_) => bail!("{} is a file; give a folder path for the export", dir.display()),
        Err(_) => {}
    }
    let target = versions.join(stamp);
    for f in files {
        let path = target.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let link = versions.join(format!("{stamp}.link"));
    // Relative, so the folder can be moved or mounted elsewhere with its exports.
    let relative = Path::new(versions.file_name().unwrap_or_default()).join(stamp);
    std::os::unix::fs::symlink(&relative, &link).with_context(|| format!("linking {}", link.display()))?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let staged = parent.join(format!(".{name}.{stamp}.link"));
    std::fs::rename(&link, &staged)?;
    std::fs::rename(&staged, dir).with_context(|| format!("publishing at {}", dir.display()))?;
    prune(versions, stamp);
    Ok(())
}

/// Removes all but the newest exports (their names sort by time).
fn prune(versions: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(versions) else { return };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(KEEP);
    for old in names.into_iter().take(excess).filter(|n| n != current) {
        if let Err(e) = std::fs::remove_dir_all(versions.join(&old)) {
            tracing::warn!(error = %e, export = old, "could not remove an old status page export");
        }
    }
}

/// Exports after every new snapshot until `stop` turns true. A failed export leaves the last one
/// published and is tried again with the next snapshot.
pub async fn run(
    state: AppState,
    router: Router,
    dir: PathBuf,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut versions = state.ctx.status.watch();
    loop {
        if state.ctx.status.current().is_some() {
            match export(&state, &router, &dir).await {
                Ok(files) => tracing::debug!(files, dir = %dir.display(), "status page exported"),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), dir = %dir.display(), "status page export failed")
                }
            }
        }
        tokio::select! {
            changed = versions.changed() => if changed.is_err() { return },
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_to_the_page_and_the_rest_point_home() {
        let html = r##"<a href="/status">Home</a><a href="/status/history/2">Older</a><a href="/status/incidents/ab12#u">X</a><link href="/pkg/tocsin.css"><script src="/status/live.js"></script><form action="/status/subscribe"></form><a href="/login">Log in</a><a href="//cdn.example">c</a><a href="/api/v2/summary.json">JSON</a>"##;
        assert_eq!(
            relink(html, 2, "https://t.example"),
            r##"<a href="../../index.html">Home</a><a href="../../history/2/index.html">Older</a><a href="../../incidents/ab12/index.html#u">X</a><link href="../../pkg/tocsin.css"><script src="../../live.js"></script><form action="https://t.example/status/subscribe"></form><a href="https://t.example/login">Log in</a><a href="//cdn.example">c</a><a href="../../api/v2/summary.json">JSON</a>"##
        );
        assert_eq!(relink(r#"<a href="/status">x</a>"#, 0, ""), r#"<a href="index.html">x</a>"#);
    }

    #[test]
    fn nothing_is_written_outside_the_export() {
        assert_eq!(local("/status/incidents/../../etc"), None);
        assert_eq!(local("/status/history/"), None);
        assert_eq!(
            local("/api/v2/incidents/unresolved.json").as_deref(),
            Some("api/v2/incidents/unresolved.json")
        );
        assert_eq!(local("/status/subscribe"), None);
    }
}
