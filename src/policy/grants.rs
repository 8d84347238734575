//! KMS grants as ListGrants returns them, and whether one lets a principal perform an action.
//!
//! KMS Developer Guide, "Grants in AWS KMS": a grant allows its grantee principal the listed operations on
//! its key with no key policy or IAM policy needed; encryption-context constraints limit it to requests
//! whose context matches.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::context::{Context, Lookup};
use super::request::{Principal, Request};
use super::verdict::Verdict;
use crate::vocab::aws::{Grant, GrantConstraints};

#[derive(Deserialize)]
#[serde(untagged)]
enum GrantsDocument {
    Answer {
        #[serde(rename = "Grants")]
        grants: Vec<Grant>,
    },
    List(Vec<Grant>),
}

/// Reads a ListGrants answer (`{"Grants": [...]}`) or a bare array of grants.
pub fn parse_grants(text: &str) -> Result<Vec<Grant>, serde_json::Error> {
    Ok(match serde_json::from_str::<GrantsDocument>(text)? {
        GrantsDocument::Answer { grants } | GrantsDocument::List(grants) => grants,
    })
}

/// Operations whose requests carry no encryption context, so constraints do not apply to them.
const NO_CONTEXT_OPERATIONS: &[&str] = &["describekey", "retiregrant", "getpublickey"];

impl Grant {
    fn grantee_is(&self, principal: &Principal) -> bool {
        let Some(grantee) = self.grantee_principal.as_deref() else {
            return false;
        };
        grantee == principal.arn || principal.is_role_named_by(grantee)
    }

    fn is_for_key(&self, resource: &str) -> bool {
        match self.key_id.as_deref() {
            None => true,
            Some(k) if k.starts_with("arn:") => k == resource,
            Some(k) => resource.rsplit_once("key/").is_some_and(|(_, id)| id == k) || resource == k,
        }
    }

    /// Whether this grant allows the request.
    pub fn allows(&self, request: &Request) -> Verdict {
        let Some(operation) = request.action_lc.strip_prefix("kms:") else {
            return Verdict::No;
        };
        if !self.grantee_is(&request.principal)
            || !self.is_for_key(&request.resource)
            || !self.operations.iter().any(|o| o.eq_ignore_ascii_case(operation))
        {
            return Verdict::No;
        }
        match &self.constraints {
            Some(c) if !NO_CONTEXT_OPERATIONS.contains(&operation) => c.allows(&request.context),
            _ => Verdict::Yes,
        }
    }
}

impl GrantConstraints {
    fn allows(&self, ctx: &Context) -> Verdict {
        let pairs_match = |pairs: &BTreeMap<String, String>| {
            pairs.iter().fold(Verdict::Yes, |acc, (k, v)| {
                let key = format!("kms:EncryptionContext:{k}");
                acc.and(match ctx.lookup(&key) {
                    Lookup::Present(values) => Verdict::from_bool(values.iter().any(|x| x == v)),
                    Lookup::Absent => Verdict::No,
                    Lookup::Unknown => Verdict::depends([key]),
                })
            })
        };
        let mut verdict = Verdict::Yes;
        if let Some(subset) = &self.encryption_context_subset {
            verdict = verdict.and(pairs_match(subset));
        }
        if let Some(equals) = &self.encryption_context_equals {
            verdict = verdict.and(pairs_match(equals));
            // Equality also needs the request to carry no other pairs: that is the key set.
            let keys = match ctx.lookup("kms:EncryptionContextKeys") {
                Lookup::Present(keys) => {
                    let mut got: Vec<&str> = keys.iter().map(String::as_str).collect();
                    got.sort_unstable();
                    got.dedup();
                    Verdict::from_bool(got == equals.keys().map(String::as_str).collect::<Vec<_>>())
                }
                Lookup::Absent => Verdict::from_bool(equals.is_empty()),
                Lookup::Unknown => Verdict::depends(["kms:EncryptionContextKeys"]),
            };
            verdict = verdict.and(keys);
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn request(action: &str, ctx: Context) -> Request {
        let p = Principal::parse("arn:aws:iam::111122223333:role/TranslateRole").unwrap();
        Request::new(p, action, KEY, ctx)
    }

    #[test]
    fn parses_list_grants_answers() {
        let g = parse_grants(
            r#"{"Grants":[{"KeyId":"k","GrantId":"g","GranteePrincipal":"p","Operations":["Decrypt"],
                "CreationDate":1.7e9,"Constraints":{"EncryptionContextSubset":{"a":"b"}}}],"Truncated":false}"#,
        )
        .unwrap();
        assert_eq!(g[0].operations, ["Decrypt"]);
        assert!(g[0].constraints.as_ref().unwrap().encryption_context_subset.is_some());
        assert_eq!(parse_grants("[]").unwrap().len(), 0);
        assert!(parse_grants("{\"Grants\": 3}").is_err());
    }

    #[test]
    fn grant_allows_listed_operations_to_its_grantee() {
        let g = Grant {
            key_id: Some(KEY.into()),
            grantee_principal: Some("arn:aws:iam::111122223333:role/TranslateRole".into()),
            operations: vec!["Decrypt".into(), "GenerateDataKey".into()],
            ..Grant::default()
        };
        assert_eq!(g.allows(&request("kms:Decrypt", Context::open())), Verdict::Yes);
        assert_eq!(g.allows(&request("kms:CreateGrant", Context::open())), Verdict::No);
        let other = Grant { grantee_principal: Some("arn:aws:iam::111122223333:role/Other".into()), ..g.clone() };
        assert_eq!(other.allows(&request("kms:Decrypt", Context::open())), Verdict::No);
        let wrong_key = Grant { key_id: Some("arn:aws:kms:us-east-1:111122223333:key/other".into()), ..g };
        assert_eq!(wrong_key.allows(&request("kms:Decrypt", Context::open())), Verdict::No);
    }

    #[test]
    fn constraints_depend_on_the_encryption_context() {
        let mut pairs = BTreeMap::new();
        pairs.insert("aws:s3:arn".to_string(), "arn:aws:s3:::out".to_string());
        let g = Grant {
            grantee_principal: Some("arn:aws:iam::111122223333:role/TranslateRole".into()),
            operations: vec!["Decrypt".into(), "DescribeKey".into()],
            constraints: Some(GrantConstraints { encryption_context_subset: Some(pairs), ..Default::default() }),
            ..Grant::default()
        };
        assert_eq!(
            g.allows(&request("kms:Decrypt", Context::open())),
            Verdict::depends(["kms:EncryptionContext:aws:s3:arn"])
        );
        let ctx = Context::open().with("kms:EncryptionContext:aws:s3:arn", ["arn:aws:s3:::out"]);
        assert_eq!(g.allows(&request("kms:Decrypt", ctx)), Verdict::Yes);
        assert_eq!(g.allows(&request("kms:DescribeKey", Context::open())), Verdict::Yes);
    }
}
