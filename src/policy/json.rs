//! A small JSON reader that keeps the line and column of every value, which serde_json cannot.
//!
//! Policy findings must point at the statement or element at fault (the linter and SARIF need it), so
//! documents are read into this spanned tree first. It never panics and bounds nesting depth, because it
//! reads whatever a user, an API or a fuzzer hands it.

use std::fmt;

pub use crate::vocab::Pos;

/// A JSON value with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub pos: Pos,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// Numbers keep their source text: condition values compare as text or parse per operator.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in source order; duplicate keys are rejected while reading.
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_pos: Pos,
    pub value: Value,
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member with exactly this key.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

/// Deeper documents are not policies; the bound keeps recursion off the end of the stack.
const MAX_DEPTH: usize = 64;

/// Reads one JSON value (RFC 8259) from `text`, rejecting trailing content and duplicate object keys.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader { bytes: text.as_bytes(), at: 0, line: 1, line_start: 0, continuation_bytes: 0 };
    // A UTF-8 byte order mark is common in files saved by Windows editors.
    if r.bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.at = 3;
        r.line_start = 3;
    }
    r.skip_ws();
    let value = r.value(0)?;
    r.skip_ws();
    if r.at < r.bytes.len() {
        return Err(r.error("unexpected content after the JSON value"));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
    /// UTF-8 continuation bytes seen since `line_start`, so columns count characters.
    continuation_bytes: usize,
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        let bytes_in = self.at.saturating_sub(self.line_start);
        Pos { line: self.line, column: (bytes_in - self.continuation_bytes.min(bytes_in) + 1) as u32 }
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError { pos: self.pos(), message: message.into() }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.line_start = self.at;
                    self.continuation_bytes = 0;
                }
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let pos = self.pos();
        let kind = match self.bytes.get(self.at) {
            None => return Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(_) => {
                return Err(self.error(format!("unexpected {}, expected a value", self.describe())));
            }
        };
        Ok(Value { pos, kind })
    }

    fn describe(&self) -> String {
        match self.bytes.get(self.at) {
            None => "end of input".into(),
            Some(&b) if b.is_ascii_graphic() => format!("'{}'", b as char),
            Some(&b) => format!("byte 0x{b:02x}"),
        }
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("unexpected {}, expected a value", self.describe())))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.at += 1;
        let mut members: Vec<Member> = Vec::new();
        // Past a few members, keys are looked up in an index: a linear search per key made an object of
        // 200,000 keys take minutes.
        let mut index: Option<std::collections::HashMap<String, usize>> = None;
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.error(format!("expected a string key, found {}", self.describe())));
            }
            let key_pos = self.pos();
            let key = self.string()?;
            let seen = match &mut index {
                Some(index) => index.get(&key).map(|&i| &members[i]),
                None => members.iter().find(|m| m.key == key),
            };
            if let Some(first) = seen {
                return Err(JsonError {
                    pos: key_pos,
                    message: format!(
                        "duplicate key \"{key}\" (first at {}); JSON readers disagree on which one wins",
                        first.key_pos
                    ),
                });
            }
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.error(format!("expected ':' after a key, found {}", self.describe())));
            }
            self.at += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            if let Some(index) = &mut index {
                index.insert(key.clone(), members.len());
            } else if members.len() >= 16 {
                let mut built: std::collections::HashMap<String, usize> =
                    members.iter().enumerate().map(|(i, m)| (m.key.clone(), i)).collect();
                built.insert(key.clone(), members.len());
                index = Some(built);
            }
            members.push(Member { key, key_pos, value });
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Kind::Object(members));
                }
                _ => {
                    return Err(self.error(format!("expected ',' or '}}', found {}", self.describe())));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Kind::Array(items));
                }
                _ => {
                    return Err(self.error(format!("expected ',' or ']', found {}", self.describe())));
                }
            }
        }
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        let b = self.bytes;
        if b.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match b.get(self.at) {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                while matches!(b.get(self.at), Some(b'0'..=b'9')) {
                    self.at += 1;
                }
            }
            _ => return Err(self.error("invalid number: expected a digit")),
        }
        if b.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !matches!(b.get(self.at), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected a digit after '.'"));
            }
            while matches!(b.get(self.at), Some(b'0'..=b'9')) {
                self.at += 1;
            }
        }
        if matches!(b.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(b.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !matches!(b.get(self.at), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected a digit in the exponent"));
            }
            while matches!(b.get(self.at), Some(b'0'..=b'9')) {
                self.at += 1;
            }
        }
        // Only ASCII digits and signs were consumed, so this slice is valid UTF-8.
        Ok(String::from_utf8_lossy(&b[start..self.at]).into_owned())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the longest run of plain bytes at once: most policy strings have no escapes.
            let run_start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                if b & 0xC0 == 0x80 {
                    self.continuation_bytes += 1;
                }
                self.at += 1;
            }
            if self.at > run_start {
                match std::str::from_utf8(&self.bytes[run_start..self.at]) {
                    Ok(s) => out.push_str(s),
                    Err(_) => return Err(self.error("invalid UTF-8 in a string")),
                }
            }
            match self.bytes.get(self.at) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character in a string: escape it")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.bytes.get(self.at) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if self.bytes.get(self.at) != Some(&b'\\') || self.bytes.get(self.at + 1) != Some(&b'u') {
                        return Err(self.error("unpaired surrogate in a \\u escape"));
                    }
                    self.at += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("invalid low surrogate in a \\u escape"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                match char::from_u32(code) {
                    Some(c) => out.push(c),
                    None => return Err(self.error("invalid \\u escape")),
                }
                return Ok(());
            }
            _ => {
                return Err(self.error(format!("invalid escape \\{}", self.describe().trim_matches('\''))));
            }
        };
        self.at += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.bytes.get(self.at) {
                Some(&b @ b'0'..=b'9') => b - b'0',
                Some(&b @ b'a'..=b'f') => b - b'a' + 10,
                Some(&b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("expected four hex digits in a \\u escape")),
            };
            v = v * 16 + u32::from(d);
            self.at += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let v = parse("{\n  \"é\": \"ü\",\n  \"b\": [1, true]\n}").unwrap();
        let members = v.as_object().unwrap();
        assert_eq!(members[0].key_pos, Pos { line: 2, column: 3 });
        assert_eq!(members[0].value.pos, Pos { line: 2, column: 8 });
        assert_eq!(members[1].key_pos, Pos { line: 3, column: 3 });
        let Kind::Array(items) = &members[1].value.kind else { panic!() };
        assert_eq!(items[1].pos, Pos { line: 3, column: 12 });
    }

    #[test]
    fn escapes_and_surrogates_decode() {
        let v = parse(r#""a\"b\\c\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\cé😀\n"));
    }

    #[test]
    fn rejects_bad_input_with_position() {
        let cases = [
            ("{\"a\": }", 1, 7, "expected a value"),
            ("{\"a\": 1,\n \"a\": 2}", 2, 2, "duplicate key"),
            ("[1, 2", 1, 6, "expected ',' or ']'"),
            ("{\"a\" 1}", 1, 6, "expected ':'"),
            ("\"abc", 1, 5, "unterminated"),
            ("01", 1, 2, "unexpected content"),
            ("-", 1, 2, "expected a digit"),
            ("\"\\ud800\"", 1, 8, "unpaired surrogate"),
            ("{} {}", 1, 4, "unexpected content"),
            ("", 1, 1, "unexpected end"),
        ];
        for (text, line, column, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!((err.pos.line, err.pos.column), (line, column), "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).unwrap_err().message.contains("nesting"));
    }

    #[test]
    fn numbers_keep_their_text() {
        let v = parse("[0, -1.5e3, 12]").unwrap();
        let Kind::Array(items) = v.kind else { panic!() };
        assert_eq!(items[1].kind, Kind::Number("-1.5e3".into()));
    }

    #[test]
    fn duplicate_keys_are_found_in_large_objects_too() {
        // Past 16 members the lookup is indexed: a duplicate far from its first is still found, with both places.
        let members: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{},\n \"k3\": 0}}", members.join(", "));
        let e = parse(&text).unwrap_err();
        assert!(e.message.starts_with("duplicate key \"k3\" (first at 1:"), "{}", e.message);
        assert_eq!(e.pos.line, 2);
        let many: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\": {i}")).collect();
        let Kind::Object(ms) = parse(&format!("{{{}}}", many.join(","))).unwrap().kind else { panic!() };
        assert_eq!(ms.len(), 50_000);
    }
}
