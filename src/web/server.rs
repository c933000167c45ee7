//! The connection loop: accepts TCP connections and serves the router on each over HTTP/1.1 with
//! the limits a portal open to a network needs, which `axum::serve` does not set: a client must
//! send its request headers within a deadline (slowloris clients are dropped, idle keep-alive
//! connections closed), the request head is bounded in bytes, and connections served at once are
//! capped (past the cap, new ones wait in the listen queue instead of exhausting descriptors).
//! A client that stops reading a response is dropped once no byte could be written to it for
//! [`Limits::write_timeout`], one client address holds at most [`Limits::max_per_client`]
//! connections (trusted proxies excepted), and a peer outside `--allow` is closed as soon as it
//! is accepted, before a byte is read. Each request carries its peer address
//! (`ConnectInfo<SocketAddr>`) for the access rules.
//!
//! Owns sockets and connection tasks; knows nothing of routes or pages.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The limits of the connection loop.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a client may take to send a request's headers (also closes idle keep-alive
    /// connections after this long).
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// The largest request head (request line and headers), in bytes.
    pub max_head_bytes: usize,
    /// How long requests in flight may run after a shutdown signal.
    pub shutdown_grace: Duration,
    /// How long a response may wait for the client to take a byte before the connection is
    /// dropped (a client that stops reading holds a connection slot until then).
    pub write_timeout: Duration,
    /// Connections one client address may hold at once.
    pub max_per_client: usize,
    /// Client networks served (empty: all); others are closed at accept.
    pub allow: Vec<IpNet>,
    /// Reverse proxies: admitted whatever `allow` says (the access rules judge the client they
    /// forward), and not held to `max_per_client` (every client comes through them; with none
    /// named, `127.0.0.1` and `::1` are taken for a proxy on this machine).
    pub proxies: Vec<IpNet>,
}

impl Limits {
    fn admits(&self, peer: IpAddr) -> bool {
        self.allow.is_empty() || self.allow.iter().any(|n| n.contains(&peer)) || self.is_proxy(peer)
    }

    fn is_proxy(&self, peer: IpAddr) -> bool {
        self.proxies.iter().any(|n| n.contains(&peer))
    }

    /// Whether `peer` is not held to `max_per_client`: a trusted proxy, or, when none is named,
    /// a proxy on this machine (`127.0.0.1`, `::1`), through which every client comes.
    fn is_shared(&self, peer: IpAddr) -> bool {
        if self.proxies.is_empty() {
            peer == IpAddr::from([127, 0, 0, 1])
                || peer == IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
        } else {
            self.is_proxy(peer)
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_head_bytes: 64 * 1024,
            shutdown_grace: Duration::from_secs(20),
            write_timeout: Duration::from_secs(30),
            max_per_client: 64,
            allow: Vec::new(),
            proxies: Vec::new(),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish
/// (for at most `limits.shutdown_grace`).
pub async fn serve_router(
    app: Router,
    listener: TcpListener,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let clients: Clients = Arc::default();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was accepted: wait
                    // a little rather than spin, and keep serving the connections we have.
                    tracing::warn!(error = %crate::chain::Chain(&e), "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let ip = peer.ip().to_canonical();
        if !limits.admits(ip) {
            // Not on the allow-list: closed before anything is read, so it cannot hold a slot.
            drop(stream);
            continue;
        }
        let Some(held) = Held::take(&clients, ip, limits) else {
            // Its share taken: told so at once (nothing is read), and closed.
            tracing::debug!(%peer, "too many connections from one client: closed");
            let _ = stream.try_write(BUSY);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let stream = Watchdog::new(stream, limits.write_timeout);
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(Body::new)
            });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %crate::chain::Chain(&e), "connection ended with an error");
            }
            drop(held);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("requests still running after the grace period: stopping anyway");
        }
    }
    Ok(())
}

/// The answer to a connection past its client's share, written without reading its request.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 47\r\nConnection: close\r\n\r\nToo many connections from your address at once\n";

/// Connections held per client address.
type Clients = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One connection counted against its client's share; given back when dropped.
struct Held {
    clients: Clients,
    ip: Option<IpAddr>,
}

impl Held {
    /// Counts a connection of `ip`, or `None` when the client holds its share already.
    fn take(clients: &Clients, ip: IpAddr, limits: &Limits) -> Option<Held> {
        if limits.is_shared(ip) {
            return Some(Held {
                clients: clients.clone(),
                ip: None,
            });
        }
        let mut map = clients.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= limits.max_per_client.max(1) {
            return None;
        }
        *n += 1;
        Some(Held {
            clients: clients.clone(),
            ip: Some(ip),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(ip) = self.ip {
            let mut map = self.clients.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = map.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&ip);
                }
            }
        }
    }
}

/// A stream whose writes fail once none could make progress for `limit`: a client that stops
/// reading (its receive window full) is dropped instead of holding its connection for ever.
struct Watchdog<S> {
    inner: S,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Watchdog<S> {
    fn new(inner: S, limit: Duration) -> Self {
        Watchdog {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Called when a write could not proceed: `Ready(Err)` once it has waited `limit`.
    fn waited_too_long(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading the response",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watchdog<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watchdog<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.waited_too_long(cx).map(Err),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.waited_too_long(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => self.waited_too_long(cx).map(Err),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
