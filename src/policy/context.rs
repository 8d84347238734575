//! The request context: which condition keys a request carries, with what values, and which it is known
//! not to carry.

use std::borrow::Cow;

/// What a request context knows of one condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The request carries the key with these values.
    Present(&'a [String]),
    /// The request is known not to carry the key: AWS's absent-key rules decide.
    Absent,
    /// The key may be present with any value, or absent: nothing on it can be decided.
    Unknown,
}

/// The request context: condition keys that are present with their values, keys known to be absent,
/// and (unless the context is closed) every other key unknown.
///
/// A handful of keys per request, so a list scanned case-insensitively beats a hash map: no lowering,
/// no allocation on lookups, and keys given as literals are never copied.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `None` marks a key known to be absent.
    entries: Vec<(Cow<'static, str>, Option<Vec<String>>)>,
    closed: bool,
}

impl Context {
    /// A context in which keys it does not hold are unknown.
    pub fn open() -> Context {
        Context::default()
    }

    /// Keys not held are absent from the request.
    pub fn closed(mut self) -> Context {
        self.closed = true;
        self
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn with<I, S>(mut self, key: impl Into<Cow<'static, str>>, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.insert(key, values);
        self
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    fn set(&mut self, key: Cow<'static, str>, entry: Option<Vec<String>>) {
        match self.position(&key) {
            Some(i) => self.entries[i].1 = entry,
            None => self.entries.push((key, entry)),
        }
    }

    /// Sets a key's values, replacing what it had.
    pub fn insert<I, S>(&mut self, key: impl Into<Cow<'static, str>>, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set(key.into(), Some(values.into_iter().map(Into::into).collect()));
    }

    /// Says the request does not carry `key`, even in an open context.
    pub fn insert_absent(&mut self, key: impl Into<Cow<'static, str>>) {
        self.set(key.into(), None);
    }

    /// Forgets what the context said of `key`: in an open context it becomes unknown again.
    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    /// Adds one value to a key (a repeated `--context KEY=VALUE`).
    pub fn push(&mut self, key: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        let key = key.into();
        match self.position(&key) {
            Some(i) => self.entries[i].1.get_or_insert_with(Vec::new).push(value.into()),
            None => self.entries.push((key, Some(vec![value.into()]))),
        }
    }

    /// Sets a key only when the caller said nothing of it.
    pub fn insert_default(&mut self, key: &'static str, value: impl Into<String>) {
        if self.position(key).is_none() {
            self.entries.push((Cow::Borrowed(key), Some(vec![value.into()])));
        }
    }

    /// The values of a key that is present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        match self.lookup(key) {
            Lookup::Present(v) => Some(v),
            _ => None,
        }
    }

    pub fn lookup(&self, key: &str) -> Lookup<'_> {
        match self.entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some((_, Some(v))) => Lookup::Present(v),
            Some((_, None)) => Lookup::Absent,
            None if self.closed => Lookup::Absent,
            None => Lookup::Unknown,
        }
    }

    /// Whether the request is known not to carry `key`.
    pub fn is_absent(&self, key: &str) -> bool {
        self.lookup(key) == Lookup::Absent
    }

    /// The keys present, with their values, and the keys known to be absent (`None`), as set.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Option<&[String]>)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v.as_deref()))
    }
}
