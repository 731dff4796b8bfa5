//! The store's errors: one enum for the store, one for the snapshot encoding.

use std::path::PathBuf;

/// What can go wrong in a store 存储.
///
/// Everything read from disk is checked: a record or snapshot that does not decode, does not
/// continue the log's digest chain or is refused by the registry is an error naming where it
/// was, never a panic and never a registry that is silently wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another writer holds the store (in this process or another).
    #[error("the store at {path} is open in another writer")]
    Locked {
        /// The store's directory.
        path: PathBuf,
    },
    /// The command was refused by the registry; nothing was written or applied.
    #[error("the command was refused: {0}")]
    Refused(#[source] wangge::Error),
    /// The disk (or the store's size limit) is full; the record was not written, and nothing
    /// was applied.
    #[error("the store is full: {0}")]
    Full(#[source] rusqlite::Error),
    /// The database file is damaged: SQLite found a malformed page, or a row does not decode
    /// or does not say what its key says.
    #[error("the store's database is corrupt: {what}")]
    Corrupt {
        /// What was found.
        what: String,
    },
    /// A record read from the store was refused by the registry (it does not continue the
    /// log, or its events are not what its command makes).
    #[error("record {position} of the store was refused: {source}")]
    Record {
        /// The record's position.
        position: u64,
        /// Why it was refused.
        #[source]
        source: wangge::Error,
    },
    /// The store holds no founding record: it was never created.
    #[error("the store at {path} holds no log; create it with a registry first")]
    Empty {
        /// The store's directory.
        path: PathBuf,
    },
    /// `create` on a store that already holds a log.
    #[error("the store already holds a log, up to position {position}")]
    Exists {
        /// The position of its last record.
        position: u64,
    },
    /// A registry handed to `create` that is not a fresh one (position 0).
    #[error("a store is created from a fresh registry (position 0), not one at position {position}")]
    NotFresh {
        /// The registry's position.
        position: u64,
    },
    /// A record to append that does not continue the store's last record.
    #[error("record {found} does not continue the store, whose next position is {expected}")]
    OutOfSequence {
        /// The next position the store takes.
        expected: u64,
        /// The record's position.
        found: u64,
    },
    /// A checkpoint of a registry whose head is not a record of this store.
    #[error("the registry's head (position {position}) is not a record of this store")]
    ForeignHead {
        /// The registry's position.
        position: u64,
    },
    /// The database was written by a newer store layout.
    #[error("the store's layout is version {found}; this build reads up to {supported}")]
    UnsupportedLayout {
        /// The layout found.
        found: u32,
        /// The newest layout this build reads.
        supported: u32,
    },
    /// A write failed in a way that leaves the store's state unknown to this handle; open the
    /// store again (which reads what is on disk).
    #[error("an earlier write failed uncertainly; open the store again")]
    Poisoned,
    /// A snapshot file could not be written or read.
    #[error("snapshot {path}: {source}")]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: CodecError,
    },
    /// The registry refused a loaded snapshot.
    #[error("snapshot {path} was refused by the registry: {source}")]
    SnapshotRefused {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: wangge::Error,
    },
    /// SQLite failed.
    #[error("SQLite: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    /// Sorts SQLite's errors: a full disk, a damaged file, anything else.
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Full(e),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt { what: e.to_string() },
            _ => StoreError::Sqlite(e),
        }
    }
}

/// What can go wrong writing or reading a snapshot in the store's encoding (see
/// [`codec`](crate::codec)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The bytes do not begin with the snapshot magic: not a wangge snapshot.
    #[error("not a wangge snapshot (no magic number)")]
    Magic,
    /// The file ends inside the header or the body.
    #[error("the snapshot is truncated: {found} bytes where {expected} were announced")]
    Truncated {
        /// Bytes announced (header and body).
        expected: u64,
        /// Bytes found.
        found: u64,
    },
    /// Written by a newer encoding than this build reads.
    #[error("snapshot encoding {found} is not supported; this build reads up to {supported}")]
    UnsupportedEncoding {
        /// The encoding found.
        found: u16,
        /// The newest encoding this build reads.
        supported: u16,
    },
    /// The body's SHA-256 is not the one the header names: the file was altered or torn.
    #[error("the snapshot's body does not match its checksum")]
    Checksum,
    /// The header names one format, the body another.
    #[error("the snapshot's header names format {header}, its body format {body}")]
    FormatMismatch {
        /// The header's format.
        header: u32,
        /// The body's format.
        body: u32,
    },
    /// The header names one head, the body another.
    #[error("the snapshot's header names position {header}, its body position {body}")]
    HeadMismatch {
        /// The header's position.
        header: u64,
        /// The body's position.
        body: u64,
    },
    /// The body does not decode as a snapshot (or a stored record as a record).
    #[error("the encoded value (a snapshot body or a record) does not decode: {0}")]
    Decode(String),
    /// The registry could not be encoded.
    #[error("the snapshot could not be encoded: {0}")]
    Encode(String),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
