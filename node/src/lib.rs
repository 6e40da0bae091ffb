//! # wsf-node
//!
//! The node: the local store (redb), the ingest pipeline every record enters through, and the
//! node's identity and data directory.

pub mod address_book;
pub mod bench;
pub mod bundle;
pub mod config;
pub mod control;
pub mod datadir;
pub mod encrypt;
pub mod ingest;
pub mod invites;
pub mod members;
pub mod net;
pub mod network;
pub mod node;
pub mod panic;
pub mod service;
pub mod store;
pub mod transfer;
pub mod vault;
pub mod web;
