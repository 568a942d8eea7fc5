//! Application services: each loads the records a workflow needs through the
//! [`Repository`](crate::storage::Repository), runs the domain's rule, and
//! commits what it yields as one atomic `WriteBatch`. Generic over the
//! repository, so native tests run them on the in-memory one.
pub mod alerts;
pub mod dashboard;
pub mod expiring;
pub mod export;
pub mod import;
pub mod install;
pub mod join;
pub mod leads;
pub mod licenses;
pub mod notifications;
pub mod packages;
pub mod search;
pub mod sync;

#[cfg(test)]
mod damaged_tests;
