//! Wildcard matching of actions, resource ARNs and `…Like` condition values, with policy variables.
//!
//! AWS facts encoded here (IAM User Guide, "IAM JSON policy elements: Resource" and "Action"):
//! - Action names match case-insensitively; `*` is any run of characters and `?` any one character.
//! - Resource ARNs match case-sensitively. Wildcards work within the segments of an ARN (the parts
//!   separated by colons); a `*` that is the last character of a segment "can expand to match beyond the
//!   colon boundaries", so `arn:aws:kms:*` matches every KMS ARN while `arn:aws:s3:::a*b` does not match
//!   `arn:aws:s3:::a:b`. A wildcard is not allowed in the service segment: such a pattern matches nothing.
//! - Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`) are replaced by the request
//!   context's value; `${*}`, `${?}` and `${$}` stand for the literal characters.

use super::context::{Context, Lookup};
use super::json::Pos;
use super::verdict::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Char(char),
    /// `?`
    One,
    /// `*`; `span` when it may cross colons.
    Star {
        span: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain text (actions, `StringLike`): every `*` spans everything, `?` is any character.
    Plain,
    /// ARNs (`Resource`, `ArnLike`): segment rules above.
    Arn,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    toks: Vec<Tok>,
    shape: Shape,
    /// ARN mode: `?` does not match a colon.
    colon_stop: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Everything,
    Nothing,
    Exact(String),
    Prefix(String),
    /// Every star spans, so greedy matching with one backtrack point is exact.
    UniformStars,
    /// Some stars stop at colons: simulate the automaton.
    Mixed,
}

impl Glob {
    pub fn new(pattern: &str, mode: Mode) -> Glob {
        Glob::from_string(pattern.to_owned(), mode)
    }

    /// As `new`, keeping the string itself for the literal shapes instead of copying it.
    pub fn from_string(pattern: String, mode: Mode) -> Glob {
        let colon_stop = mode == Mode::Arn;
        // Most patterns are literal or end in their only `*`: no tokens needed for those.
        match pattern.find(['*', '?']) {
            None => return Glob { toks: Vec::new(), shape: Shape::Exact(pattern), colon_stop },
            Some(i) if i + 1 == pattern.len() && pattern.ends_with('*') => {
                let head = &pattern[..i];
                let service_wildcard = mode == Mode::Arn && head.matches(':').count() == 2;
                if !service_wildcard {
                    let shape = if head.is_empty() {
                        Shape::Everything
                    } else {
                        let mut head = pattern;
                        head.truncate(i);
                        Shape::Prefix(head)
                    };
                    return Glob { toks: Vec::new(), shape, colon_stop };
                }
            }
            Some(_) => {}
        }
        let mut toks: Vec<Tok> = Vec::with_capacity(pattern.len());
        for c in pattern.chars() {
            toks.push(match c {
                '*' => Tok::Star { span: true },
                '?' => Tok::One,
                c => Tok::Char(c),
            });
        }
        Glob::from_toks(toks, mode)
    }

    fn from_toks(mut toks: Vec<Tok>, mode: Mode) -> Glob {
        if mode == Mode::Arn {
            if arn_service_has_wildcard(&toks) {
                return Glob { toks: Vec::new(), shape: Shape::Nothing, colon_stop: true };
            }
            for i in 0..toks.len() {
                if let Tok::Star { .. } = toks[i] {
                    let at_segment_end = matches!(toks.get(i + 1), None | Some(Tok::Char(':')));
                    toks[i] = Tok::Star { span: at_segment_end };
                }
            }
        }
        let shape = shape_of(&toks);
        // Only the general shapes match token by token; the others keep no tokens, which matters when
        // a linter holds thousands of policies.
        if !matches!(shape, Shape::UniformStars | Shape::Mixed) {
            toks = Vec::new();
        }
        Glob { toks, shape, colon_stop: mode == Mode::Arn }
    }

    pub fn matches(&self, text: &str) -> bool {
        match &self.shape {
            Shape::Everything => true,
            Shape::Nothing => false,
            Shape::Exact(s) => s == text,
            Shape::Prefix(p) => text.starts_with(p.as_str()),
            Shape::UniformStars => greedy_match(&self.toks, text, self.colon_stop),
            Shape::Mixed => automaton_match(&self.toks, text, self.colon_stop),
        }
    }
}

fn arn_service_has_wildcard(toks: &[Tok]) -> bool {
    // Segments: arn : partition : service : ...
    let mut segment = 0;
    for t in toks {
        match t {
            Tok::Char(':') => {
                segment += 1;
                if segment > 2 {
                    return false;
                }
            }
            Tok::Star { .. } | Tok::One if segment == 2 => return true,
            _ => {}
        }
    }
    false
}

fn shape_of(toks: &[Tok]) -> Shape {
    let literal = |ts: &[Tok]| -> Option<String> {
        ts.iter()
            .map(|t| match t {
                Tok::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    if let [Tok::Star { span: true }] = toks {
        return Shape::Everything;
    }
    if let Some(s) = literal(toks) {
        return Shape::Exact(s);
    }
    if let Some((Tok::Star { span: true }, head)) = toks.split_last()
        && let Some(p) = literal(head)
    {
        return Shape::Prefix(p);
    }
    let uniform = toks.iter().all(|t| !matches!(t, Tok::Star { span: false }));
    if uniform { Shape::UniformStars } else { Shape::Mixed }
}

/// Linear-time greedy matching with a single backtrack point: exact when every star can absorb anything.
fn greedy_match(toks: &[Tok], text: &str, colon_stop: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::One) if !(colon_stop && text[t] == ':') => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star { .. }) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    star = Some((sp, st + 1));
                    p = sp + 1;
                    t = st + 1;
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| matches!(t, Tok::Star { .. }))
}

/// Thompson simulation over pattern positions: O(text × pattern), no backtracking blow-up.
fn automaton_match(toks: &[Tok], text: &str, colon_stop: bool) -> bool {
    let n = toks.len();
    let mut current = vec![false; n + 1];
    let mut next = vec![false; n + 1];
    current[0] = true;
    close(toks, &mut current);
    for c in text.chars() {
        next.iter_mut().for_each(|s| *s = false);
        let mut any = false;
        for s in 0..n {
            if !current[s] {
                continue;
            }
            match toks[s] {
                Tok::Char(x) if x == c => {
                    next[s + 1] = true;
                    any = true;
                }
                Tok::One if !(colon_stop && c == ':') => {
                    next[s + 1] = true;
                    any = true;
                }
                Tok::Star { span } if span || c != ':' => {
                    next[s] = true;
                    any = true;
                }
                _ => {}
            }
        }
        if !any {
            return false;
        }
        close(toks, &mut next);
        std::mem::swap(&mut current, &mut next);
    }
    current[n]
}

/// A star may match nothing: being before it means being after it too.
fn close(toks: &[Tok], states: &mut [bool]) {
    for s in 0..toks.len() {
        if states[s] && matches!(toks[s], Tok::Star { .. }) {
            states[s + 1] = true;
        }
    }
}

/// One entry of `Action` / `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionPattern {
    pub text: String,
    pub pos: Pos,
    glob: Glob,
}

impl ActionPattern {
    pub fn new(text: String, pos: Pos) -> ActionPattern {
        let glob = Glob::from_string(text.to_lowercase(), Mode::Plain);
        ActionPattern { text, pos, glob }
    }

    /// `action_lc` must already be lower-case.
    pub fn matches(&self, action_lc: &str) -> bool {
        self.glob.matches(action_lc)
    }
}

/// A value that may hold policy variables, compiled for matching in `mode`.
#[derive(Debug, Clone)]
pub struct VarPattern {
    pub text: String,
    /// Compiled once when the text holds no variables.
    fixed: Option<Glob>,
    mode: Mode,
}

impl VarPattern {
    pub fn new(text: String, mode: Mode) -> VarPattern {
        let fixed = (!text.contains("${")).then(|| Glob::new(&text, mode));
        VarPattern { text, fixed, mode }
    }

    pub fn has_variables(&self) -> bool {
        self.fixed.is_none()
    }

    /// Matches `value`, resolving variables from `ctx`; an unresolvable variable leaves the answer open.
    pub fn matches(&self, value: &str, ctx: &Context) -> Verdict {
        if let Some(g) = &self.fixed {
            return Verdict::from_bool(g.matches(value));
        }
        match substitute(&self.text, ctx, true) {
            Substituted::Toks(toks) => Verdict::from_bool(Glob::from_toks(toks, self.mode).matches(value)),
            Substituted::Missing(keys) => missing_verdict(keys),
        }
    }

    /// The value with variables replaced, for exact comparisons (`StringEquals`); None with missing keys.
    pub fn resolve(&self, ctx: &Context) -> Result<String, Verdict> {
        if self.fixed.is_some() {
            return Ok(self.text.clone());
        }
        match substitute(&self.text, ctx, false) {
            Substituted::Toks(toks) => Ok(toks
                .iter()
                .map(|t| match t {
                    Tok::Char(c) => *c,
                    Tok::One => '?',
                    Tok::Star { .. } => '*',
                })
                .collect()),
            Substituted::Missing(keys) => Err(missing_verdict(keys)),
        }
    }
}

/// `keys` are the variables that could not be replaced: unknown ones make the answer "depends"; when all
/// are known to be absent (and have no default), AWS's answer is that the element does not match.
fn missing_verdict(keys: Vec<String>) -> Verdict {
    if keys.is_empty() { Verdict::No } else { Verdict::depends(keys) }
}

/// One entry of `Resource` / `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    pub text: String,
    pub pos: Pos,
    pattern: VarPattern,
}

impl ResourcePattern {
    pub fn new(text: String, pos: Pos) -> ResourcePattern {
        let pattern = VarPattern::new(text.clone(), Mode::Arn);
        ResourcePattern { text, pos, pattern }
    }

    pub fn matches(&self, resource: &str, ctx: &Context) -> Verdict {
        self.pattern.matches(resource, ctx)
    }
}

enum Substituted {
    Toks(Vec<Tok>),
    /// Some variable could not be replaced; lists the unknown ones (empty: all were known absent).
    Missing(Vec<String>),
}

/// Replaces `${…}` variables. Substituted values are literal text: a `*` in a tag value is not a wildcard.
fn substitute(text: &str, ctx: &Context, wildcards: bool) -> Substituted {
    let mut toks = Vec::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut unmatched = false;
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        push_literal(&mut toks, &rest[..start], wildcards);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // An unterminated `${` is plain text.
            push_literal(&mut toks, &rest[start..], wildcards);
            rest = "";
            break;
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        let (name, default) = match inner.split_once(',') {
            Some((n, d)) => {
                let d = d.trim();
                let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(d);
                (n.trim(), Some(d))
            }
            None => (inner.trim(), None),
        };
        match name {
            "*" | "?" | "$" => toks.extend(name.chars().map(Tok::Char)),
            _ => match ctx.lookup(name) {
                Lookup::Present([single]) => toks.extend(single.chars().map(Tok::Char)),
                // A multivalued key cannot be a variable; AWS leaves such an element unmatched.
                Lookup::Present(_) => unmatched = true,
                Lookup::Absent => match default {
                    Some(d) => toks.extend(d.chars().map(Tok::Char)),
                    None => unmatched = true,
                },
                Lookup::Unknown => missing.push(name.to_owned()),
            },
        }
    }
    push_literal(&mut toks, rest, wildcards);
    if missing.is_empty() && !unmatched { Substituted::Toks(toks) } else { Substituted::Missing(missing) }
}

fn push_literal(toks: &mut Vec<Tok>, s: &str, wildcards: bool) {
    toks.extend(s.chars().map(|c| match c {
        '*' if wildcards => Tok::Star { span: true },
        '?' if wildcards => Tok::One,
        c => Tok::Char(c),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(p: &str, t: &str) -> bool {
        Glob::new(p, Mode::Arn).matches(t)
    }

    fn plain(p: &str, t: &str) -> bool {
        Glob::new(p, Mode::Plain).matches(t)
    }

    #[test]
    fn actions_are_case_insensitive_with_wildcards() {
        let a = ActionPattern::new("KMS:Generate*".into(), Pos::default());
        assert!(a.matches("kms:generatedatakey"));
        assert!(!a.matches("kms:decrypt"));
        let a = ActionPattern::new("kms:?ecrypt".into(), Pos::default());
        assert!(a.matches("kms:decrypt"));
        assert!(!a.matches("kms:reencrypt"));
        assert!(ActionPattern::new("*".into(), Pos::default()).matches("s3:getobject"));
    }

    #[test]
    fn resources_are_case_sensitive() {
        assert!(arn("arn:aws:s3:::Bucket/*", "arn:aws:s3:::Bucket/a"));
        assert!(!arn("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/a"));
    }

    #[test]
    fn star_at_segment_end_crosses_colons_and_inside_does_not() {
        assert!(arn("arn:aws:kms:*", "arn:aws:kms:us-east-1:111122223333:key/k"));
        assert!(arn("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/k"));
        assert!(!arn("arn:aws:s3:::a*b", "arn:aws:s3:::a:b"));
        assert!(arn("arn:aws:s3:::a*b", "arn:aws:s3:::a/x/b"));
        assert!(arn("arn:aws:logs:us-east-1:1:log-group:g*:*", "arn:aws:logs:us-east-1:1:log-group:g1:log-stream:s"));
        assert!(!arn("arn:aws:logs:us-east-1:1:log-group:g*x:*", "arn:aws:logs:us-east-1:1:log-group:g:x:log-stream"));
        assert!(arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c"));
        assert!(!arn("arn:aws:s3:::b?cket", "arn:aws:s3:::b:cket"));
        assert!(arn("arn:aws:s3:::b?cket", "arn:aws:s3:::bucket"));
    }

    #[test]
    fn wildcard_in_service_segment_matches_nothing() {
        assert!(!arn("arn:aws:*:us-east-1:1:key/k", "arn:aws:kms:us-east-1:1:key/k"));
        assert!(!arn("arn:aws:km?:us-east-1:1:key/k", "arn:aws:kms:us-east-1:1:key/k"));
        assert!(arn("arn:*", "arn:aws:kms:us-east-1:1:key/k"));
    }

    #[test]
    fn plain_globs() {
        assert!(plain("a*b*c", "axxbyyc"));
        assert!(plain("a*b*c", "a:b:c"));
        assert!(!plain("a*b*c", "axxbyy"));
        assert!(plain("*", ""));
        assert!(plain("a?c", "abc"));
        assert!(plain("a?c", "a:c"));
        assert!(!plain("a?c", "ac"));
        assert!(plain("é*", "éa"));
        assert!(plain("?", "é"));
    }

    #[test]
    fn variables_resolve_from_context_or_stay_open() {
        let ctx = Context::open().with("aws:username", ["alice"]);
        let r = ResourcePattern::new("arn:aws:s3:::home/${aws:username}/*".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::home/alice/x", &ctx), Verdict::Yes);
        assert_eq!(r.matches("arn:aws:s3:::home/bob/x", &ctx), Verdict::No);
        let r = ResourcePattern::new("arn:aws:s3:::home/${aws:PrincipalTag/team}/*".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &ctx), Verdict::depends(["aws:PrincipalTag/team"]));
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &ctx.clone().closed()), Verdict::No);
        let r = ResourcePattern::new("arn:aws:s3:::home/${aws:PrincipalTag/team, 'a'}/*".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &ctx.clone().closed()), Verdict::Yes);
        // Open, but the key is known to be absent: the default stands in, and without one nothing matches.
        let mut absent = ctx.clone();
        absent.insert_absent("aws:PrincipalTag/team");
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &absent), Verdict::Yes);
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &ctx), Verdict::depends(["aws:PrincipalTag/team"]));
        let r = ResourcePattern::new("arn:aws:s3:::home/${aws:PrincipalTag/team}/*".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::home/a/x", &absent), Verdict::No);
    }

    #[test]
    fn special_variables_are_literal() {
        let ctx = Context::open();
        let r = ResourcePattern::new("arn:aws:s3:::b/${*}${?}${$}".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::b/*?$", &ctx), Verdict::Yes);
        assert_eq!(r.matches("arn:aws:s3:::b/xy$", &ctx), Verdict::No);
        // A value substituted from the context is literal, not a wildcard.
        let ctx = Context::open().with("aws:username", ["*"]);
        let r = ResourcePattern::new("arn:aws:s3:::b/${aws:username}".into(), Pos::default());
        assert_eq!(r.matches("arn:aws:s3:::b/x", &ctx), Verdict::No);
        assert_eq!(r.matches("arn:aws:s3:::b/*", &ctx), Verdict::Yes);
    }
}
