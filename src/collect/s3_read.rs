//! S3 reads shared by the bucket collector and the inventory collector: where a bucket's region is asked,
//! what GetBucketLocation's answer means, and one object's encryption headers.

use super::Ctx;
use super::failure::{self, Failure};
use crate::inventory::S3Object;

/// Where to ask GetBucketLocation: us-east-1 answers it for any bucket of the commercial partition (other
/// regions may redirect); the China and GovCloud partitions are asked in the scan's own region.
pub fn location_region(home: &str) -> &str {
    if home.starts_with("cn-") || home.starts_with("us-gov-") || home.starts_with("us-iso") {
        home
    } else {
        "us-east-1"
    }
}

/// GetBucketLocation's answer as a region: an empty constraint is us-east-1, and `EU` the old name of
/// eu-west-1.
pub fn region_of(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(r) => r.to_owned(),
    }
}

pub async fn head(ctx: &Ctx, client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<S3Object, Failure> {
    match ctx.call(client.head_object().bucket(bucket).key(key).send()).await {
        Ok(out) => Ok(S3Object {
            key: key.to_owned(),
            sse_algorithm: out.server_side_encryption().map(|s| s.as_str().to_owned()),
            kms_key_id: out.ssekms_key_id().map(str::to_owned),
            bucket_key_enabled: out.bucket_key_enabled(),
            sse_c: out.sse_customer_algorithm().is_some(),
        }),
        Err(e) => {
            let f = failure::describe(&e);
            // S3 refuses to describe an SSE-C object without its key, with a bare 400.
            if f.status == Some(400) {
                Ok(S3Object { key: key.to_owned(), sse_c: true, ..S3Object::default() })
            } else {
                Err(f)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_locations_become_regions() {
        assert_eq!(region_of(None), "us-east-1");
        assert_eq!(region_of(Some("")), "us-east-1");
        assert_eq!(region_of(Some("EU")), "eu-west-1");
        assert_eq!(region_of(Some("ap-south-2")), "ap-south-2");
        assert_eq!(location_region("eu-west-1"), "us-east-1");
        assert_eq!(location_region("cn-north-1"), "cn-north-1");
        assert_eq!(location_region("us-gov-west-1"), "us-gov-west-1");
    }
}
