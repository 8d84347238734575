//! Fuzz target: the policy parser never panics, and whatever parses can be evaluated without panicking.
#![no_main]

use atrest::policy::{Context, Policy, PolicySet, Principal, Request, evaluate, parse_grants};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_grants(text);
    let Ok(policy) = Policy::parse("fuzz.json", text) else { return };
    let principal = Principal::parse("arn:aws:iam::111122223333:role/R").unwrap();
    let ctx = Context::open().with("aws:SourceAccount", ["111122223333"]).with("aws:username", ["a*b"]);
    for (action, resource) in [
        ("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"),
        ("s3:GetObject", "arn:aws:s3:::b/a:b/c"),
        ("sts:AssumeRole", "arn:aws:iam::444455556666:role/R"),
    ] {
        let request = Request::new(principal.clone(), action, resource, ctx.clone());
        let identity = PolicySet { identity: vec![&policy], ..Default::default() };
        let _ = evaluate(&request, &identity);
        let resource_set = PolicySet { resource: Some(&policy), ..Default::default() };
        let _ = evaluate(&request, &resource_set);
    }
});
