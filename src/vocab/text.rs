//! Text from outside (server messages, endpoint URLs, resource names) made safe to print or store: no
//! credential, and no terminal control character.

use std::borrow::Cow;

/// What stands in for a removed credential.
pub const REDACTED: &str = "[redacted]";

/// `text` with credential-shaped values replaced by `[redacted]`: AWS access key ids (`AKIA…`, `ASIA…`
/// and the other 20-character key and principal id forms), long base64 runs such as session tokens and
/// signatures' secrets, and the user information of URLs (`https://user:pass@host`).
pub fn redact(text: &str) -> Cow<'_, str> {
    let without_userinfo = redact_userinfo(text);
    let tokens = replace_runs(&without_userinfo, |c| c.is_ascii_alphanumeric() || c == '+' || c == '/', is_token);
    let keys = replace_runs(&tokens, |c| c.is_ascii_alphanumeric(), is_key_id);
    if keys == text { Cow::Borrowed(text) } else { Cow::Owned(keys) }
}

/// `scheme://USERINFO@host` → `scheme://[redacted]@host`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest.find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            out.push_str(REDACTED);
            rest = &rest[at..];
        }
    }
    out.push_str(rest);
    out
}

/// `text` with each maximal run of `in_run` characters that `secret` says is one replaced.
fn replace_runs(text: &str, in_run: impl Fn(char) -> bool, secret: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, run: &str| out.push_str(if secret(run) { REDACTED } else { run });
    for (i, c) in text.char_indices() {
        match (in_run(c), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, &text[start..i]);
                run_start = None;
                out.push(c);
            }
            (false, None) => out.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = run_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// An access key id or unique id: four letters naming its kind, then 16 upper-case letters or digits.
fn is_key_id(run: &str) -> bool {
    const PREFIXES: [&str; 8] = ["AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "AIPA"];
    run.len() == 20
        && PREFIXES.iter().any(|p| run.starts_with(p))
        && run.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A session token or secret key: a base64 run of 40 or more with both cases and digits (ARNs, paths,
/// names and ids have separators, `:`, `-`, `.`, `_`, that end a run long before).
fn is_token(run: &str) -> bool {
    run.len() >= 40
        && run.bytes().any(|c| c.is_ascii_lowercase())
        && run.bytes().any(|c| c.is_ascii_uppercase())
        && run.bytes().any(|c| c.is_ascii_digit())
}

/// Characters that reorder the text around them (Unicode's bidirectional embeddings, overrides and
/// isolates, and the marks): `docs/\u{202e}txt.exe` shows as `…exe.txt`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters (ESC and the rest of C0, DEL, C1), bidirectional controls and the
/// noncharacters U+FFFE and U+FFFF shown as `\u{1b}` escapes, so that a resource name or a message cannot
/// move the cursor, clear the screen, retitle the terminal or show itself reordered. Newlines and tabs
/// stay.
pub fn printable(text: &str) -> Cow<'_, str> {
    let control = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_bidi_control(c)
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
    };
    if !text.chars().any(control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if control(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_and_names_are_not() {
        let echoed = "Header Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261202/us-east-1/s3/aws4_request, \
                      x-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6XaW8sQ2Kw0T5Lh3vZ";
        let r = redact(echoed);
        assert!(!r.contains("AKIAIOSFODNN7EXAMPLE") && !r.contains("IQoJb3JpZ2luX2VjEJr"), "{r}");
        assert!(r.contains("Credential=[redacted]/20261202/us-east-1/s3/aws4_request"), "{r}");
        assert_eq!(redact("http://user:pa55@127.0.0.1:4566/x"), "http://[redacted]@127.0.0.1:4566/x");
        for kept in [
            "arn:aws:kms:us-east-1:111122223333:key/1f0e1c2a-0000-4000-8000-000000000001",
            "s3://acme-translate-output/out/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/",
            "User: arn:aws:iam::111122223333:role/AmazonTranslateServiceRole is not authorized to perform: kms:DescribeKey",
            "https://kms.us-east-1.amazonaws.com/",
        ] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("bucket\u{1b}[2J"), "bucket\\u{1b}[2J");
        assert_eq!(printable("title\u{1b}]0;pwned\u{7}"), "title\\u{1b}]0;pwned\\u{7}");
        assert_eq!(printable("a\u{9b}b"), "a\\u{9b}b");
        assert_eq!(printable("two\nlines\tand é"), "two\nlines\tand é");
        assert_eq!(printable("docs/\u{202e}txt.exe"), "docs/\\u{202e}txt.exe");
        assert_eq!(printable("a\u{2066}b\u{fffe}"), "a\\u{2066}b\\u{fffe}");
    }
}
