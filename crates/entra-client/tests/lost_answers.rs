//! Which requests the transport sends again when an answer does not come back (issue 13 item 1),
//! against a tiny local server: a 504 to a POST is a lost answer, not a retry; a DELETE resent
//! after a 504 whose second answer is 404 may only mean the first one worked; a connection
//! that was never opened carried nothing, so even a POST is tried again. (Dropped connections
//! after the request arrived are driven through the training tenant's `applyThenDrop` in
//! `crates/playbooks/tests/lost_answers.rs`.)

mod common;

use std::sync::Arc;

use common::{fast_retry, LocalServer};
use entra_client::{Cloud, Error, Graph, TenantId};

fn gateway_timeout() -> (u16, Vec<(&'static str, String)>, String) {
    (
        504,
        vec![],
        r#"{"error":{"code":"GatewayTimeout","message":"The gateway did not receive a response in time."}}"#
            .into(),
    )
}

#[tokio::test]
async fn a_504_to_a_post_is_a_lost_answer_and_not_sent_again() {
    let server = LocalServer::start(Arc::new(|_, _| gateway_timeout())).await;
    let e = server
        .graph(fast_retry(4))
        .revoke_sign_in_sessions("u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.answer_lost", "{e}");
    assert!(e.request_ids().unwrap().client_request_id.is_some());
    assert_eq!(server.seen().len(), 1, "sent once");

    // A read is retried as before.
    let server = LocalServer::start(Arc::new(|_, n| {
        if n == 0 {
            gateway_timeout()
        } else {
            (200, vec![], r#"{"id":"u1"}"#.into())
        }
    }))
    .await;
    assert_eq!(
        server.graph(fast_retry(4)).get_user("u1").await.unwrap().id,
        "u1"
    );
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_resent_delete_answered_404_after_a_504_is_a_lost_answer() {
    let server = LocalServer::start(Arc::new(|_, n| {
        if n == 0 {
            gateway_timeout()
        } else {
            (
                404,
                vec![],
                r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'u1' does not exist."}}"#.into(),
            )
        }
    }))
    .await;
    let e = server
        .graph(fast_retry(4))
        .delete_user("u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.answer_lost", "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert_eq!(server.seen().len(), 2);

    // Without an earlier loss a 404 is a plain "not found".
    let server = LocalServer::start(Arc::new(|_, _| {
        (
            404,
            vec![],
            r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'u1' does not exist."}}"#.into(),
        )
    }))
    .await;
    let e = server
        .graph(fast_retry(4))
        .delete_user("u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.not_found", "{e}");
}

#[tokio::test]
async fn a_connection_never_opened_is_tried_again_even_for_a_post() {
    // A port that nobody listens on: every attempt is refused before anything is sent.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let endpoints = Cloud::custom(&base, &base)
        .unwrap()
        .endpoints(&TenantId::parse("contoso.onmicrosoft.com").unwrap())
        .unwrap();
    let graph = Graph::with_http(
        entra_client::graph::transport::http_client().unwrap(),
        &endpoints,
        Arc::new(entra_client::graph::StaticToken("t".into())),
        fast_retry(3),
    )
    .unwrap();
    let e = graph.revoke_sign_in_sessions("u1").await.unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert_eq!(e.code(), "network.unreachable");
}
