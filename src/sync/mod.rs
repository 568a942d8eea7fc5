//! Team sync: desks replicate their records through a CouchDB database,
//! following CouchDB's replication protocol (no server of our own).
//!
//! - [`rev`]: CouchDB revision ids (`N-hash`), their paths and which one wins.
//! - [`document`]: a record as a CouchDB document readable by people (LMA API
//!   names), and back through the domain's constructors (remote data is
//!   untrusted input).
//! - [`design`]: the `validate_doc_update` design document that makes the
//!   server refuse what a user's profile may not write.
//! - [`remote`]: the CouchDB HTTP API the replicator needs ([`remote::Remote`]);
//!   `http` implements it over fetch in the browser.
//! - [`local`]: what the replicator needs of the desk ([`local::Local`]); `desk`
//!   implements it over a [`Repository`](crate::storage::Repository).
//! - [`replicator`]: the protocol's steps (push the outbox, pull `_changes`
//!   from the checkpoint) over those two traits, so it is tested natively
//!   against a scripted server.
//! - [`status`]: what the header shows.

pub mod couch_json;
pub mod design;
pub mod desk;
pub mod document;
pub mod local;
pub mod remote;
pub mod replicator;
pub mod rev;
pub mod status;

// Compiled natively too (as `IdbRepository` is): the pages name it.
pub mod http;

#[cfg(test)]
mod scripted;
#[cfg(test)]
mod team_tests;
