//! Three-valued answers: yes, no, or "depends" on condition keys whose values are not known.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Yes,
    No,
    /// Could go either way; the set names the condition keys that would decide it.
    Depends(BTreeSet<String>),
}

impl Verdict {
    pub fn from_bool(b: bool) -> Verdict {
        if b { Verdict::Yes } else { Verdict::No }
    }

    pub fn depends<I, S>(keys: I) -> Verdict
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Verdict::Depends(keys.into_iter().map(Into::into).collect())
    }

    pub fn is_yes(&self) -> bool {
        matches!(self, Verdict::Yes)
    }

    pub fn is_no(&self) -> bool {
        matches!(self, Verdict::No)
    }

    /// Both must hold: a certain No decides regardless of open keys.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::No, _) | (_, Verdict::No) => Verdict::No,
            (Verdict::Yes, v) | (v, Verdict::Yes) => v,
            (Verdict::Depends(mut a), Verdict::Depends(b)) => {
                a.extend(b);
                Verdict::Depends(a)
            }
        }
    }

    /// Either may hold: a certain Yes decides regardless of open keys.
    pub fn or(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Yes, _) | (_, Verdict::Yes) => Verdict::Yes,
            (Verdict::No, v) | (v, Verdict::No) => v,
            (Verdict::Depends(mut a), Verdict::Depends(b)) => {
                a.extend(b);
                Verdict::Depends(a)
            }
        }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Verdict {
        match self {
            Verdict::Yes => Verdict::No,
            Verdict::No => Verdict::Yes,
            d => d,
        }
    }

    /// The open keys, empty unless `Depends`.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        match self {
            Verdict::Depends(k) => Some(k.iter()),
            _ => None,
        }
        .into_iter()
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_logic() {
        let d = || Verdict::depends(["k"]);
        assert_eq!(Verdict::No.and(d()), Verdict::No);
        assert_eq!(Verdict::Yes.and(d()), d());
        assert_eq!(Verdict::Yes.or(d()), Verdict::Yes);
        assert_eq!(Verdict::No.or(d()), d());
        assert_eq!(d().not(), d());
        assert_eq!(Verdict::depends(["a"]).or(Verdict::depends(["b"])), Verdict::depends(["a", "b"]));
    }
}
