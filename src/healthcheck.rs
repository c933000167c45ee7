//! `lanshelf healthcheck`: asks a running portal's `/healthz` over loopback, so a container
//! needs no curl or shell for its health check. Plain HTTP/1.1 on a TCP socket: the portal is
//! local and answers a short JSON body.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The most of the answer read.
const MAX_ANSWER: u64 = 64 * 1024;

/// Why the portal is not healthy.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    /// Nothing answers (not started yet, or stopped).
    #[error("cannot reach the portal at {addr}")]
    Unreachable {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// It did not answer in time.
    #[error("the portal at {0} did not answer in time")]
    Timeout(SocketAddr),
    /// It answered something that is not HTTP.
    #[error("the portal at {0} answered something that is not HTTP")]
    NotHttp(SocketAddr),
    /// It answered, and not with 200.
    #[error("the portal answers {status}: {body}")]
    Unhealthy {
        /// The status code.
        status: u16,
        /// The body (the health report).
        body: String,
    },
}

/// The address to ask for a listening address: a wildcard (`0.0.0.0`, `::`) is asked on
/// loopback.
pub fn target(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Asks `GET {base}/healthz` of the portal listening on `addr`; the health report when it
/// answers 200.
pub async fn check(addr: SocketAddr, base: &str, timeout: Duration) -> Result<String, HealthError> {
    let addr = target(addr);
    tokio::time::timeout(timeout, ask(addr, base))
        .await
        .map_err(|_| HealthError::Timeout(addr))?
}

async fn ask(addr: SocketAddr, base: &str) -> Result<String, HealthError> {
    let unreachable = |source| HealthError::Unreachable { addr, source };
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(unreachable)?;
    let request = format!(
        "GET {base}/healthz HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: lanshelf-healthcheck\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(unreachable)?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .await
        .map_err(unreachable)?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("HTTP/1."))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or(HealthError::NotHttp(addr))?;
    let body = body.trim().to_string();
    if status == 200 {
        Ok(body)
    } else {
        Err(HealthError::Unhealthy { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_asked_on_loopback() {
        assert_eq!(
            target("0.0.0.0:8080".parse().unwrap()),
            "127.0.0.1:8080".parse().unwrap()
        );
        assert_eq!(
            target("[::]:80".parse().unwrap()),
            "[::1]:80".parse().unwrap()
        );
        assert_eq!(
            target("192.0.2.1:80".parse().unwrap()),
            "192.0.2.1:80".parse().unwrap()
        );
    }
}
