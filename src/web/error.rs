//! The portal's errors and how they show: every error is a page (never a bare status), 4xx pages
//! say what was wrong and offer a search, 5xx pages say only that something failed while the
//! details go to the log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use askama::Template;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page, record or identifier (the message says which).
    #[error("{0}")]
    NotFound(String),
    /// The request itself is unacceptable (the message says why).
    #[error("{0}")]
    BadRequest(String),
    /// A request body is larger than the portal accepts (the message says what to do).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The URL is longer than the portal accepts.
    #[error("the address is too long")]
    UriTooLong,
    /// The request's headers are larger than the portal accepts.
    #[error("the request headers are too large")]
    HeadersTooLarge,
    /// A Range header asked for bytes beyond the end of the file (its size is given).
    #[error("the requested range is outside the file")]
    RangeNotSatisfiable(u64),
    /// The catalog database failed.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The search index failed.
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    /// Reading a file of the repository or a torrent failed.
    #[error(transparent)]
    Files(#[from] crate::files::FilesError),
    /// Reading a file failed.
    #[error("i/o")]
    Io(#[from] std::io::Error),
    /// A template failed to render.
    #[error("template")]
    Template(#[from] askama::Error),
    /// A blocking task panicked or was cancelled.
    #[error("background task")]
    Task(#[from] tokio::task::JoinError),
}

impl WebError {
    /// A 404 with a message.
    pub fn not_found(what: impl Into<String>) -> Self {
        WebError::NotFound(what.into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UriTooLong => StatusCode::URI_TOO_LONG,
            WebError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            WebError::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
            WebError::Search(crate::search::SearchError::NoIndex(_))
            | WebError::Search(crate::search::SearchError::Busy) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<crate::lookup::LookupError> for WebError {
    fn from(e: crate::lookup::LookupError) -> Self {
        use crate::lookup::LookupError as L;
        match e {
            L::TooMany { .. } | L::Csv { .. } => WebError::BadRequest(e.to_string()),
            L::Search(e) => WebError::Search(e),
            L::Db(e) => WebError::Db(e),
            L::Task(e) => WebError::Task(e),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// Its reason phrase.
    pub reason: &'a str,
    /// What to tell the user.
    pub message: &'a str,
    /// A search to offer (what the user was looking for), possibly empty.
    pub query: &'a str,
}

/// Renders an error page for `status` with `message` shown to the user.
pub fn error_page(status: StatusCode, message: &str, query: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("Error"),
        message,
        query,
    };
    let mut response = super::render::html(&page);
    *response.status_mut() = status;
    response
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %crate::chain::Chain(&self), "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => {
                    "The search index is not available yet. Try again in a moment.".to_string()
                }
                _ => "Something went wrong on our side. The details are in the server log."
                    .to_string(),
            }
        } else {
            self.to_string()
        };
        let mut response = error_page(status, &message, "");
        if let WebError::RangeNotSatisfiable(size) = self {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
        }
        response
    }
}
