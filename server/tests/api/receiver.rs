//! A webhook endpoint for pages: keeps what it receives and checks each Standard Webhooks
//! signature against the secret of the contact method it was sent to.

use std::sync::{Arc, Mutex};

use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde_json::Value;

/// A webhook endpoint that keeps what it receives and checks each signature.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<(String, Value)>>>,
    pub secrets: Arc<Mutex<Vec<(String, String)>>>,
}

impl Receiver {
    pub async fn start() -> (Receiver, String) {
        let r = Receiver::default();
        let state = r.clone();
        let app = Router::new().route(
            "/hook/{who}",
            post(
                move |axum::extract::Path(who): axum::extract::Path<String>,
                      headers: HeaderMap,
                      body: Bytes| {
                    let state = state.clone();
                    async move {
                        let text = String::from_utf8(body.to_vec()).unwrap();
                        let secret = state
                            .secrets
                            .lock()
                            .unwrap()
                            .iter()
                            .find(|(w, _)| *w == who)
                            .map(|(_, s)| s.clone());
                        if let Some(secret) = secret {
                            let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
                            let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
                            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
                            mac.update(
                                format!("{}.{}.{}", h("webhook-id"), h("webhook-timestamp"), text).as_bytes(),
                            );
                            let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
                            assert_eq!(h("webhook-signature"), expected, "signature of a page to {who}");
                        }
                        state.got.lock().unwrap().push((who, serde_json::from_str(&text).unwrap()));
                        "ok"
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    pub fn to(&self, who: &str) -> Vec<Value> {
        self.got.lock().unwrap().iter().filter(|(w, _)| w == who).map(|(_, v)| v.clone()).collect()
    }

    /// Incident numbers in every page `who` received, in order.
    pub fn incidents_to(&self, who: &str) -> Vec<String> {
        self.to(who)
            .iter()
            .flat_map(|m| {
                m["incidents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["number"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
