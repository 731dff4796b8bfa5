//! # wangge-store 存储: the event store of wangge
//!
//! A host of a [`wangge::Registry`] keeps its log here instead of writing its own persistence.
//! The core decides what a command becomes ([`Registry::prepare`]: one
//! [`Record`] per command, with its position and a running digest); the store persists the
//! record durably; only then does the registry apply it ([`Registry::commit`]). So the host's
//! memory is never ahead of its disk, and a failed write leaves both as they were.
//!
//! - [`Store`]: append a command's record, read records from a position, write a checkpoint
//!   snapshot, and open (the newest snapshot that covers a record of this log, then the records
//!   after it).
//! - [`SqliteStore`]: the embedded default, one SQLite database in WAL mode with
//!   `synchronous=FULL` (one transaction, one fsync per command), a writer's lock that refuses
//!   a second writer at open ([`StoreError::Locked`]), snapshots as files beside it.
//! - [`Durable`]: a registry and its store together, persist first then apply, with a
//!   checkpoint every N records; a retried request id gets its first answer back.
//! - [`codec`]: the compact, versioned snapshot encoding (a header, then MessagePack).
//!
//! ```
//! use wangge::{Command, Registry, UnitId};
//! use wangge::grid::{LevelScheme, NewUnit, UnitKind};
//! use wangge::people::DoorLabel;
//! use wangge::registry::RequestId;
//! use wangge_store::{Durable, Options, SqliteStore};
//!
//! let dir = std::env::temp_dir().join(format!("wangge-store-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! let levels = LevelScheme::zhengzhou();
//! let registry = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
//! let root = registry.root();
//! let mut book = Durable::create(SqliteStore::open(&dir, Options::new())?, registry)?;
//!
//! let add = Command::AddHousehold { unit: root, door: DoorLabel::new("1-101")? };
//! let request = RequestId::new("req-1")?;
//! let first = book.execute(add.clone(), Some(request.clone()))?;
//! // The reply was lost and the host retries: the first answer, nothing written twice.
//! let again = book.execute(add, Some(request))?;
//! assert_eq!(again.record, first.record);
//! assert!(again.repeated);
//! drop(book);
//!
//! // A restart: the newest snapshot (none yet) and the records after it.
//! let (book, opened) = Durable::open(SqliteStore::open(&dir, Options::new())?)?;
//! assert_eq!(opened.replayed, 2);
//! assert_eq!(book.registry().position(), 1);
//! # drop(book);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod codec;
mod error;
mod sqlite;

use std::path::PathBuf;

pub use error::{CodecError, StoreError};
pub use sqlite::{LAYOUT, Options, SqliteStore};
use wangge::registry::{Head, Prepared, Record, RequestId};
use wangge::{Command, Registry, UnitId};

/// An event store 事件存储: the durable log of one registry, and its checkpoints.
pub trait Store {
    /// The head of the last record appended (`None` before the founding record).
    fn head(&self) -> Option<Head>;

    /// Append `record` durably: when this returns `Ok`, the record survives a crash. One
    /// record is written whole or not at all.
    ///
    /// # Errors
    /// [`StoreError::OutOfSequence`] when it is not the next position; [`StoreError::Full`]
    /// when the disk is full (nothing written); other errors of the medium.
    fn append(&mut self, record: &Record) -> Result<(), StoreError>;

    /// Call `visit` with every record from position `from` on, in order.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a record that does not decode; the first error of `visit`.
    fn read(&self, from: u64, visit: &mut dyn FnMut(Record) -> Result<(), StoreError>) -> Result<(), StoreError>;

    /// The record at `position`, if the store holds it.
    ///
    /// # Errors
    /// As [`Store::read`].
    fn record(&self, position: u64) -> Result<Option<Record>, StoreError>;

    /// Write a checkpoint snapshot of `registry`, whose head must be a record of this store.
    ///
    /// # Errors
    /// [`StoreError::ForeignHead`] for a registry at a head this store does not hold; errors
    /// of the medium.
    fn checkpoint(&mut self, registry: &Registry) -> Result<Head, StoreError>;

    /// The registry the store holds: the newest snapshot whose head is a record of this log
    /// (others are skipped and listed), then every record after it.
    ///
    /// # Errors
    /// [`StoreError::Empty`] for a store never created; [`StoreError::Record`] for a record the
    /// registry refuses; [`StoreError::Corrupt`] for a damaged database.
    fn open_registry(&mut self) -> Result<Opened, StoreError>;
}

/// A registry opened from a store, and what opening found.
#[derive(Debug)]
pub struct Opened {
    /// The registry.
    pub registry: Registry,
    /// What opening found.
    pub report: OpenReport,
}

/// What opening a store found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// The head of the snapshot it started from, if any.
    pub snapshot: Option<Head>,
    /// How many records were replayed after it.
    pub replayed: u64,
    /// The snapshots passed over (newer than the one used), and why.
    pub skipped: Vec<SkippedSnapshot>,
}

/// A snapshot that open passed over: damaged, of another registry or history, or ahead of the
/// log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSnapshot {
    /// The file.
    pub path: PathBuf,
    /// Why it was passed over.
    pub reason: String,
}

/// The answer to [`Durable::execute`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The command's record, as persisted: the one written now, or for a retried request the
    /// one its first execution wrote.
    pub record: Record,
    /// Whether the request was answered before (nothing was written or applied now).
    pub repeated: bool,
    /// The checkpoint this command triggered, if any: its head, or why it failed (the command
    /// itself is durable either way).
    pub checkpoint: Option<Result<Head, String>>,
}

/// A registry and its store together: every command is persisted first, then applied.
#[derive(Debug)]
pub struct Durable<S: Store> {
    store: S,
    registry: Registry,
    checkpoint_every: Option<u64>,
    last_checkpoint: u64,
    poisoned: bool,
}

impl Durable<SqliteStore> {
    /// Open the registry held in a [`SqliteStore`], with its checkpoint interval.
    ///
    /// # Errors
    /// As [`Store::open_registry`].
    pub fn open(store: SqliteStore) -> Result<(Self, OpenReport), StoreError> {
        let every = store.options().checkpoints();
        Self::open_with(store, every)
    }

    /// Begin a [`SqliteStore`] with a fresh registry (its founding record).
    ///
    /// # Errors
    /// As [`Durable::create_with`].
    pub fn create(store: SqliteStore, registry: Registry) -> Result<Self, StoreError> {
        let every = store.options().checkpoints();
        Self::create_with(store, registry, every)
    }
}

impl<S: Store> Durable<S> {
    /// Open the registry `store` holds; write a checkpoint after every `checkpoint_every`
    /// records.
    ///
    /// # Errors
    /// As [`Store::open_registry`].
    pub fn open_with(mut store: S, checkpoint_every: Option<u64>) -> Result<(Self, OpenReport), StoreError> {
        let Opened { registry, report } = store.open_registry()?;
        let last_checkpoint = report.snapshot.map_or(0, |h| h.position);
        let book = Durable {
            store,
            registry,
            checkpoint_every: checkpoint_every.filter(|&n| n > 0),
            last_checkpoint,
            poisoned: false,
        };
        Ok((book, report))
    }

    /// Begin an empty `store` with a fresh `registry` (position 0): its founding record is
    /// appended.
    ///
    /// # Errors
    /// [`StoreError::Exists`] when the store holds a log already; [`StoreError::NotFresh`]
    /// for a registry that is past its founding record; the errors of [`Store::append`].
    pub fn create_with(mut store: S, registry: Registry, checkpoint_every: Option<u64>) -> Result<Self, StoreError> {
        if let Some(head) = store.head() {
            return Err(StoreError::Exists { position: head.position });
        }
        if registry.position() != 0 {
            return Err(StoreError::NotFresh { position: registry.position() });
        }
        store.append(&registry.founding_record())?;
        Ok(Durable {
            store,
            registry,
            checkpoint_every: checkpoint_every.filter(|&n| n > 0),
            last_checkpoint: 0,
            poisoned: false,
        })
    }

    /// The registry, for reads. It holds exactly the records the store holds.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The registry and the store, taken apart.
    pub fn into_parts(self) -> (Registry, S) {
        (self.registry, self.store)
    }

    /// Execute `command`: work out its record ([`Registry::prepare`]), append it durably,
    /// then apply it ([`Registry::commit`]). A request id answered before returns that first
    /// record, changing nothing. After every N records (the checkpoint interval) a snapshot is
    /// written before this returns: the whole registry (city_10m's 159 MB took 1.8–2.5 s on
    /// the benches' machine), so a host with a large registry sets a long interval.
    ///
    /// # Errors
    /// [`StoreError::Refused`] when the registry refuses the command; the errors of
    /// [`Store::append`]. On any error neither the store nor the registry has changed (after
    /// an uncertain write, [`StoreError::Poisoned`] until the store is opened again).
    pub fn execute(&mut self, command: Command, request: Option<RequestId>) -> Result<Executed, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        let prepared = self.registry.prepare(command, request).map_err(StoreError::Refused)?;
        self.persist_then_commit(prepared)
    }

    /// [`Durable::execute`] for a user limited to the subtrees of `roots` (a scope 管辖范围):
    /// refused, changing nothing, if the command would change anything outside them
    /// ([`Registry::prepare_within`]).
    ///
    /// # Errors
    /// As [`Durable::execute`].
    pub fn execute_within(
        &mut self,
        roots: &[UnitId],
        command: Command,
        request: Option<RequestId>,
    ) -> Result<Executed, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        let prepared = self.registry.prepare_within(roots, command, request).map_err(StoreError::Refused)?;
        self.persist_then_commit(prepared)
    }

    /// Append `prepared`'s record, then commit it (or answer a repeated request).
    fn persist_then_commit(&mut self, prepared: Prepared) -> Result<Executed, StoreError> {
        if let Some(position) = prepared.repeated() {
            let record = self.store.record(position)?.ok_or(StoreError::Corrupt {
                what: format!("the registry remembers record {position}, which the store does not hold"),
            })?;
            return Ok(Executed { record, repeated: true, checkpoint: None });
        }
        let record = match prepared.record() {
            Some(record) => record.clone(),
            None => return Err(StoreError::Corrupt { what: "a prepared command without a record".to_owned() }),
        };
        self.store.append(&record)?;
        if let Err(e) = self.registry.commit(prepared) {
            // The record is on disk and the registry did not take it: only reopening mends it.
            self.poisoned = true;
            return Err(StoreError::Record { position: record.position(), source: e });
        }
        let checkpoint = match self.checkpoint_every {
            Some(n) if self.registry.position().saturating_sub(self.last_checkpoint) >= n => {
                Some(self.checkpoint().map_err(|e| e.to_string()))
            }
            _ => None,
        };
        Ok(Executed { record, repeated: false, checkpoint })
    }

    /// Write a checkpoint snapshot of the registry now.
    ///
    /// # Errors
    /// As [`Store::checkpoint`].
    pub fn checkpoint(&mut self) -> Result<Head, StoreError> {
        let head = self.store.checkpoint(&self.registry)?;
        self.last_checkpoint = head.position;
        Ok(head)
    }
}
