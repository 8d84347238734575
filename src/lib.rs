//! atrest: proves Amazon Translate batch data is encrypted at rest the way AWS documents it.

pub mod cli;
pub mod policy;
pub mod simulate;
