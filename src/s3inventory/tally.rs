//! Counting inventory rows per wanted prefix: which prefixes a key falls under, and per prefix the count of
//! each encryption status with the first few keys of each, in the inventory's own order.

use std::collections::{BTreeMap, HashMap};

/// The values of S3 Inventory's `EncryptionStatus`, and `Other` for any value AWS adds later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    SseS3,
    SseKms,
    DsseKms,
    SseC,
    NotSse,
    Other,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::SseS3, Status::SseKms, Status::DsseKms, Status::SseC, Status::NotSse, Status::Other];

    pub fn parse(value: &[u8]) -> Status {
        match value {
            b"SSE-S3" => Status::SseS3,
            b"SSE-KMS" => Status::SseKms,
            b"DSSE-KMS" => Status::DsseKms,
            b"SSE-C" => Status::SseC,
            b"NOT-SSE" => Status::NotSse,
            _ => Status::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::SseS3 => "SSE-S3",
            Status::SseKms => "SSE-KMS",
            Status::DsseKms => "DSSE-KMS",
            Status::SseC => "SSE-C",
            Status::NotSse => "NOT-SSE",
            Status::Other => "other",
        }
    }

    /// Under a KMS key, whose id the inventory does not give.
    pub fn is_kms(self) -> bool {
        matches!(self, Status::SseKms | Status::DsseKms)
    }
}

/// Distinct unrecognised `EncryptionStatus` values a tally names; the rest are counted under one entry.
/// S3 documents five values: a report with many more is not one S3 wrote, and naming each would make the
/// report as large as the inventory.
pub const MAX_OTHER_VALUES: usize = 16;
/// The longest unrecognised value kept as written (longer ones are cut, with `…`).
pub const MAX_OTHER_VALUE_BYTES: usize = 64;
/// Where the values beyond `MAX_OTHER_VALUES` are counted.
pub const MORE_VALUES: &str = "(further values)";

/// How much a tally keeps beside its counts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Keys kept per status, as examples.
    pub examples: usize,
    /// SSE-KMS and DSSE-KMS keys kept for HeadObject to confirm their key.
    pub kms_sample: usize,
}

/// One prefix's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub rows: u64,
    pub counts: [u64; 6],
    /// The first keys of each status, in the inventory's order.
    pub examples: [Vec<String>; 6],
    /// The first SSE-KMS or DSSE-KMS keys.
    pub kms_sample: Vec<String>,
    /// Unrecognised `EncryptionStatus` values and their counts (empty values included, as "").
    pub other_values: BTreeMap<String, u64>,
}

impl Tally {
    #[inline]
    pub fn add(&mut self, key: &[u8], status: Status, raw_status: &[u8], limits: Limits) {
        let i = status as usize;
        self.rows += 1;
        self.counts[i] += 1;
        if self.examples[i].len() < limits.examples {
            self.examples[i].push(String::from_utf8_lossy(key).into_owned());
        }
        if status.is_kms() && self.kms_sample.len() < limits.kms_sample {
            self.kms_sample.push(String::from_utf8_lossy(key).into_owned());
        }
        if status == Status::Other {
            self.count_other(other_value(raw_status), 1);
        }
    }

    fn count_other(&mut self, value: String, n: u64) {
        let full =
            self.other_values.len() >= MAX_OTHER_VALUES + usize::from(self.other_values.contains_key(MORE_VALUES));
        let key = if full && !self.other_values.contains_key(&value) { MORE_VALUES.to_owned() } else { value };
        *self.other_values.entry(key).or_default() += n;
    }

    /// Adds a later file's tally: counts sum, kept keys stay the first ones in file order.
    pub fn merge(&mut self, later: Tally, limits: Limits) {
        self.rows += later.rows;
        for (i, examples) in later.examples.into_iter().enumerate() {
            self.counts[i] += later.counts[i];
            let room = limits.examples.saturating_sub(self.examples[i].len());
            self.examples[i].extend(examples.into_iter().take(room));
        }
        let room = limits.kms_sample.saturating_sub(self.kms_sample.len());
        self.kms_sample.extend(later.kms_sample.into_iter().take(room));
        for (value, n) in later.other_values {
            self.count_other(value, n);
        }
    }

    pub fn count(&self, status: Status) -> u64 {
        self.counts[status as usize]
    }
}

/// An unrecognised status as kept: at most `MAX_OTHER_VALUE_BYTES`, cut at a character boundary.
fn other_value(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if text.len() <= MAX_OTHER_VALUE_BYTES {
        return text.into_owned();
    }
    let mut end = MAX_OTHER_VALUE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Prefixes of one length, to their index.
type ByKey = HashMap<Box<[u8]>, usize>;

/// The wanted prefixes of one bucket, found for a key with one hash look-up per distinct prefix length
/// (a bucket may hold thousands of job folders, all of one length).
#[derive(Debug, Clone, Default)]
pub struct PrefixSet {
    prefixes: Vec<String>,
    by_length: Vec<(usize, ByKey)>,
}

impl PrefixSet {
    pub fn new(prefixes: Vec<String>) -> PrefixSet {
        let mut lengths: BTreeMap<usize, ByKey> = BTreeMap::new();
        for (i, p) in prefixes.iter().enumerate() {
            lengths.entry(p.len()).or_default().insert(p.as_bytes().into(), i);
        }
        PrefixSet { prefixes, by_length: lengths.into_iter().collect() }
    }

    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    pub fn len(&self) -> usize {
        self.prefixes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// Calls `each` with the index of every prefix the key starts with.
    #[inline]
    pub fn matching(&self, key: &[u8], mut each: impl FnMut(usize)) {
        for (len, map) in &self.by_length {
            if *len > key.len() {
                break;
            }
            if let Some(&i) = map.get(&key[..*len]) {
                each(i);
            }
        }
    }
}

/// Decodes a CSV inventory key (URL-encoded, a space as `+`) into `out`; keys with neither `%` nor `+` are
/// used as they are. Invalid escapes are kept literally, as S3 never writes them.
#[inline]
pub fn decode_key<'a>(raw: &'a [u8], out: &'a mut Vec<u8>) -> &'a [u8] {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return raw;
    }
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { examples: 2, kms_sample: 3 };

    #[test]
    fn keys_decode_as_s3_inventory_encodes_them() {
        let mut buf = Vec::new();
        assert_eq!(decode_key(b"docs/a.txt", &mut buf), b"docs/a.txt");
        assert_eq!(decode_key(b"docs/my+file%2B1.txt", &mut buf), b"docs/my file+1.txt");
        assert_eq!(decode_key(b"caf%C3%A9/%E2%82%AC", &mut buf), "café/€".as_bytes());
        assert_eq!(decode_key(b"odd%zz%", &mut buf), b"odd%zz%");
        assert_eq!(decode_key(b"end%4", &mut buf), b"end%4");
    }

    #[test]
    fn a_key_counts_for_every_prefix_it_is_under() {
        let set = PrefixSet::new(vec!["docs/".into(), "docs/fr/".into(), "out/1/".into(), "".into()]);
        let mut hits = Vec::new();
        set.matching(b"docs/fr/a.txt", |i| hits.push(i));
        hits.sort();
        assert_eq!(hits, [0, 1, 3]);
        hits.clear();
        set.matching(b"out/12/a", |i| hits.push(i));
        assert_eq!(hits, [3]);
        hits.clear();
        set.matching(b"doc", |i| hits.push(i));
        assert_eq!(hits, [3]);
    }

    #[test]
    fn merged_tallies_keep_the_first_keys_in_file_order() {
        let mut first = Tally::default();
        first.add(b"a", Status::SseKms, b"SSE-KMS", LIMITS);
        first.add(b"b", Status::NotSse, b"NOT-SSE", LIMITS);
        let mut second = Tally::default();
        for k in ["c", "d", "e"] {
            second.add(k.as_bytes(), Status::SseKms, b"SSE-KMS", LIMITS);
        }
        second.add(b"f", Status::Other, b"SSE-FUTURE", LIMITS);
        first.merge(second, LIMITS);
        assert_eq!(first.rows, 6);
        assert_eq!(first.count(Status::SseKms), 4);
        assert_eq!(first.examples[Status::SseKms as usize], ["a", "c"]);
        assert_eq!(first.kms_sample, ["a", "c", "d"]);
        assert_eq!(first.other_values.get("SSE-FUTURE"), Some(&1));
    }
}
