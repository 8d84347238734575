//! A fault-injecting HTTP proxy in front of moto, for answers moto never gives: S3's bare 400 to a
//! HeadObject of an SSE-C object, an object gone between ListObjectsV2 and HeadObject, SlowDown bursts, STS
//! and Organizations refusing a caller (moto does not enforce IAM).
//! Requests no rule matches are forwarded to moto unchanged, but for one answer moto 5.2.5 gets wrong,
//! which the proxy mends into S3's documented shape (`mend_inventory_list`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Answer `status` (with an S3 error body when `code` is set) to the next `times` requests whose method
/// and path match and whose query contains `query`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: &'static str,
    pub path: String,
    pub query: &'static str,
    pub status: u16,
    pub code: Option<&'static str>,
    pub times: usize,
    /// A text the request's body must hold ("" for any): STS calls differ only in their form body.
    pub body: &'static str,
}

#[derive(Clone)]
pub struct FaultProxy {
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl FaultProxy {
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let shared = rules.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (rules, upstream) = (shared.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &rules, &upstream);
                });
            }
        });
        FaultProxy { url, rules }
    }

    pub fn add(&self, rule: Rule) {
        self.rules.lock().unwrap().push(rule);
    }

    /// Forgets the rule added last.
    pub fn pop(&self) {
        self.rules.lock().unwrap().pop();
    }
}

fn serve(client: TcpStream, rules: &Mutex<Vec<Rule>>, upstream: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = String::new();
    reader.read_line(&mut head)?;
    let mut request_line = head.trim_end().splitn(3, ' ');
    let (method, target) = (request_line.next().unwrap_or("").to_owned(), request_line.next().unwrap_or("").to_owned());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let fault = {
        let mut rules = rules.lock().unwrap();
        // The headers too: the JSON protocol names the operation in X-Amz-Target.
        let text = format!("{head}{}", String::from_utf8_lossy(&body));
        let hit = rules.iter_mut().find(|r| {
            r.times > 0
                && r.method == method
                && (r.path == path || r.path == "*")
                && query.contains(r.query)
                && text.contains(r.body)
        });
        hit.map(|r| {
            r.times -= 1;
            r.clone()
        })
    };
    let mut client = client;
    if let Some(rule) = fault {
        let json_api = head.to_ascii_lowercase().contains("\r\nx-amz-target:");
        let body = match rule.code {
            Some(code) => refusal(code, &method, &head, &body, path),
            None => String::new(),
        };
        let content_type = if json_api { "application/x-amz-json-1.1" } else { "application/xml" };
        write!(
            client,
            "HTTP/1.1 {} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            rule.status,
            body.len()
        )?;
        return client.flush();
    }
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(head.as_bytes())?;
    up.write_all(&body)?;
    up.flush()?;
    // moto closes each connection after its answer, so the answer is everything until EOF.
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    let params: Vec<&str> = query.split('&').collect();
    if method == "GET" && params.contains(&"inventory") && !params.iter().any(|p| p.starts_with("id=")) {
        answer = mend_inventory_list(&answer, path, upstream)?;
    }
    client.write_all(&answer)?;
    client.flush()
}

/// The caller moto knows every request by, as AWS names it in authorization errors.
const CALLER: &str = "arn:aws:iam::123456789012:user/moto";

/// The body of an error answer, in the shape the service's protocol gives it, with the message AWS writes.
/// AWS's authorization errors read "User: PRINCIPAL is not authorized to perform: ACTION on resource:
/// RESOURCE because no identity-based policy allows the ACTION action" (IAM User Guide, "Troubleshoot
/// access denied error messages"); services with their own text keep it.
fn refusal(code: &str, method: &str, head: &str, body: &[u8], path: &str) -> String {
    let target = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("x-amz-target")))
        .map(|(_, v)| v.trim().to_owned());
    if let Some(target) = target {
        // The AWS JSON protocol's error shape: `__type` and `Message`.
        let message = match target.split_once('.') {
            // AWS Organizations API Reference, AccessDeniedException (HTTP 400).
            Some(("AWSOrganizationsV20161128", _)) => "You don't have permissions to perform the requested operation. \
                 The user or role that is making the request must have at least one IAM permissions policy attached \
                 that grants the required permissions."
                .to_owned(),
            // KMS (AWS KMS API Reference, AccessDeniedException, HTTP 400) names the key, and says the key
            // policy allows nothing, as KMS answers a caller the key policy does not name.
            Some((_, operation)) => {
                let text = String::from_utf8_lossy(body);
                let key = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["KeyId"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "*".into());
                format!(
                    "User: {CALLER} is not authorized to perform: kms:{operation} on resource: {key} because no \
                     resource-based policy allows the kms:{operation} action"
                )
            }
            None => "access denied".to_owned(),
        };
        return serde_json::json!({"__type": code, "Message": message}).to_string();
    }
    if body.starts_with(b"Action=") {
        // The AWS Query protocol's error shape (AWS STS API Reference and IAM API Reference, "Common
        // Errors": AccessDenied, HTTP 403): <ErrorResponse><Error><Type>Sender</Type><Code>…</Code>
        // <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>. The IAM User Guide's
        // "Troubleshooting IAM roles" quotes STS's AccessDenied to AssumeRole ("User: arn:… is not authorized
        // to perform: sts:AssumeRole on resource: arn:…").
        let action = form_value(body, "Action");
        let (namespace, message) = if action == "AssumeRole" {
            (
                "https://sts.amazonaws.com/doc/2011-06-15/",
                format!(
                    "User: {CALLER} is not authorized to perform: sts:AssumeRole on resource: {}",
                    form_value(body, "RoleArn")
                ),
            )
        } else {
            let role = form_value(body, "RoleName");
            let resource = match (role.as_str(), form_value(body, "PolicyArn")) {
                ("", policy) if !policy.is_empty() => policy,
                ("", _) => "*".to_owned(),
                (role, _) => format!("arn:aws:iam::123456789012:role/{role}"),
            };
            (
                "https://iam.amazonaws.com/doc/2010-05-08/",
                format!(
                    "User: {CALLER} is not authorized to perform: iam:{action} on resource: {resource} because no \
                     identity-based policy allows the iam:{action} action"
                ),
            )
        };
        return format!(
            "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>{message}</Message></Error><RequestId>4442587F-B7D0-A2F9</RequestId></ErrorResponse>"
        );
    }
    // S3's REST error shape (Amazon S3 API Reference, "Error responses", its example): Code, Message, Resource,
    // RequestId, with the message its error-code list gives. A HEAD answer has no body (HeadObject: "The
    // response is identical to the GET response except that there is no response body").
    if method == "HEAD" {
        return String::new();
    }
    let message = match code {
        "AccessDenied" => "Access Denied",
        "SlowDown" => "Please reduce your request rate.",
        "NoSuchKey" => "The specified key does not exist.",
        _ => "We encountered an internal error. Please try again.",
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <Resource>{path}</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>"
    )
}

/// A field of a form-encoded (AWS Query) request body, with the escapes the SDK writes undone.
fn form_value(body: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let raw = text.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or("");
    raw.replace("%3A", ":").replace("%2F", "/").replace("%2B", "+").replace("%40", "@")
}

/// ListBucketInventoryConfigurations as S3 answers it. moto 5.2.5 differs from the Amazon S3 API Reference
/// (ListBucketInventoryConfigurations, "Response Syntax") twice: its root element is
/// `ListBucketInventoryConfigurationsResponse` where S3's is `ListInventoryConfigurationsResult` (the AWS SDK
/// for Rust rejects the answer), and each configuration's `OptionalFields` holds `<Field>Field</Field>`
/// instead of the fields. Its GetBucketInventoryConfiguration answers are right, so the mended list is
/// S3's root around moto's answer for each listed id.
fn mend_inventory_list(answer: &[u8], path: &str, upstream: &str) -> std::io::Result<Vec<u8>> {
    let text = String::from_utf8_lossy(answer);
    let Some((_, body)) = text.split_once("\r\n\r\n") else { return Ok(answer.to_vec()) };
    if !body.contains("<ListBucketInventoryConfigurationsResponse") {
        return Ok(answer.to_vec());
    }
    let ids: Vec<&str> =
        body.split("<Id>").skip(1).filter_map(|rest| rest.split_once("</Id>").map(|(id, _)| id)).collect();
    let mut mended = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListInventoryConfigurationsResult \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    for id in ids {
        let mut up = TcpStream::connect(upstream)?;
        write!(up, "GET {path}?inventory&id={id} HTTP/1.1\r\nHost: s3\r\nConnection: close\r\n\r\n")?;
        let mut one = Vec::new();
        up.read_to_end(&mut one)?;
        let one = String::from_utf8_lossy(&one);
        let config = one.split_once("<InventoryConfiguration").map(|(_, c)| c).unwrap_or_default();
        let config = config.split_once('>').map(|(_, c)| c).unwrap_or_default();
        mended.push_str("<InventoryConfiguration>");
        mended.push_str(config);
    }
    mended.push_str("<IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>");
    Ok(format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{mended}",
        mended.len()
    )
    .into_bytes())
}
