//! The normalized inventory: what collectors read and snapshots save, as plain serde data.
//!
//! Field names follow the AWS APIs they come from, in snake_case. Absence has one meaning per field and
//! is documented there; anything that could not be read is a `Gap`, so rules can tell "none" from
//! "unknown".

mod load;
mod model;

pub use load::{SnapshotError, load_snapshot, parse_snapshot};
pub use model::*;

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;
