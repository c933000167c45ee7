//! How an error is printed with its causes: the message, then each cause once.
//!
//! The crate's errors follow one rule: a variant that wraps a cause returns it from
//! `source()` and leaves it out of its own message, so every printer (`main`, the logs, the
//! home page) prints the chain through [`Chain`] and each cause appears once. A cause whose
//! text the message before it already ends with (a foreign error that repeats its own
//! source) is skipped. Owns nothing else.

use std::error::Error;
use std::fmt;

/// An error and its causes, `message: cause: cause`, each once.
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut written = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !text.is_empty() && !written.ends_with(&text) {
                written.push_str(": ");
                written.push_str(&text);
            }
            cause = c.source();
        }
        f.write_str(&written)
    }
}

/// The error and its causes as one line (see [`Chain`]).
pub fn chain(error: &(dyn Error + 'static)) -> String {
    Chain(error).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer {0}")]
    struct Outer(&'static str, #[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("repeats: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn each_cause_once() {
        let e = Outer("x", Inner(std::io::Error::other("disk full")));
        assert_eq!(chain(&e), "outer x: inner: disk full");
        // A foreign error that prints its cause and also returns it: not twice.
        let e = Repeats(std::io::Error::other("disk full"));
        assert_eq!(chain(&e), "repeats: disk full");
    }
}
