//! Condition operators and the request context they read, evaluated three-valued.
//!
//! Semantics follow the IAM User Guide, "IAM JSON policy elements: Condition operators" and "Single-valued
//! vs. multivalued context keys":
//! - keys are case-insensitive; values compare per operator (String… case-sensitive, …IgnoreCase not);
//! - several keys in a block, and several operators, are ANDed; several values of one key are ORed, and a
//!   negated operator (StringNotEquals, ArnNotLike, NotIpAddress, …) is the NOR of its values;
//! - a key the request lacks: `…IfExists` is true, `Null: true` is true, `ForAllValues:` is true, a negated
//!   operator is true; any other operator is false in AWS. atrest's context is *open* by default: a key it
//!   was not told about may still be present at run time, so those other operators leave the statement
//!   undecided instead. A *closed* context says "these are all the keys" and gets AWS's answer exactly.

use std::net::IpAddr;

use super::context::{Context, Lookup};
use super::json::Pos;
use super::matcher::{Mode, VarPattern};
use super::verdict::Verdict;
use crate::vocab::time::parse_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOperator {
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    IpAddress,
    /// ArnEquals and ArnLike behave the same: both take wildcards.
    Arn,
    Null,
    /// Not an operator AWS knows; the linter reports it, evaluation leaves it undecided.
    Unknown,
}

/// A parsed condition operator such as `ForAllValues:StringNotEqualsIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub set: Option<SetOperator>,
    pub family: Family,
    pub negated: bool,
    pub if_exists: bool,
}

/// Every base operator name AWS documents, with its family and whether it is negated.
pub const OPERATORS: &[(&str, Family, bool)] = &[
    ("StringEquals", Family::String, false),
    ("StringNotEquals", Family::String, true),
    ("StringEqualsIgnoreCase", Family::StringIgnoreCase, false),
    ("StringNotEqualsIgnoreCase", Family::StringIgnoreCase, true),
    ("StringLike", Family::StringLike, false),
    ("StringNotLike", Family::StringLike, true),
    ("NumericEquals", Family::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Family::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Family::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Family::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Family::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Family::Numeric(Cmp::Ge), false),
    ("DateEquals", Family::Date(Cmp::Eq), false),
    ("DateNotEquals", Family::Date(Cmp::Eq), true),
    ("DateLessThan", Family::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Family::Date(Cmp::Le), false),
    ("DateGreaterThan", Family::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Family::Date(Cmp::Ge), false),
    ("Bool", Family::Bool, false),
    ("BinaryEquals", Family::Binary, false),
    ("IpAddress", Family::IpAddress, false),
    ("NotIpAddress", Family::IpAddress, true),
    ("ArnEquals", Family::Arn, false),
    ("ArnLike", Family::Arn, false),
    ("ArnNotEquals", Family::Arn, true),
    ("ArnNotLike", Family::Arn, true),
    ("Null", Family::Null, false),
];

impl Operator {
    /// Parses an operator name; AWS spells them case-sensitively, and so does this.
    pub fn parse(name: &str) -> Operator {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetOperator::ForAnyValue), r)
        } else if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetOperator::ForAllValues), r)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let (family, negated) = OPERATORS
            .iter()
            .find(|(n, _, _)| *n == base)
            .map(|(_, f, neg)| (*f, *neg))
            .unwrap_or((Family::Unknown, false));
        // `NullIfExists` and set operators on Null are not operators AWS accepts.
        let family = if family == Family::Null && (if_exists || set.is_some()) { Family::Unknown } else { family };
        Operator { name: name.to_owned(), set, family, negated, if_exists }
    }
}

/// One (operator, key, values) triple of a statement's Condition block.
#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: Operator,
    pub operator_pos: Pos,
    /// The key as written.
    pub key: String,
    pub key_pos: Pos,
    pub values: Vec<String>,
    compiled: Vec<PolicyValue>,
}

#[derive(Debug, Clone)]
enum PolicyValue {
    Text(VarPattern),
    Number(Option<f64>),
    Date(Option<i64>),
    Bool(Option<bool>),
    Binary(Vec<u8>),
    Network(Option<(IpAddr, u8)>),
}

impl Condition {
    pub fn new(operator: Operator, operator_pos: Pos, key: String, key_pos: Pos, values: Vec<String>) -> Condition {
        let compiled = values
            .iter()
            .map(|v| match operator.family {
                Family::String | Family::StringIgnoreCase | Family::StringLike | Family::Unknown | Family::Null => {
                    PolicyValue::Text(VarPattern::new(v.clone(), Mode::Plain))
                }
                Family::Arn => PolicyValue::Text(VarPattern::new(v.clone(), Mode::Arn)),
                Family::Numeric(_) => PolicyValue::Number(parse_number(v)),
                Family::Date(_) => PolicyValue::Date(parse_date(v)),
                Family::Bool => PolicyValue::Bool(parse_bool(v)),
                Family::Binary => PolicyValue::Binary(decode_base64(v).unwrap_or_else(|| v.as_bytes().to_vec())),
                Family::IpAddress => PolicyValue::Network(parse_network(v)),
            })
            .collect();
        Condition { operator, operator_pos, key, key_pos, values, compiled }
    }

    pub fn evaluate(&self, ctx: &Context) -> Verdict {
        let op = &self.operator;
        if op.family == Family::Unknown {
            return Verdict::depends([self.key.clone()]);
        }
        let request_values = match ctx.lookup(&self.key) {
            Lookup::Present(v) => v,
            Lookup::Absent => return self.absent(),
            // The key may be there with any value, or not at all: whatever the operator (IfExists,
            // Null, ForAllValues and negated ones included), the condition is undecided.
            Lookup::Unknown => return Verdict::depends([self.key.clone()]),
        };
        if op.family == Family::Null {
            // Null: "true" asks that the key be absent, "false" that it be present.
            return Verdict::from_bool(self.values.iter().any(|v| parse_bool(v) == Some(false)));
        }
        let any_policy_value =
            |rv: &str| self.compiled.iter().fold(Verdict::No, |acc, pv| acc.or(self.match_one(rv, pv, ctx)));
        match op.set {
            None => {
                let matched = request_values.iter().fold(Verdict::No, |acc, rv| acc.or(any_policy_value(rv)));
                if op.negated { matched.not() } else { matched }
            }
            Some(SetOperator::ForAnyValue) => request_values.iter().fold(Verdict::No, |acc, rv| {
                let m = any_policy_value(rv);
                acc.or(if op.negated { m.not() } else { m })
            }),
            Some(SetOperator::ForAllValues) => request_values.iter().fold(Verdict::Yes, |acc, rv| {
                let m = any_policy_value(rv);
                acc.and(if op.negated { m.not() } else { m })
            }),
        }
    }

    /// AWS's answer when the request does not carry the key (IAM User Guide, "Condition operators":
    /// `…IfExists` and `Null: true` hold; "Single-valued vs. multivalued context keys": `ForAllValues:`
    /// holds on a missing key and `ForAnyValue:` does not; a negated operator holds when nothing matches).
    fn absent(&self) -> Verdict {
        let op = &self.operator;
        if op.family == Family::Null {
            return Verdict::from_bool(self.values.iter().any(|v| parse_bool(v) == Some(true)));
        }
        Verdict::from_bool(
            op.if_exists || op.set == Some(SetOperator::ForAllValues) || (op.negated && op.set.is_none()),
        )
    }

    fn match_one(&self, request: &str, policy: &PolicyValue, ctx: &Context) -> Verdict {
        match (self.operator.family, policy) {
            (Family::String, PolicyValue::Text(p)) => match p.resolve(ctx) {
                Ok(s) => Verdict::from_bool(s == request),
                Err(v) => v,
            },
            (Family::StringIgnoreCase, PolicyValue::Text(p)) => match p.resolve(ctx) {
                Ok(s) => Verdict::from_bool(s.to_lowercase() == request.to_lowercase()),
                Err(v) => v,
            },
            (Family::StringLike | Family::Arn, PolicyValue::Text(p)) => p.matches(request, ctx),
            (Family::Numeric(cmp), PolicyValue::Number(p)) => {
                Verdict::from_bool(matches!((parse_number(request), p), (Some(r), Some(p)) if cmp.holds(r, *p)))
            }
            (Family::Date(cmp), PolicyValue::Date(p)) => {
                Verdict::from_bool(matches!((parse_date(request), p), (Some(r), Some(p)) if cmp.holds(r, *p)))
            }
            (Family::Bool, PolicyValue::Bool(p)) => {
                Verdict::from_bool(matches!((parse_bool(request), p), (Some(r), Some(p)) if r == *p))
            }
            (Family::Binary, PolicyValue::Binary(p)) => {
                let r = decode_base64(request).unwrap_or_else(|| request.as_bytes().to_vec());
                Verdict::from_bool(&r == p)
            }
            (Family::IpAddress, PolicyValue::Network(Some((net, prefix)))) => {
                Verdict::from_bool(request.parse::<IpAddr>().is_ok_and(|ip| in_network(ip, *net, *prefix)))
            }
            _ => Verdict::No,
        }
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_network(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = match s.trim().split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (s.trim(), None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some((ip, prefix))
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Standard base64 with optional padding; None when the text is not base64.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition::new(
            Operator::parse(op),
            Pos::default(),
            key.into(),
            Pos::default(),
            values.iter().map(|s| s.to_string()).collect(),
        )
    }

    fn eval(op: &str, key: &str, values: &[&str], ctx: &Context) -> Verdict {
        cond(op, key, values).evaluate(ctx)
    }

    const Y: Verdict = Verdict::Yes;
    const N: Verdict = Verdict::No;

    fn dep(k: &str) -> Verdict {
        Verdict::depends([k])
    }

    #[test]
    fn string_family() {
        let ctx = Context::open().with("aws:SourceAccount", ["111122223333"]);
        assert_eq!(eval("StringEquals", "aws:sourceaccount", &["111122223333"], &ctx), Y);
        assert_eq!(eval("StringEquals", "aws:SourceAccount", &["1", "111122223333"], &ctx), Y);
        assert_eq!(eval("StringEquals", "aws:SourceAccount", &["444455556666"], &ctx), N);
        assert_eq!(eval("StringNotEquals", "aws:SourceAccount", &["1", "111122223333"], &ctx), N);
        assert_eq!(eval("StringNotEquals", "aws:SourceAccount", &["1", "2"], &ctx), Y);
        let ctx = Context::open().with("s3:prefix", ["Home/Alice"]);
        assert_eq!(eval("StringEquals", "s3:prefix", &["home/alice"], &ctx), N);
        assert_eq!(eval("StringEqualsIgnoreCase", "s3:prefix", &["home/alice"], &ctx), Y);
        assert_eq!(eval("StringNotEqualsIgnoreCase", "s3:prefix", &["home/alice"], &ctx), N);
        assert_eq!(eval("StringLike", "s3:prefix", &["Home/*"], &ctx), Y);
        assert_eq!(eval("StringLike", "s3:prefix", &["home/*"], &ctx), N);
        assert_eq!(eval("StringNotLike", "s3:prefix", &["Home/?lice"], &ctx), N);
    }

    #[test]
    fn numeric_family() {
        let ctx = Context::open().with("s3:max-keys", ["10"]);
        assert_eq!(eval("NumericEquals", "s3:max-keys", &["10.0"], &ctx), Y);
        assert_eq!(eval("NumericNotEquals", "s3:max-keys", &["10"], &ctx), N);
        assert_eq!(eval("NumericLessThan", "s3:max-keys", &["11"], &ctx), Y);
        assert_eq!(eval("NumericLessThan", "s3:max-keys", &["10"], &ctx), N);
        assert_eq!(eval("NumericLessThanEquals", "s3:max-keys", &["10"], &ctx), Y);
        assert_eq!(eval("NumericGreaterThan", "s3:max-keys", &["9"], &ctx), Y);
        assert_eq!(eval("NumericGreaterThanEquals", "s3:max-keys", &["11"], &ctx), N);
        assert_eq!(eval("NumericEquals", "s3:max-keys", &["ten"], &ctx), N);
    }

    #[test]
    fn date_family() {
        let ctx = Context::open().with("aws:CurrentTime", ["2026-11-29T10:00:00Z"]);
        assert_eq!(eval("DateLessThan", "aws:CurrentTime", &["2026-12-01"], &ctx), Y);
        assert_eq!(eval("DateGreaterThan", "aws:CurrentTime", &["2026-12-01T00:00:00+02:00"], &ctx), N);
        assert_eq!(eval("DateEquals", "aws:CurrentTime", &["1795946400"], &ctx), Y);
        assert_eq!(eval("DateNotEquals", "aws:CurrentTime", &["2026-11-29T11:00:00+01:00"], &ctx), N);
        assert_eq!(eval("DateGreaterThanEquals", "aws:CurrentTime", &["2026-11-29T10:00:00.000Z"], &ctx), Y);
        assert_eq!(eval("DateLessThanEquals", "aws:CurrentTime", &["not a date"], &ctx), N);
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("1970-01-01T00:00:01.5Z"), Some(1500));
    }

    #[test]
    fn bool_binary_ip_arn() {
        let ctx = Context::open()
            .with("aws:SecureTransport", ["TRUE"])
            .with("aws:SourceIp", ["203.0.113.7"])
            .with("aws:SourceArn", ["arn:aws:translate:us-east-1:111122223333:job/x"])
            .with("k:bin", ["AQID"]);
        assert_eq!(eval("Bool", "aws:SecureTransport", &["true"], &ctx), Y);
        assert_eq!(eval("Bool", "aws:SecureTransport", &["false"], &ctx), N);
        assert_eq!(eval("BinaryEquals", "k:bin", &["AQID"], &ctx), Y);
        assert_eq!(eval("BinaryEquals", "k:bin", &["AQIE"], &ctx), N);
        assert_eq!(eval("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], &ctx), Y);
        assert_eq!(eval("IpAddress", "aws:SourceIp", &["198.51.100.0/24", "203.0.113.7"], &ctx), Y);
        assert_eq!(eval("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"], &ctx), N);
        assert_eq!(eval("IpAddress", "aws:SourceIp", &["2001:db8::/32"], &ctx), N);
        let v6 = Context::open().with("aws:SourceIp", ["2001:db8::1"]);
        assert_eq!(eval("IpAddress", "aws:SourceIp", &["2001:db8::/32"], &v6), Y);
        assert_eq!(eval("ArnLike", "aws:SourceArn", &["arn:aws:translate:*:111122223333:*"], &ctx), Y);
        assert_eq!(eval("ArnEquals", "aws:SourceArn", &["arn:aws:translate:*:444455556666:*"], &ctx), N);
        assert_eq!(eval("ArnNotLike", "aws:SourceArn", &["arn:aws:translate:*:111122223333:*"], &ctx), N);
        assert_eq!(eval("ArnNotEquals", "aws:SourceArn", &["arn:aws:s3:::x"], &ctx), Y);
    }

    #[test]
    fn unknown_keys_leave_every_operator_undecided() {
        // Open context: the key may be present with any value, or absent. No operator decides.
        let ctx = Context::open();
        for (op, key) in [
            ("StringNotEqualsIfExists", "aws:SourceAccount"),
            ("StringEqualsIfExists", "aws:SourceAccount"),
            ("StringNotEquals", "aws:SourceAccount"),
            ("StringEquals", "aws:SourceAccount"),
            ("NotIpAddress", "aws:SourceIp"),
            ("ArnNotLike", "aws:SourceArn"),
            ("ForAllValues:StringEquals", "aws:TagKeys"),
            ("ForAnyValue:StringEquals", "aws:TagKeys"),
            ("ForAnyValue:StringNotEquals", "aws:TagKeys"),
        ] {
            assert_eq!(eval(op, key, &["1"], &ctx), dep(key), "{op}");
        }
        assert_eq!(eval("Null", "aws:SourceAccount", &["true"], &ctx), dep("aws:SourceAccount"));
        assert_eq!(eval("Null", "aws:SourceAccount", &["false"], &ctx), dep("aws:SourceAccount"));
    }

    #[test]
    fn absent_keys_get_aws_rules() {
        // Known absent, in an open context or by closing it: AWS's own answers.
        let mut known = Context::open();
        known.insert_absent("aws:SourceAccount");
        known.insert_absent("aws:TagKeys");
        known.insert_absent("aws:SourceIp");
        for ctx in [known, Context::open().closed()] {
            assert_eq!(eval("StringNotEqualsIfExists", "aws:SourceAccount", &["1"], &ctx), Y);
            assert_eq!(eval("StringEqualsIfExists", "aws:SourceAccount", &["1"], &ctx), Y);
            assert_eq!(eval("StringNotEquals", "aws:SourceAccount", &["1"], &ctx), Y);
            assert_eq!(eval("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], &ctx), Y);
            assert_eq!(eval("Null", "aws:SourceAccount", &["true"], &ctx), Y);
            assert_eq!(eval("Null", "aws:SourceAccount", &["false"], &ctx), N);
            assert_eq!(eval("ForAllValues:StringEquals", "aws:TagKeys", &["a"], &ctx), Y);
            assert_eq!(eval("StringEquals", "aws:SourceAccount", &["1"], &ctx), N);
            assert_eq!(eval("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], &ctx), N);
            assert_eq!(eval("ForAnyValue:StringNotEquals", "aws:TagKeys", &["a"], &ctx), N);
        }
        // A key said present in a closed context keeps its values; one said absent stays absent.
        let mut ctx = Context::open().with("aws:SourceAccount", ["1"]);
        assert_eq!(ctx.lookup("AWS:sourceaccount"), Lookup::Present(&["1".to_string()]));
        ctx.insert_absent("aws:SourceAccount");
        assert_eq!(ctx.lookup("aws:SourceAccount"), Lookup::Absent);
        ctx.remove("aws:SourceAccount");
        assert_eq!(ctx.lookup("aws:SourceAccount"), Lookup::Unknown);
        // Present keys.
        let ctx = Context::open().with("aws:SourceAccount", ["1"]);
        assert_eq!(eval("Null", "aws:SourceAccount", &["true"], &ctx), N);
        assert_eq!(eval("Null", "aws:SourceAccount", &["false"], &ctx), Y);
        assert_eq!(eval("StringNotEqualsIfExists", "aws:SourceAccount", &["1"], &ctx), N);
    }

    #[test]
    fn set_operators() {
        let ctx = Context::open().with("aws:TagKeys", ["a", "b"]);
        assert_eq!(eval("ForAllValues:StringEquals", "aws:TagKeys", &["a", "b", "c"], &ctx), Y);
        assert_eq!(eval("ForAllValues:StringEquals", "aws:TagKeys", &["a"], &ctx), N);
        assert_eq!(eval("ForAnyValue:StringEquals", "aws:TagKeys", &["b"], &ctx), Y);
        assert_eq!(eval("ForAnyValue:StringEquals", "aws:TagKeys", &["c"], &ctx), N);
        assert_eq!(eval("ForAnyValue:StringNotEquals", "aws:TagKeys", &["a"], &ctx), Y);
        assert_eq!(eval("ForAllValues:StringNotEquals", "aws:TagKeys", &["a"], &ctx), N);
        assert_eq!(eval("ForAllValues:StringNotEquals", "aws:TagKeys", &["c"], &ctx), Y);
        // An empty set: ForAllValues holds vacuously, ForAnyValue cannot.
        let empty = Context::open().with("aws:TagKeys", Vec::<String>::new());
        assert_eq!(eval("ForAllValues:StringEquals", "aws:TagKeys", &["a"], &empty), Y);
        assert_eq!(eval("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], &empty), N);
    }

    #[test]
    fn variables_in_values() {
        let ctx = Context::open().with("aws:username", ["alice"]).with("s3:prefix", ["home/alice/"]);
        assert_eq!(eval("StringLike", "s3:prefix", &["home/${aws:username}/*"], &ctx), Y);
        assert_eq!(eval("StringEquals", "s3:prefix", &["home/${aws:username}/"], &ctx), Y);
        let other = Context::open().with("s3:prefix", ["home/alice/"]);
        assert_eq!(eval("StringLike", "s3:prefix", &["home/${aws:username}/*"], &other), dep("aws:username"));
    }

    #[test]
    fn unknown_operators_stay_undecided() {
        let ctx = Context::open().with("aws:SourceAccount", ["1"]);
        assert_eq!(eval("StringEqual", "aws:SourceAccount", &["1"], &ctx), dep("aws:SourceAccount"));
        assert_eq!(Operator::parse("NullIfExists").family, Family::Unknown);
        let op = Operator::parse("ForAllValues:ArnNotLikeIfExists");
        assert_eq!(
            (op.set, op.family, op.negated, op.if_exists),
            (Some(SetOperator::ForAllValues), Family::Arn, true, true)
        );
    }
}
