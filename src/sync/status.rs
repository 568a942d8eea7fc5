//! The sync state the header shows.

use std::fmt;

/// Where this desk's sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyncStatus {
    /// No server configured, or sync stopped by the user.
    #[default]
    Off,
    /// Everything sent and received.
    Synced,
    /// Sending or receiving; `to_send` local changes still queued.
    Syncing { to_send: u64 },
    /// The server can't be reached; `waiting` local changes queued.
    Offline { waiting: u64 },
    /// The server refused (the server's reason).
    Error(String),
}

impl fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncStatus::Off => f.write_str("Sync off"),
            SyncStatus::Synced => f.write_str("Synced"),
            SyncStatus::Syncing { to_send } => write!(f, "Syncing ({to_send} to send)"),
            SyncStatus::Offline { waiting } => write!(f, "Offline ({waiting} waiting)"),
            SyncStatus::Error(reason) => write!(f, "Sync error: {reason}"),
        }
    }
}
