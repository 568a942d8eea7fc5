//! Storage failures, each with a message a user can act on.
//!
//! Every failure the browser reports (a `DOMException` name) is mapped to one
//! of these variants in [`StorageError::from_dom_name`], so the UI shows the
//! `Display` text as is and never a raw `QuotaExceededError`.

use thiserror::Error;

use super::record::StoreName;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    /// `usage` says how much space the desk uses (a sentence ending in a
    /// space), or is empty when the browser does not tell.
    #[error(
        "The browser's storage for this site is full, so nothing was saved: the whole change \
         was undone and the desk is exactly as before. {usage}Free space (download a backup in \
         Import and export, then clear old demo data with Reset on Home, or free disk space on \
         this device), then try again."
    )]
    QuotaExceeded { usage: String },

    #[error(
        "License Desk was updated, but another License Desk tab still has the old version \
         open. Close the other License Desk tabs (or reload them); this tab continues as \
         soon as they are closed."
    )]
    UpgradeBlocked,

    #[error(
        "This browser can't keep License Desk's data ({0}). IndexedDB may be disabled or \
         missing, as in some private browsing windows: open License Desk in a normal \
         window, or allow site data for it."
    )]
    Unavailable(String),

    #[error("{what} {id} was not found. It may have been deleted in another tab; reload to see the latest data.")]
    NotFound { what: &'static str, id: String },

    /// A record of `store` was saved elsewhere since it was read.
    #[error(
        "{} {id} was changed elsewhere (in another tab?). Reload to see the latest \
         version, then make your change again.",
        store.label()
    )]
    Conflict { store: StoreName, id: String },

    #[error(
        "Stored {what} {id} can't be read ({detail}), so nothing was changed. Settings > \
         Damaged records shows it and lets you download its stored content; every other \
         record works as usual."
    )]
    Corrupt {
        what: &'static str,
        id: String,
        detail: String,
    },

    #[error("{0}")]
    Other(String),

    /// A read stopped because the page that asked for it was left (see
    /// `read_stop.rs`). No one is there to see it: pages never show it.
    #[error("The read was stopped: its page was left.")]
    Cancelled,

    /// A bulk commit stopped by the user's Cancel (see
    /// `IdbRepository::cancelled_by`): its transaction was aborted.
    #[error("Cancelled: nothing was saved, the desk is as it was.")]
    WriteCancelled,
}

impl StorageError {
    /// Maps a `DOMException` name (and its message) to a readable error.
    ///
    /// `context` says what was being done, for the messages that have no
    /// dedicated variant, e.g. "saving the license".
    pub fn from_dom_name(name: &str, message: &str, context: &str) -> StorageError {
        match name {
            "QuotaExceededError" => StorageError::QuotaExceeded {
                usage: String::new(),
            },
            "VersionError" => StorageError::Other(
                "This browser holds License Desk data saved by a newer version of the app. \
                 Reload the page (or clear the browser cache) to get the latest version."
                    .to_string(),
            ),
            "InvalidStateError" | "TransactionInactiveError" => StorageError::Other(format!(
                "The database connection was closed while {context} (another tab may have \
                 updated License Desk). Reload this tab, then try again."
            )),
            "NotFoundError" => StorageError::Other(format!(
                "The stored data is missing a part License Desk needs while {context}. Reload \
                 the page; if this keeps happening, clear the demo data."
            )),
            "SecurityError" => StorageError::Unavailable(format!(
                "the browser refused access to site storage: {message}"
            )),
            "UnknownError" => {
                StorageError::Unavailable(format!("the browser's storage failed: {message}"))
            }
            "AbortError" => StorageError::Other(format!(
                "The browser cancelled the save while {context}; nothing was changed. Try again."
            )),
            "ReadOnlyError" => StorageError::Other(format!(
                "Internal error while {context}: a write was attempted in a read-only transaction."
            )),
            // A value the browser can't store, or a key or range it refuses
            // (reads meet the second kind too).
            "DataCloneError" => StorageError::Other(format!(
                "A record could not be stored while {context}: {message}"
            )),
            "DataError" => StorageError::Other(format!(
                "The browser refused a key or value while {context}: {message}"
            )),
            "ConstraintError" => StorageError::Other(format!(
                "A record already exists while {context}: {message}"
            )),
            _ => StorageError::Other(format!("Storage failed while {context}: {name}: {message}")),
        }
    }

    /// True for the errors a user fixes by reloading (another tab changed the data).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StorageError::Conflict { .. })
    }

    /// True for a read stopped because its page was left: not a failure.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, StorageError::Cancelled)
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_names_map_to_readable_variants() {
        assert_eq!(
            StorageError::from_dom_name("QuotaExceededError", "", "saving"),
            StorageError::QuotaExceeded {
                usage: String::new()
            }
        );
        let full = StorageError::QuotaExceeded {
            usage: "The desk uses 5.0 MB of the 5.2 MB this browser allows it. ".into(),
        };
        assert!(full
            .to_string()
            .starts_with("The browser's storage for this site is full, so nothing was saved"));
        assert!(full
            .to_string()
            .contains("exactly as before. The desk uses 5.0 MB"));
        assert!(matches!(
            StorageError::from_dom_name("UnknownError", "disk", "opening"),
            StorageError::Unavailable(_)
        ));
        let other = StorageError::from_dom_name("WeirdError", "odd", "saving the license");
        assert!(other.to_string().contains("saving the license"));
    }

    #[test]
    fn conflict_message_says_what_to_do() {
        let e = StorageError::Conflict {
            store: StoreName::Licenses,
            id: "L-00001".into(),
        };
        assert_eq!(
            e.to_string(),
            "License L-00001 was changed elsewhere (in another tab?). Reload to see the latest \
             version, then make your change again."
        );
        assert!(e.is_conflict());
    }
}
