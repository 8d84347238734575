//! atrest: proves Amazon Translate batch data is encrypted at rest the way AWS documents it.

pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod engine;
pub mod input;
pub mod inventory;
pub mod lint;
pub mod output;
pub mod policy;
pub mod report;
pub mod rules;
pub mod s3inventory;
pub mod settings;
pub mod vocab;
