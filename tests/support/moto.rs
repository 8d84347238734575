//! moto's server for S3, KMS, IAM and STS, started on a free 127.0.0.1 port for one test and stopped with it,
//! and SDK clients for seeding it.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct Moto {
    pub url: String,
    child: Child,
}

/// `ATREST_MOTO_SERVER`, else the virtualenv the README's test command makes.
fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ATREST_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        venv.exists(),
        "moto's server is not installed: run the README's test command (scripts/test), which installs \
         moto[server] into .venv, or set ATREST_MOTO_SERVER to a moto_server executable"
    );
    venv
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut cmd = Command::new(server_binary());
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start moto_server");
        let moto = Moto { url: format!("http://127.0.0.1:{port}"), child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen on port {port} within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// From now on moto checks every request against IAM policies (its `reset-auth` API).
    pub fn enforce_iam(&self) {
        let mut s = TcpStream::connect(self.url.trim_start_matches("http://")).unwrap();
        use std::io::{Read, Write};
        write!(s, "POST /moto-api/reset-auth HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\n0")
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "reset-auth: {answer}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `atrest ARGS` with credentials for moto, moto for S3, KMS, IAM and STS, the Translate endpoint, and
/// nothing from the machine's own AWS setup (`home` stands in for the home folder).
pub fn atrest_command(moto_url: &str, translate_url: &str, home: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atrest"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto_url)
        .env("AWS_ENDPOINT_URL_TRANSLATE", translate_url)
        .current_dir(home);
    cmd
}

/// SDK clients pointed at moto, for seeding a world.
pub struct Seed {
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub organizations: aws_sdk_organizations::Client,
}

impl Seed {
    pub async fn new(moto: &Moto, access_key: &str, secret: &str) -> Seed {
        Seed::build(moto, access_key, secret, REGION).await
    }

    /// Clients for another region (moto keeps KMS keys per region).
    pub async fn new_in(moto: &Moto, region: &str) -> Seed {
        Seed::build(moto, "testing", "testing", region).await
    }

    /// Clients acting in another account: moto's AssumeRole into `arn:aws:iam::ACCOUNT:role/NAME` gives
    /// credentials that moto maps to that account.
    pub async fn in_account(moto: &Moto, account: &str, role: &str) -> Seed {
        let base = Seed::new(moto, "testing", "testing").await;
        let out = base
            .sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = out.credentials().unwrap();
        Seed::with(moto, c.access_key_id(), c.secret_access_key(), Some(c.session_token()), REGION).await
    }

    /// Makes this (management) account an organization's and adds member accounts; their ids, in order.
    pub async fn organization(&self, members: &[String]) -> Vec<String> {
        self.organizations
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .unwrap();
        let mut ids = Vec::new();
        for name in members {
            let out = self
                .organizations
                .create_account()
                .account_name(name)
                .email(format!("{name}@example.com"))
                .send()
                .await
                .unwrap();
            ids.push(out.create_account_status().unwrap().account_id().unwrap().to_owned());
        }
        ids
    }

    async fn build(moto: &Moto, access_key: &str, secret: &str, region: &str) -> Seed {
        Seed::with(moto, access_key, secret, None, region).await
    }

    async fn with(moto: &Moto, access_key: &str, secret: &str, token: Option<&str>, region: &str) -> Seed {
        let creds = aws_credential_types::Credentials::new(access_key, secret, token.map(str::to_owned), None, "test");
        let http = aws_smithy_http_client::Builder::new().build_http();
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .region(aws_config::Region::new(region.to_owned()))
            .credentials_provider(creds)
            .endpoint_url(&moto.url)
            .load()
            .await;
        let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
        Seed {
            s3: aws_sdk_s3::Client::from_conf(s3),
            kms: aws_sdk_kms::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            organizations: aws_sdk_organizations::Client::new(&sdk),
        }
    }

    pub async fn create_key(&self, policy: &str) -> String {
        let out = self.kms.create_key().policy(policy).send().await.unwrap();
        out.key_metadata().unwrap().arn().unwrap().to_owned()
    }

    pub async fn bucket(&self, name: &str, region: Option<&str>) {
        let mut req = self.s3.create_bucket().bucket(name);
        if let Some(r) = region {
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(r))
                    .build(),
            );
        }
        req.send().await.unwrap();
    }

    pub async fn default_encryption(&self, name: &str, algorithm: &str, key: Option<&str>) {
        use aws_sdk_s3::types::*;
        let by_default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::from(algorithm))
            .set_kms_master_key_id(key.map(str::to_owned))
            .build()
            .unwrap();
        let config = ServerSideEncryptionConfiguration::builder()
            .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(by_default).build())
            .build()
            .unwrap();
        self.s3.put_bucket_encryption().bucket(name).server_side_encryption_configuration(config).send().await.unwrap();
    }

    pub async fn object(&self, bucket: &str, key: &str, sse: Option<&str>, kms_key: Option<&str>) {
        let mut req = self.s3.put_object().bucket(bucket).key(key).body(b"Hello, world".to_vec().into());
        if let Some(s) = sse {
            req = req.server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::from(s));
        }
        if let Some(k) = kms_key {
            req = req.ssekms_key_id(k);
        }
        req.send().await.unwrap();
    }
}
