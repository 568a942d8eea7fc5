//! See services/mod.rs.
