//! KMS's names for a key's state and manager (KMS API Reference, `KeyMetadata`: `KeyState`, `KeyManager`),
//! spelt as DescribeKey returns them; a state KMS adds later loads as `Other`.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

names! {
    /// `KeyMetadata.KeyState`.
    KeyState {
        Creating => "Creating",
        Enabled => "Enabled",
        Disabled => "Disabled",
        PendingDeletion => "PendingDeletion",
        PendingImport => "PendingImport",
        PendingReplicaDeletion => "PendingReplicaDeletion",
        Unavailable => "Unavailable",
        Updating => "Updating",
        Unknown => "Unknown",
    }
}

names! {
    /// `KeyMetadata.KeyManager`: who manages the key.
    KeyManager {
        Customer => "CUSTOMER",
        Aws => "AWS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_keep_kms_spelling_and_new_ones_load() {
        assert_eq!(serde_json::to_string(&KeyState::PendingDeletion).unwrap(), "\"PendingDeletion\"");
        assert_eq!(serde_json::from_str::<KeyManager>("\"AWS\"").unwrap(), KeyManager::Aws);
        assert_eq!(serde_json::from_str::<KeyState>("\"Frozen\"").unwrap(), KeyState::Other("Frozen".into()));
    }
}
