//! One module per page (or per family of pages of one record type).
pub mod accounts;
pub mod bulk_modify;
pub mod contacts;
pub mod damaged;
pub mod data;
pub mod home;
pub mod installs;
pub mod leads;
pub mod license_detail;
pub mod licenses;
pub mod modify_license;
pub mod not_found;
pub mod notifications;
pub mod packages;
pub mod settings;
pub mod simulator;
pub mod sync;
