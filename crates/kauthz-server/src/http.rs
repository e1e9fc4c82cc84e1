//! The HTTP(S) layer: accept, TLS, HTTP/1.1 keep-alive and HTTP/2, bounded bodies,
//! timeouts, a connection cap, graceful shutdown. Answers come from [`crate::respond`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::tls::Reloading;
use crate::{MAX_BODY, ServerError, Shared, TlsFiles, respond};

/// Limits of the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Concurrent connections; further ones wait in the accept queue.
    pub max_connections: usize,
    /// Time to read a request (headers and body) and to complete a TLS handshake.
    pub read_timeout: Duration,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_connections: 1024, read_timeout: Duration::from_secs(10), drain_timeout: Duration::from_secs(15) }
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>, read_timeout: Duration) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let body = tokio::time::timeout(read_timeout, Limited::new(req.into_body(), MAX_BODY).collect()).await;
    let reply = match body {
        Err(_) => crate::Reply::text(408, "request body not received in time"),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                crate::Reply::text(413, format!("request body larger than {MAX_BODY} bytes"))
            } else {
                crate::Reply::text(400, format!("reading request body: {e}"))
            }
        }
        Ok(Ok(collected)) => respond(&shared, &method, &path, &collected.to_bytes()),
    };
    let response = Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type)
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    Ok(response)
}

/// Serves until `shutdown` completes, then drains in-flight requests (up to the drain
/// timeout). `tls: None` serves plain HTTP (for tests and local trials only).
pub async fn serve(
    listen: SocketAddr,
    tls: Option<TlsFiles>,
    shared: Arc<Shared>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    bound: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let tls = tls.map(Reloading::new).transpose()?.map(Arc::new);
    let listener = TcpListener::bind(listen).await.map_err(|source| ServerError::Listen { addr: listen.to_string(), source })?;
    bound(listener.local_addr().map_err(|source| ServerError::Listen { addr: listen.to_string(), source })?);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.read_timeout).keep_alive(true);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    eprintln!("kauthz serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let (shared, tls, builder, watcher) = (shared.clone(), tls.clone(), builder.clone(), graceful.watcher());
        let read_timeout = limits.read_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| handle(shared.clone(), req, read_timeout));
            match tls {
                Some(tls) => {
                    let accepted = tokio::time::timeout(read_timeout, tls.get().accept(stream)).await;
                    let Ok(Ok(stream)) = accepted else { return };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn.into_owned()).await;
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn.into_owned()).await;
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await.is_err() {
        eprintln!("kauthz serve: in-flight requests did not finish within {:?}", limits.drain_timeout);
    }
    Ok(())
}
