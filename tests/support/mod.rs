//! Test endpoints shared by the integration tests and the scan benchmark.

pub mod bench_world;
pub mod inventory;
pub mod moto;
pub mod proxy;
pub mod translate;
