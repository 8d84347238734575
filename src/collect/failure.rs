//! What a failed SDK call means to the collection: its error code and message, and whether the endpoint
//! could be reached at all.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Debug, Clone)]
pub struct Failure {
    pub code: Option<String>,
    pub message: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// No answer: connection refused, DNS, timeout.
    pub unreachable: bool,
}

impl Failure {
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// What the service said: "CODE: message", or the message alone when there is no code.
    pub fn said(&self) -> String {
        match &self.code {
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// A failure of ours rather than of a call (a call that was not made, with the reason).
    pub fn note(message: impl Into<String>) -> Failure {
        Failure { code: None, message: message.into(), status: None, unreachable: false }
    }
}

pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // A server may echo the request (its signature's access key id, the session token) into its message,
    // which atrest prints and stores in snapshots.
    let failure = classify(err);
    Failure { message: crate::vocab::text::redact(&failure.message).into_owned(), ..failure }
}

fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().map(str::to_owned);
            // S3 answers HEAD requests without a body, and some denials carry no code: the status is all there is.
            let message = se.err().message().map(str::to_owned).unwrap_or_else(|| match &code {
                Some(c) => format!("HTTP {status} {c}"),
                None => format!("HTTP {status} without an error code"),
            });
            Failure { code, message, status: Some(status), unreachable: false }
        }
        SdkError::DispatchFailure(d) => {
            Failure { code: None, message: chain(err), status: None, unreachable: d.is_io() || d.is_timeout() }
        }
        SdkError::TimeoutError(_) => Failure { code: None, message: chain(err), status: None, unreachable: true },
        SdkError::ResponseError(r) => Failure {
            code: None,
            message: DisplayErrorContext(err).to_string(),
            status: Some(r.raw().status().as_u16()),
            unreachable: false,
        },
        _ => Failure { code: None, message: DisplayErrorContext(err).to_string(), status: None, unreachable: false },
    }
}

/// An error and its causes as one line of their messages (`DisplayErrorContext` adds a Debug dump, which
/// is noise in a message meant for people).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // Wrappers often repeat their cause's message; keep each once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::chain;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn causes_are_joined_once_each() {
        let e = E("dispatch failure", Some(Box::new(E("io error", Some(Box::new(E("io error", None)))))));
        assert_eq!(chain(&e), "dispatch failure: io error");
    }
}
