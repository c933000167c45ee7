//! Who may use the portal: an allow-list of client networks, HTTP basic authentication against an
//! htpasswd file (bcrypt or argon2 hashes), a user name set by a trusted reverse proxy
//! (forward auth: Authelia, authentik, oauth2-proxy), and per-client rate limiting. Every rule is
//! optional and off by default. One middleware over the whole router enforces them, so every route
//! (pages, downloads, and routes added later) follows the same rules; only `/healthz` skips
//! authentication and rate limiting (the allow-list still applies to it).
//!
//! The client is the connection's peer address (`ConnectInfo<SocketAddr>`); behind a trusted
//! proxy, the right-most address of `X-Forwarded-For` that is not itself a trusted proxy. A
//! request without a peer address (only in-process tests build those) is trusted by nothing:
//! refused by an allow-list, its forward-auth header ignored, rate-limited as one shared client.
//!
//! Owns the access rules and their state (verified credentials, rate buckets); must not touch
//! the catalog, the index or any file but the htpasswd file (read once, at start).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::PasswordVerifier;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use ipnet::IpNet;

use super::error::error_page;

/// The most clients whose rate buckets are kept at once.
const MAX_CLIENTS: usize = 16_384;
/// How long a verified `Authorization` header is remembered (bcrypt and argon2 are slow on
/// purpose; browsers send the header with every request).
const VERIFIED_TTL: Duration = Duration::from_secs(600);
/// The most verified headers remembered (the memory is emptied when full).
const MAX_VERIFIED: usize = 1024;
/// Password verifications running at once: wrong passwords cannot take every core.
const VERIFY_PERMITS: usize = 2;
/// The header a reverse proxy names the client in.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// What can be wrong with the access settings. Each stops the server at start.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The htpasswd file could not be read.
    #[error("cannot read the htpasswd file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line of the htpasswd file is not `user:hash` with a bcrypt or argon2 hash.
    #[error("{path}, line {line}: {reason}")]
    Htpasswd {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The htpasswd file names nobody: nobody could sign in.
    #[error("the htpasswd file {0} has no user")]
    NoUsers(PathBuf),
    /// The forward-auth header is not a valid header name.
    #[error("`{0}` is not a valid header name")]
    HeaderName(String),
    /// A forward-auth header was given without the proxies allowed to set it.
    #[error(
        "--auth-header needs --trusted-proxies: the addresses of the proxies allowed to set it"
    )]
    NoTrustedProxies,
    /// A rate limit of zero requests would refuse everything.
    #[error("--rate-limit must be at least 1 request per minute")]
    ZeroRate,
}

pub use crate::setting::parse_net;

/// The access settings, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct AccessSettings {
    /// An htpasswd file: basic authentication for every request.
    pub htpasswd: Option<PathBuf>,
    /// A header naming the signed-in user, set by a trusted reverse proxy.
    pub auth_header: Option<String>,
    /// The reverse proxies trusted to set `auth_header` and `X-Forwarded-For`.
    pub trusted_proxies: Vec<IpNet>,
    /// Only clients in these networks may connect (empty: everyone).
    pub allow: Vec<IpNet>,
    /// Requests per minute per client (none: unlimited).
    pub rate_limit: Option<u32>,
}

/// A password hash from the htpasswd file.
enum Hash {
    Bcrypt(String),
    Argon2(Box<PasswordHash>),
}

impl Hash {
    fn parse(hash: &str) -> Result<Hash, String> {
        if ["$2a$", "$2b$", "$2x$", "$2y$"]
            .iter()
            .any(|p| hash.starts_with(p))
        {
            return hash
                .parse::<bcrypt::HashParts>()
                .map(|_| Hash::Bcrypt(hash.to_string()))
                .map_err(|e| format!("invalid bcrypt hash: {e}"));
        }
        if hash.starts_with("$argon2") {
            return PasswordHash::new(hash)
                .map(|h| Hash::Argon2(Box::new(h)))
                .map_err(|e| format!("invalid argon2 hash: {e}"));
        }
        Err("only bcrypt (`htpasswd -B`) and argon2 hashes are accepted".into())
    }

    /// Blocking: bcrypt and argon2 take tens of milliseconds on purpose.
    fn verify(&self, password: &[u8]) -> bool {
        match self {
            Hash::Bcrypt(h) => bcrypt::verify(password, h).unwrap_or(false),
            Hash::Argon2(h) => argon2::Argon2::default()
                .verify_password(password, h.as_ref())
                .is_ok(),
        }
    }
}

/// The users of an htpasswd file.
struct Users {
    hashes: HashMap<String, Arc<Hash>>,
    /// Verified for unknown users, so a wrong name takes as long as a wrong password.
    decoy: Arc<Hash>,
}

impl Users {
    fn load(path: &Path) -> Result<Users, AccessError> {
        let text = std::fs::read_to_string(path).map_err(|source| AccessError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut hashes = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: String| AccessError::Htpasswd {
                path: path.to_path_buf(),
                line: i + 1,
                reason,
            };
            let (user, hash) = line
                .split_once(':')
                .ok_or_else(|| err("expected `user:hash`".into()))?;
            if user.is_empty() {
                return Err(err("empty user name".into()));
            }
            let hash = Hash::parse(hash.trim()).map_err(|e| err(format!("user `{user}`: {e}")))?;
            hashes.insert(user.to_string(), Arc::new(hash));
        }
        if hashes.is_empty() {
            return Err(AccessError::NoUsers(path.to_path_buf()));
        }
        // As slow as the real hashes: the cost of the first bcrypt hash of the file.
        let cost = hashes
            .values()
            .find_map(|h| match h.as_ref() {
                Hash::Bcrypt(b) => b.parse::<bcrypt::HashParts>().ok().map(|p| p.get_cost()),
                Hash::Argon2(_) => None,
            })
            .unwrap_or(bcrypt::DEFAULT_COST);
        let decoy = bcrypt::hash("not a password", cost)
            .map(Hash::Bcrypt)
            .unwrap_or_else(|_| Hash::Bcrypt(String::new()));
        Ok(Users {
            hashes,
            decoy: Arc::new(decoy),
        })
    }
}

/// A token bucket per client: `rate` requests per minute, bursts of up to `rate`.
struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client`; otherwise the seconds until one is available.
    fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refill = |b: &Bucket| {
            (b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_second)
                .min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            // Forget the clients whose buckets have filled up again: they lose nothing.
            buckets.retain(|_, b| refill(b) < capacity);
            if buckets.len() >= MAX_CLIENTS {
                return Err(60);
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let tokens = refill(bucket);
        bucket.updated = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(((1.0 - tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The key a client is rate-limited by: its IPv4 address, or its IPv6 /64 (one host's share).
fn rate_key(client: Option<IpAddr>) -> IpAddr {
    match client {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Some(ip) => ip,
        None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

/// The user a request was authenticated as (in the request's extensions for handlers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User(pub String);

/// The access rules in force, and their state.
pub struct Policy {
    users: Option<Users>,
    auth_header: Option<HeaderName>,
    trusted_proxies: Vec<IpNet>,
    allow: Vec<IpNet>,
    limiter: Option<RateLimiter>,
    verified: Mutex<HashMap<[u8; 20], (String, Instant)>>,
    verify_permits: tokio::sync::Semaphore,
    salt: [u8; 16],
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field(
                "htpasswd_users",
                &self.users.as_ref().map(|u| u.hashes.len()),
            )
            .field("auth_header", &self.auth_header)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("allow", &self.allow)
            .field("rate_limit", &self.limiter.as_ref().map(|l| l.per_minute))
            .finish()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::open()
    }
}

impl Policy {
    /// No rules: everyone may do everything (the default).
    pub fn open() -> Policy {
        Policy {
            users: None,
            auth_header: None,
            trusted_proxies: Vec::new(),
            allow: Vec::new(),
            limiter: None,
            verified: Mutex::new(HashMap::new()),
            verify_permits: tokio::sync::Semaphore::new(VERIFY_PERMITS),
            salt: random_salt(),
        }
    }

    /// The rules of `settings`, reading the htpasswd file.
    pub fn from_settings(settings: &AccessSettings) -> Result<Policy, AccessError> {
        let mut policy = Policy::open();
        if let Some(path) = &settings.htpasswd {
            policy.users = Some(Users::load(path)?);
        }
        if let Some(name) = &settings.auth_header {
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| AccessError::HeaderName(name.clone()))?;
            if settings.trusted_proxies.is_empty() {
                return Err(AccessError::NoTrustedProxies);
            }
            policy.auth_header = Some(name);
        }
        policy.trusted_proxies = settings.trusted_proxies.clone();
        policy.allow = settings.allow.clone();
        if let Some(rate) = settings.rate_limit {
            if rate == 0 {
                return Err(AccessError::ZeroRate);
            }
            policy.limiter = Some(RateLimiter::new(rate));
        }
        Ok(policy)
    }

    /// Whether any rule is in force.
    pub fn is_open(&self) -> bool {
        self.users.is_none()
            && self.auth_header.is_none()
            && self.allow.is_empty()
            && self.limiter.is_none()
            && self.trusted_proxies.is_empty()
    }

    /// One line for the log: which rules are in force.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(u) = &self.users {
            parts.push(format!("basic auth ({} users)", u.hashes.len()));
        }
        if let Some(h) = &self.auth_header {
            parts.push(format!("forward auth ({h})"));
        }
        if !self.trusted_proxies.is_empty() {
            parts.push(format!(
                "{} trusted proxy networks",
                self.trusted_proxies.len()
            ));
        }
        if !self.allow.is_empty() {
            parts.push(format!("{} allowed networks", self.allow.len()));
        }
        if let Some(l) = &self.limiter {
            parts.push(format!("{} requests/min per client", l.per_minute));
        }
        if parts.is_empty() {
            "open to every client".into()
        } else {
            parts.join(", ")
        }
    }

    fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client networks allowed (empty: everyone).
    pub fn allowed_networks(&self) -> &[IpNet] {
        &self.allow
    }

    /// The reverse proxies trusted.
    pub fn trusted_networks(&self) -> &[IpNet] {
        &self.trusted_proxies
    }

    /// Whether a request from `peer` may tell the portal its public scheme and host
    /// (`X-Forwarded-Proto`, `X-Forwarded-Host`): a trusted proxy, or, when no proxy is named, a
    /// proxy on this machine (loopback). Anyone else could make feeds link to their own host.
    pub fn trusts_forwarded_origin(&self, peer: Option<IpAddr>) -> bool {
        let Some(peer) = peer.map(|p| p.to_canonical()) else {
            return false;
        };
        if self.trusted_proxies.is_empty() {
            peer.is_loopback()
        } else {
            self.is_trusted_proxy(peer)
        }
    }

    /// The client: the peer, or behind trusted proxies the right-most forwarded address that is
    /// not a trusted proxy.
    fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.is_trusted_proxy(peer) {
            return Some(peer);
        }
        let mut client = peer;
        let forwarded = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !self.is_trusted_proxy(client) {
                        break;
                    }
                }
                // Garbage in the chain: trust nothing before it.
                Err(_) => break,
            }
        }
        Some(client)
    }

    /// The user named by credentials in `headers`, if they are valid.
    async fn authenticate(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<String> {
        if let Some(name) = &self.auth_header {
            if let Some(value) = headers.get(name) {
                if peer.is_some_and(|p| self.is_trusted_proxy(p)) {
                    let user = value.to_str().unwrap_or("").trim();
                    if !user.is_empty() {
                        return Some(user.to_string());
                    }
                } else {
                    tracing::warn!(
                        peer = ?peer,
                        header = %name,
                        "ignored a forward-auth header from an address that is not a trusted proxy"
                    );
                }
            }
        }
        let users = self.users.as_ref()?;
        let value = headers.get(header::AUTHORIZATION)?.as_bytes();
        let key = self.credential_key(value);
        let now = Instant::now();
        if let Some((user, until)) = self.verified().get(&key) {
            if *until > now {
                return Some(user.clone());
            }
        }
        let (user, password) = basic_credentials(value)?;
        let hash = users.hashes.get(&user).unwrap_or(&users.decoy).clone();
        let known = users.hashes.contains_key(&user);
        let _permit = self.verify_permits.acquire().await.ok()?;
        let ok = tokio::task::spawn_blocking(move || hash.verify(password.as_bytes()))
            .await
            .unwrap_or(false);
        if !(ok && known) {
            return None;
        }
        let mut verified = self.verified();
        if verified.len() >= MAX_VERIFIED {
            verified.clear();
        }
        verified.insert(key, (user.clone(), now + VERIFIED_TTL));
        Some(user)
    }

    fn verified(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 20], (String, Instant)>> {
        self.verified.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What verified credentials are remembered by: a salted digest, never the password.
    fn credential_key(&self, value: &[u8]) -> [u8; 20] {
        let mut h = sha1_smol::Sha1::new();
        h.update(&self.salt);
        h.update(value);
        h.digest().bytes()
    }
}

fn random_salt() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut salt = [0u8; 16];
    for chunk in salt.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    salt
}

/// `Basic base64(user:password)` → (user, password).
fn basic_credentials(value: &[u8]) -> Option<(String, String)> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 4096 {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// The peer address of a request: set by the server, or by `MockConnectInfo` in tests.
fn peer_address(request: &Request) -> Option<IpAddr> {
    let ext = request.extensions();
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| ext.get::<MockConnectInfo<SocketAddr>>().map(|c| c.0))
        .map(|a| a.ip().to_canonical())
}

/// The middleware: allow-list, then rate limit, then authentication.
pub async fn enforce(
    State((policy, base)): State<(Arc<Policy>, Arc<str>)>,
    mut request: Request,
    next: Next,
) -> Response {
    if policy.is_open() {
        return next.run(request).await;
    }
    let peer = peer_address(&request);
    let client = policy.client(peer, request.headers());
    if !policy.allow.is_empty()
        && !client.is_some_and(|c| policy.allow.iter().any(|n| n.contains(&c)))
    {
        tracing::info!(client = ?client, "refused: not in an allowed network");
        return error_page(
            StatusCode::FORBIDDEN,
            "This portal is not open to your network.",
            "",
        );
    }
    // The exemptions name the portal's own paths, under its base path if it has one.
    let full = request.uri().path();
    let path = full
        .strip_prefix(&*base)
        .filter(|p| p.starts_with('/'))
        .unwrap_or(full);
    let exempt = path == "/healthz";
    let unmetered = exempt || path.starts_with("/static/") || path == "/favicon.ico";
    if let (Some(limiter), false) = (&policy.limiter, unmetered) {
        if let Err(wait) = limiter.take(rate_key(client), Instant::now()) {
            let mut response = error_page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests from your address: wait a moment and try again.",
                "",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return response;
        }
    }
    if exempt || (policy.users.is_none() && policy.auth_header.is_none()) {
        return next.run(request).await;
    }
    match policy.authenticate(peer, request.headers()).await {
        Some(user) => {
            request.extensions_mut().insert(User(user));
            next.run(request).await
        }
        None if policy.users.is_some() => {
            let mut response =
                error_page(StatusCode::UNAUTHORIZED, "Sign in to use this portal.", "");
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Lanshelf\", charset=\"UTF-8\""),
            );
            response
        }
        None => error_page(
            StatusCode::FORBIDDEN,
            "Sign in through this portal's sign-in page (its reverse proxy).",
            "",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_single_addresses_parse() {
        assert_eq!(parse_net("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_net(" 10.0.0.7 ").unwrap().to_string(), "10.0.0.7/32");
        assert_eq!(parse_net("fd00::/8").unwrap().to_string(), "fd00::/8");
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("lan").is_err());
    }

    #[test]
    fn rate_buckets_refill_and_stay_bounded() {
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..60 {
            assert!(limiter.take(ip, t0).is_ok());
        }
        assert_eq!(limiter.take(ip, t0), Err(1));
        assert!(limiter.take(ip, t0 + Duration::from_secs(1)).is_ok());
        // Many clients: the map never grows past its bound.
        for i in 0..(MAX_CLIENTS as u32 + 100) {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(i));
            let _ = limiter.take(ip, t0 + Duration::from_secs(2));
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_CLIENTS);
        // Once their buckets are full again, they make room for new clients.
        assert!(limiter
            .take("192.0.2.1".parse().unwrap(), t0 + Duration::from_secs(200))
            .is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a = rate_key(Some("2001:db8::1".parse().unwrap()));
        let b = rate_key(Some("2001:db8::ffff:2".parse().unwrap()));
        assert_eq!(a, b);
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies() {
        let policy = Policy::from_settings(&AccessSettings {
            trusted_proxies: vec![parse_net("10.0.0.0/8").unwrap()],
            ..Default::default()
        })
        .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            FORWARDED_FOR,
            "1.2.3.4, 192.168.1.9, 10.0.0.2".parse().unwrap(),
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            policy.client(Some(proxy), &headers),
            Some("192.168.1.9".parse().unwrap())
        );
        let stranger: IpAddr = "192.168.1.50".parse().unwrap();
        assert_eq!(policy.client(Some(stranger), &headers), Some(stranger));
        assert_eq!(policy.client(None, &headers), None);
    }

    #[test]
    fn basic_credentials_decode() {
        assert_eq!(
            basic_credentials(b"Basic YWxpY2U6czNjcjN0OmV4dHJh"),
            Some(("alice".into(), "s3cr3t:extra".into()))
        );
        assert_eq!(basic_credentials(b"Bearer abc"), None);
        assert_eq!(basic_credentials(b"Basic !!!"), None);
        assert_eq!(basic_credentials(b"Basic \xff"), None);
    }

    #[test]
    fn htpasswd_lines_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("htpasswd");
        std::fs::write(&path, "# users\nbob:$apr1$abc$def\n").unwrap();
        let err = Users::load(&path).err().unwrap().to_string();
        assert!(err.contains("line 2") && err.contains("bcrypt"), "{err}");
        std::fs::write(&path, "\n# nobody\n").unwrap();
        assert!(matches!(Users::load(&path), Err(AccessError::NoUsers(_))));
        let hash = bcrypt::hash("pw", 4).unwrap();
        std::fs::write(&path, format!("carol:{hash}\n")).unwrap();
        let users = Users::load(&path).unwrap();
        assert!(users.hashes["carol"].verify(b"pw"));
        assert!(!users.hashes["carol"].verify(b"wrong"));
    }

    #[test]
    fn forward_auth_needs_trusted_proxies() {
        let err = Policy::from_settings(&AccessSettings {
            auth_header: Some("Remote-User".into()),
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(matches!(err, AccessError::NoTrustedProxies));
        assert!(Policy::open().is_open());
    }
}
