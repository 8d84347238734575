//! A small Amazon Translate endpoint for tests (moto has none): serves jobs, terminologies and parallel data
//! in the Smithy RPC v2 CBOR protocol the Rust SDK speaks, with pagination, and answers queued faults.
//!
//! Answers are shaped on the examples of the Translate Developer Guide and API Reference: job records as
//! DescribeTextTranslationJob shows them in "Running a batch translation job" (async-start.md), output
//! folder included. Differences from the real service, on purpose: no JobStatus filter, NextToken is an
//! offset, and the caller's account is learnt from moto (`start_with_moto`): the endpoint sends moto's STS
//! a GetCallerIdentity carrying the request's access key id (moto names the account by the key id alone,
//! as it does for credentials its AssumeRole gave) and lists only that account's jobs (the account of the
//! job's role), terminologies and parallel data (the account in their ARN). Without moto every request
//! sees everything.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use ciborium::Value;
use serde_json::Value as Json;

/// An answer to give instead of the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 400 TooManyRequestsException, which the SDK retries as throttling.
    Throttle,
    /// 500 InternalServerException, retried as transient.
    Internal,
    /// 400 AccessDeniedException, which is not retried.
    Denied,
    /// 400 AccessDeniedException whose message echoes the request's signature and session token, as a
    /// misbehaving proxy or server may.
    EchoHeaders,
}

#[derive(Debug, Default)]
struct State {
    /// TextTranslationJobProperties, TerminologyProperties, ParallelDataProperties as JSON, with timestamps
    /// as epoch seconds (sent as CBOR tag 1).
    /// Jobs with the region that lists them.
    jobs: Vec<(String, Json)>,
    terminologies: Vec<Json>,
    parallel_data: Vec<Json>,
    page_size: usize,
    /// Faults for the next requests: (operation or any, fault).
    faults: VecDeque<(Option<String>, Fault)>,
    /// The access key ids requests were signed with, in order.
    keys_seen: Vec<String>,
    /// moto's URL, to learn a request's account; and what it said per access key id.
    moto: Option<String>,
    accounts: std::collections::HashMap<String, String>,
    /// Account Management ListRegions per account: (region, RegionOptStatus).
    regions: std::collections::HashMap<String, Vec<(String, String)>>,
}

#[derive(Clone)]
pub struct TranslateEndpoint {
    pub url: String,
    state: Arc<Mutex<State>>,
}

const TIMESTAMPS: &[&str] = &["SubmittedTime", "EndTime", "CreatedAt", "LastUpdatedAt"];

impl TranslateEndpoint {
    /// As `start`, answering each account with its own resources (the account learnt from moto).
    pub fn start_with_moto(page_size: usize, moto_url: &str) -> TranslateEndpoint {
        let endpoint = TranslateEndpoint::start(page_size);
        endpoint.state.lock().unwrap().moto = Some(moto_url.trim_start_matches("http://").to_owned());
        endpoint
    }

    /// Serves on a free 127.0.0.1 port until the process ends; pages hold at most `page_size` items.
    pub fn start(page_size: usize) -> TranslateEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the Translate test endpoint");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State { page_size: page_size.max(1), ..State::default() }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        TranslateEndpoint { url, state }
    }

    pub fn add_job(&self, job: Json) {
        self.add_job_in("us-east-1", job);
    }

    /// A job listed only to requests signed for `region`. `job` is what the caller asked for, with the
    /// output folder of its StartTextTranslationJob request: the endpoint answers with the folder the
    /// service reports, as `job_as_reported` says.
    pub fn add_job_in(&self, region: &str, job: Json) {
        self.add_reported_job_in(region, job_as_reported(job));
    }

    /// A job exactly as ListTextTranslationJobs reports it: nothing is added.
    pub fn add_reported_job_in(&self, region: &str, job: Json) {
        self.state.lock().unwrap().jobs.push((region.to_owned(), job));
    }

    pub fn add_terminology(&self, t: Json) {
        self.state.lock().unwrap().terminologies.push(t);
    }

    pub fn add_parallel_data(&self, p: Json) {
        self.state.lock().unwrap().parallel_data.push(p);
    }

    /// What Account Management's ListRegions answers the account (moto has no such API; the endpoint
    /// serves it when `AWS_ENDPOINT_URL_ACCOUNT` points here): (region, RegionOptStatus) pairs.
    pub fn set_regions(&self, account: &str, regions: &[(&str, &str)]) {
        let list = regions.iter().map(|(r, s)| (r.to_string(), s.to_string())).collect();
        self.state.lock().unwrap().regions.insert(account.to_owned(), list);
    }

    /// The access key ids the requests so far were signed with.
    pub fn keys_seen(&self) -> Vec<String> {
        self.state.lock().unwrap().keys_seen.clone()
    }

    /// Queues a fault for the next request of `operation` (any operation when `None`).
    pub fn fault(&self, operation: Option<&str>, fault: Fault) {
        self.state.lock().unwrap().faults.push_back((operation.map(str::to_owned), fault));
    }
}

/// The job record the service reports for a job started with `job`'s settings.
///
/// Amazon Translate writes a job's output to `<account>-TranslateText-<job id>/` under the folder the
/// request named, and DescribeTextTranslationJob / ListTextTranslationJobs report `OutputDataConfig.S3Uri`
/// with that folder in it: the example in the Translate Developer Guide, "Running a batch translation
/// job" (https://docs.aws.amazon.com/translate/latest/dg/async-start.html) describes a job started with
/// `S3Uri=s3://my-s3-bucket/output/` as
/// `"S3Uri": "s3://my-s3-bucket/output/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/"`.
/// The account is the job's own, taken here from its role ARN (a role Translate assumes is in the job's
/// account; the real service knows the caller's account).
pub fn job_as_reported(mut job: Json) -> Json {
    let account = job["DataAccessRoleArn"].as_str().and_then(|a| a.split(':').nth(4)).unwrap_or("").to_owned();
    let id = job["JobId"].as_str().unwrap_or("").to_owned();
    if let Some(uri) = job["OutputDataConfig"]["S3Uri"].as_str() {
        let slash = if uri.ends_with('/') { "" } else { "/" };
        job["OutputDataConfig"]["S3Uri"] = Json::String(format!("{uri}{slash}{account}-TranslateText-{id}/"));
    }
    job
}

/// One request per connection: the answer says `Connection: close`.
fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut length = 0usize;
    let mut region = String::from("us-east-1");
    let mut echoed = Vec::new();
    let mut key = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, _)) = header.split_once(':')
            && (name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("x-amz-security-token"))
        {
            echoed.push(header.to_owned());
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        // SigV4: `Credential=AKID/DATE/REGION/translate/aws4_request` names the region the client called.
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
            && let Some(scope) = value.split("Credential=").nth(1)
            && let Some(r) = scope.split('/').nth(2)
        {
            region = r.to_owned();
            let k = scope.split('/').next().unwrap_or("").to_owned();
            state.lock().unwrap().keys_seen.push(k.clone());
            key = Some(k);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let operation = path.rsplit('/').next().unwrap_or("").to_owned();
    let account = caller_account(state, key)?;
    if operation == "listRegions" {
        return list_regions(stream, state, account.as_deref(), &body);
    }
    let (status, answer) = answer(state, &operation, &region, account.as_deref(), &body, &echoed.join("; "));
    let mut bytes = Vec::new();
    ciborium::into_writer(&answer, &mut bytes).expect("CBOR encoding");
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\ncontent-type: application/cbor\r\nsmithy-protocol: rpc-v2-cbor\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        bytes.len()
    )?;
    out.write_all(&bytes)?;
    out.flush()
}

/// Account Management ListRegions (REST-JSON, `POST /listRegions`), shaped on the AWS Account Management
/// API Reference's ListRegions: `{"Regions": [{"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"}, …]}`,
/// filtered by `RegionOptStatusContains`; one page. A queued `Denied` fault for "ListRegions" answers the
/// AccessDeniedException that reference lists (HTTP 403; the REST-JSON protocol names the type in
/// `x-amzn-ErrorType`), its message in the form of AWS's authorization errors (IAM User Guide,
/// "Troubleshoot access denied error messages").
fn list_regions(stream: TcpStream, state: &Mutex<State>, account: Option<&str>, body: &[u8]) -> std::io::Result<()> {
    let denied = {
        let mut st = state.lock().unwrap();
        match st.faults.iter().position(|(op, f)| op.as_deref() == Some("ListRegions") && *f == Fault::Denied) {
            Some(i) => st.faults.remove(i).is_some(),
            None => false,
        }
    };
    if denied {
        let caller = account.map_or("123456789012".to_owned(), str::to_owned);
        let message = format!(
            "User: arn:aws:iam::{caller}:user/moto is not authorized to perform: account:ListRegions on resource: \
             arn:aws:account::{caller}:account because no identity-based policy allows the account:ListRegions action"
        );
        let text = serde_json::json!({ "message": message }).to_string();
        let bytes = text.as_bytes();
        let mut out = stream;
        write!(
            out,
            "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nx-amzn-ErrorType: AccessDeniedException\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            bytes.len()
        )?;
        out.write_all(bytes)?;
        return out.flush();
    }
    let request: Json = serde_json::from_slice(body).unwrap_or(Json::Null);
    let wanted: Vec<&str> = request["RegionOptStatusContains"]
        .as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let regions: Vec<Json> = {
        let st = state.lock().unwrap();
        account
            .and_then(|a| st.regions.get(a))
            .into_iter()
            .flatten()
            .filter(|(_, status)| wanted.is_empty() || wanted.contains(&status.as_str()))
            .map(|(r, status)| serde_json::json!({"RegionName": r, "RegionOptStatus": status}))
            .collect()
    };
    let bytes = serde_json::to_vec(&serde_json::json!({ "Regions": regions })).unwrap();
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        bytes.len()
    )?;
    out.write_all(&bytes)?;
    out.flush()
}

/// The account of this request's access key, asked of moto's STS (GetCallerIdentity, AWS STS API
/// Reference: `<GetCallerIdentityResult><Account>…`) once per key; `None` without moto. The key is the
/// request's own, not the last one seen: connections are served concurrently, and another account's
/// request arriving in between once made one account answer with another's jobs.
fn caller_account(state: &Mutex<State>, key: Option<String>) -> std::io::Result<Option<String>> {
    let (moto, key) = {
        let st = state.lock().unwrap();
        match (&st.moto, key) {
            (Some(m), Some(k)) => {
                if let Some(a) = st.accounts.get(&k) {
                    return Ok(Some(a.clone()));
                }
                (m.clone(), k)
            }
            _ => return Ok(None),
        }
    };
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let mut up = TcpStream::connect(&moto)?;
    write!(
        up,
        "POST / HTTP/1.1\r\nHost: {moto}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential={key}/20261201/us-east-1/sts/aws4_request, \
         SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    up.read_to_string(&mut answer)?;
    let account = answer.split("<Account>").nth(1).and_then(|a| a.split('<').next()).map(str::to_owned);
    if let Some(a) = &account {
        state.lock().unwrap().accounts.insert(key, a.clone());
    }
    Ok(account)
}

/// An error as the Smithy RPC v2 CBOR protocol carries it (Smithy specification, "RPC v2 CBOR protocol",
/// error responses: a map whose `__type` is the shape id of the error, here one of the errors the
/// Translate API Reference lists for the operation, and its `message`).
fn error(code: &str, message: &str) -> Value {
    Value::Map(vec![
        (Value::Text("__type".into()), Value::Text(format!("com.amazonaws.translate#{code}"))),
        (Value::Text("message".into()), Value::Text(message.into())),
    ])
}

fn answer(
    state: &Mutex<State>,
    operation: &str,
    region: &str,
    account: Option<&str>,
    body: &[u8],
    headers: &str,
) -> (u16, Value) {
    let mut st = state.lock().unwrap();
    if let Some(i) = st.faults.iter().position(|(op, _)| op.as_deref().is_none_or(|o| o == operation)) {
        let (_, fault) = st.faults.remove(i).unwrap();
        return match fault {
            Fault::Throttle => (400, error("TooManyRequestsException", "Rate exceeded")),
            Fault::Internal => (500, error("InternalServerException", "internal error")),
            Fault::Denied => (400, error("AccessDeniedException", "User is not authorized to perform this action")),
            Fault::EchoHeaders => (400, error("AccessDeniedException", &format!("denied; request headers: {headers}"))),
        };
    }
    let request: Value = if body.is_empty() {
        Value::Map(Vec::new())
    } else {
        match ciborium::from_reader(body) {
            Ok(v) => v,
            Err(e) => return (400, error("SerializationException", &format!("not CBOR: {e}"))),
        }
    };
    let field = |name: &str| match &request {
        Value::Map(m) => m.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v.clone()),
        _ => None,
    };
    let start: usize = field("NextToken").and_then(|t| t.as_text().and_then(|t| t.parse().ok())).unwrap_or(0);
    let max = field("MaxResults").and_then(|m| m.as_integer()).and_then(|i| usize::try_from(i).ok()).unwrap_or(100);
    let page = st.page_size.min(max.max(1));
    let (items, list_name): (Vec<Json>, &str) = match operation {
        "ListTextTranslationJobs" => {
            let after = field("Filter").and_then(|f| match f {
                Value::Map(m) => m.into_iter().find(|(k, _)| k.as_text() == Some("SubmittedAfterTime")).map(|(_, v)| v),
                _ => None,
            });
            let after = after.and_then(|v| epoch(&v));
            let jobs = st
                .jobs
                .iter()
                .filter(|(r, j)| {
                    r == region
                        && after.is_none_or(|a| j["SubmittedTime"].as_f64().is_some_and(|t| t >= a))
                        && account.is_none_or(|a| arn_account(&j["DataAccessRoleArn"]) == Some(a))
                })
                .map(|(_, j)| j.clone())
                .collect();
            (jobs, "TextTranslationJobPropertiesList")
        }
        "ListTerminologies" => (in_region(&st.terminologies, region, account), "TerminologyPropertiesList"),
        "ListParallelData" => (in_region(&st.parallel_data, region, account), "ParallelDataPropertiesList"),
        _ => return (400, error("UnknownOperationException", operation)),
    };
    let end = (start + page).min(items.len());
    let mut out = vec![(
        Value::Text(list_name.into()),
        Value::Array(items[start.min(end)..end].iter().map(|j| cbor(j, None)).collect()),
    )];
    if end < items.len() {
        out.push((Value::Text("NextToken".into()), Value::Text(end.to_string())));
    }
    (200, Value::Map(out))
}

/// The resources whose ARN names the region (and the account, when known).
fn in_region(items: &[Json], region: &str, account: Option<&str>) -> Vec<Json> {
    items
        .iter()
        .filter(|i| i["Arn"].as_str().and_then(|a| a.split(':').nth(3)) == Some(region))
        .filter(|i| account.is_none_or(|a| arn_account(&i["Arn"]) == Some(a)))
        .cloned()
        .collect()
}

fn arn_account(arn: &Json) -> Option<&str> {
    arn.as_str().and_then(|a| a.split(':').nth(4))
}

/// Epoch seconds from a CBOR timestamp (tag 1) or a bare number.
fn epoch(v: &Value) -> Option<f64> {
    match v {
        Value::Tag(1, inner) => epoch(inner),
        Value::Integer(i) => i128::from(*i).to_string().parse().ok(),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// JSON → CBOR, with the known timestamp members as tag 1 around epoch seconds.
fn cbor(j: &Json, key: Option<&str>) -> Value {
    match j {
        Json::Number(n) if key.is_some_and(|k| TIMESTAMPS.contains(&k)) => {
            Value::Tag(1, Box::new(Value::Float(n.as_f64().unwrap_or(0.0))))
        }
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i.into()),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(|v| cbor(v, None)).collect()),
        Json::Object(o) => Value::Map(o.iter().map(|(k, v)| (Value::Text(k.clone()), cbor(v, Some(k)))).collect()),
    }
}
