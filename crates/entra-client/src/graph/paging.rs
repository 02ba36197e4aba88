//! `@odata.nextLink` paging as a stream ("Paging Microsoft Graph data", graph-api.md §2.3).
//!
//! * The nextLink is an absolute URL used as-is (never parsed or rebuilt).
//! * A page can be empty and still have a nextLink; we keep going.
//! * Request headers such as `ConsistencyLevel` are *not* implied by the nextLink: they are
//!   re-sent on every page.
//! * `@odata.count` only comes on the first page.

use std::time::Duration;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::{Graph, GraphRequest};
use crate::error::{Error, Result};

/// One page of a collection.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(default, rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    #[serde(default, rename = "@odata.count")]
    pub count: Option<i64>,
}

/// Safety stop against a server that keeps returning the same nextLink.
const MAX_PAGES: usize = 100_000;

impl Graph {
    /// Streams every page of the collection `first` returns. `pace` spaces page requests out
    /// (the reports APIs allow 5 requests per 10 s per app and tenant).
    pub fn pages<T: DeserializeOwned + Send + 'static>(
        &self,
        first: GraphRequest,
        pace: Option<Duration>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static {
        let graph = self.clone();
        stream::try_unfold(
            (Some(first.url.clone()), first, 0usize),
            move |(next, template, n)| {
                let graph = graph.clone();
                async move {
                    let Some(url) = next else { return Ok(None) };
                    if n >= MAX_PAGES {
                        return Err(Error::UnexpectedResponse {
                            detail: format!("more than {MAX_PAGES} pages"),
                            ids: Default::default(),
                        });
                    }
                    if n > 0 {
                        if let Some(p) = pace {
                            tokio::time::sleep(p).await;
                        }
                    }
                    let req = GraphRequest {
                        url,
                        ..template.clone()
                    };
                    let page: Page<T> = graph.transport.send(&req).await?.json()?;
                    let next = match &page.next_link {
                        Some(link) if !link.is_empty() => {
                            Some(Url::parse(link).map_err(|e| Error::UnexpectedResponse {
                                detail: format!("an unusable @odata.nextLink ({e})"),
                                ids: Default::default(),
                            })?)
                        }
                        _ => None,
                    };
                    Ok(Some((page, (next, template, n + 1))))
                }
            },
        )
    }

    /// Streams the items of every page.
    pub fn items<T: DeserializeOwned + Send + 'static>(
        &self,
        first: GraphRequest,
        pace: Option<Duration>,
    ) -> impl Stream<Item = Result<T>> + Send + 'static {
        self.pages::<T>(first, pace)
            .map_ok(|page| stream::iter(page.value.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Collects at most `limit` items (all when `None`).
    pub async fn collect<T: DeserializeOwned + Send + 'static>(
        &self,
        first: GraphRequest,
        limit: Option<usize>,
    ) -> Result<Vec<T>> {
        let stream = self.items::<T>(first, None);
        match limit {
            Some(n) => stream.take(n).try_collect().await,
            None => stream.try_collect().await,
        }
    }

    /// A GET for a collection.
    pub(crate) fn list_request(
        &self,
        url: Url,
        operation: crate::permissions::Operation,
    ) -> GraphRequest {
        GraphRequest::new(Method::GET, url, operation)
    }
}
