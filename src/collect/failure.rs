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

    /// A failure of ours rather than of a call (a call that was not made, with the reason).
    pub fn note(message: impl Into<String>) -> Failure {
        Failure { code: None, message: message.into(), status: None, unreachable: false }
    }
}

pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> Failure
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
        SdkError::DispatchFailure(d) => Failure {
            code: None,
            message: DisplayErrorContext(err).to_string(),
            status: None,
            unreachable: d.is_io() || d.is_timeout(),
        },
        SdkError::TimeoutError(_) => {
            Failure { code: None, message: DisplayErrorContext(err).to_string(), status: None, unreachable: true }
        }
        SdkError::ResponseError(r) => Failure {
            code: None,
            message: DisplayErrorContext(err).to_string(),
            status: Some(r.raw().status().as_u16()),
            unreachable: false,
        },
        _ => Failure { code: None, message: DisplayErrorContext(err).to_string(), status: None, unreachable: false },
    }
}
