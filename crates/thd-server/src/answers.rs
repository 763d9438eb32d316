//! Responses kept for the next identical request. A map pans and a dashboard refreshes with the same questions
//! over and over — the same view of a layer, the same breakdown of plugs — while the answer changes only when
//! the delegatee syncs (planning figures) or never (a stored delivery's layers). Keeping the encoded body turns
//! a repeated question into a lookup, as a tile cache does for a map server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use http_body_util::BodyExt;

use crate::error::ApiError;

/// How many answers a cache keeps before it starts again empty: enough for every view and breakdown a few
/// dashboards ask for, small enough (a few hundred kilobytes to megabytes each) to bound memory.
const CAPACITY: usize = 256;

/// A successful response, kept: its type, download name and body.
#[derive(Debug)]
pub struct Answer {
    content_type: Option<HeaderValue>,
    disposition: Option<HeaderValue>,
    body: axum::body::Bytes,
}

impl Answer {
    /// Keeps a response (its body read whole).
    pub async fn of(response: Response) -> Result<Answer, ApiError> {
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(ApiError::internal)?.to_bytes();
        Ok(Answer {
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            disposition: parts.headers.get(header::CONTENT_DISPOSITION).cloned(),
            body,
        })
    }

    pub fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        let headers = response.headers_mut();
        if let Some(v) = &self.content_type {
            headers.insert(header::CONTENT_TYPE, v.clone());
        }
        if let Some(v) = &self.disposition {
            headers.insert(header::CONTENT_DISPOSITION, v.clone());
        }
        response
    }
}

/// Answers by request key, all computed under one `version` of what they depend on (the zone acceptances of a
/// delivery, or nothing): asking under another version empties the cache first.
#[derive(Debug)]
pub struct Answers<V> {
    inner: Mutex<Kept<V>>,
}

/// The version the answers were computed under, and the answers by key.
type Kept<V> = (Option<V>, HashMap<String, Arc<Answer>>);

impl<V> Default for Answers<V> {
    fn default() -> Self {
        Answers {
            inner: Mutex::new((None, HashMap::new())),
        }
    }
}

impl<V: PartialEq> Answers<V> {
    pub fn get(&self, key: &str, version: &V) -> Option<Arc<Answer>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match &inner.0 {
            Some(known) if known == version => inner.1.get(key).cloned(),
            _ => None,
        }
    }

    pub fn keep(&self, key: String, version: V, answer: Arc<Answer>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.0.as_ref() != Some(&version) || inner.1.len() >= CAPACITY {
            inner.1.clear();
            inner.0 = Some(version);
        }
        inner.1.insert(key, answer);
    }
}
