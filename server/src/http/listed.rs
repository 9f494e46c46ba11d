//! A router that remembers the paths it was given. axum cannot list a router's routes, and the
//! route walker (`server/tests/api/route_walker.rs`) must find every one of them, so every plain
//! endpoint is added through [`Listed`]: a route added here cannot escape the walker's table.

use axum::{Router, routing::MethodRouter};

pub struct Listed<S> {
    router: Router<S>,
    paths: Vec<String>,
}

impl<S: Clone + Send + Sync + 'static> Listed<S> {
    pub fn new() -> Self {
        Listed { router: Router::new(), paths: Vec::new() }
    }

    pub fn route(mut self, path: &str, method_router: MethodRouter<S>) -> Self {
        self.paths.push(path.to_owned());
        self.router = self.router.route(path, method_router);
        self
    }

    /// Nests a documented router under `prefix`, its paths read from its OpenAPI document.
    pub fn nest_documented(mut self, prefix: &str, inner: utoipa_axum::router::OpenApiRouter<S>) -> Self {
        let (router, doc) = inner.split_for_parts();
        self.paths.extend(doc.paths.paths.keys().map(|p| format!("{prefix}{p}")));
        self.router = self.router.nest(prefix, router);
        self
    }

    /// The paths, in the order they were added.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Listed<S> {
    fn default() -> Self {
        Listed::new()
    }
}
