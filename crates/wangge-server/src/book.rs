//! The service's registry and its store: persist first, then apply; readers never wait for the
//! disk.
//!
//! [`Durable`](wangge_store::Durable) keeps a registry and its store together behind one
//! `&mut`: a host that shares the registry with concurrent readers would have to lock it for
//! the whole command, fsync included. [`Book`] opens (or creates) the store through `Durable`
//! and then splits the same steps over two locks:
//!
//! 1. the writer's mutex is taken (one writer at a time, as the store wants);
//! 2. the command is decided against the registry under a **read** lock
//!    ([`Registry::prepare`] / [`Registry::prepare_within`]): readers go on;
//! 3. its record is appended to the store and synced, with **no** lock on the registry;
//! 4. the record is applied under the **write** lock ([`Registry::commit`]), which readers wait
//!    for: the apply only, never the fsync.
//!
//! So memory is never ahead of the disk (a record is applied only once it is durable) and a
//! failed append leaves both as they were. A commit that fails after its record was written
//! cannot happen while the writer's mutex is held (nothing else changes the registry); if it
//! did, the book refuses every later write until it is opened again, as `Durable` does.

use std::path::Path;
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

use wangge::registry::{Record, RequestId};
use wangge::{Command, Registry, UnitId};
use wangge_store::{Durable, OpenReport, Options, SqliteStore, Store, StoreError};

/// What a write gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The command's record: written now, or for a retried request id the first one.
    pub record: Record,
    /// Whether the request id was answered before (nothing was written now).
    pub repeated: bool,
}

/// What opening a book found.
#[derive(Debug)]
pub enum Opening {
    /// The store held a log: the registry was opened from its newest snapshot and the tail.
    Opened(OpenReport),
    /// The store was empty and was created with the records given (how many).
    Created(u64),
}

/// The registry in memory, for readers, and the writer's store.
#[derive(Debug)]
pub struct Book {
    registry: RwLock<Registry>,
    writer: Mutex<Writer>,
}

#[derive(Debug)]
struct Writer {
    store: SqliteStore,
    checkpoint_every: Option<u64>,
    last_checkpoint: u64,
    poisoned: bool,
}

impl Book {
    /// Open the store in `dir`; when it holds no log yet, create it with the records `seed`
    /// gives (the founding record first), checked by replaying them before anything is
    /// written, then written in one transaction and a checkpoint.
    ///
    /// # Errors
    /// The store's errors ([`StoreError::Locked`] when another writer holds it); a seed the
    /// registry refuses ([`StoreError::Record`]).
    pub fn open_or_seed(
        dir: &Path,
        options: Options,
        seed: impl FnOnce() -> Result<Vec<Record>, wangge::Error>,
    ) -> Result<(Book, Opening), StoreError> {
        let mut store = SqliteStore::open(dir, options)?;
        let every = store.options().checkpoints();
        if store.head().is_none() {
            let records = seed().map_err(|e| StoreError::Record { position: 0, source: e })?;
            let registry =
                Registry::replay_records(&records).map_err(|e| StoreError::Record { position: 0, source: e })?;
            store.append_all(&records)?;
            let head = store.checkpoint(&registry)?;
            let book = Book::from_parts(registry, store, every, head.position);
            return Ok((book, Opening::Created(records.len() as u64)));
        }
        let (durable, report) = Durable::open(store)?;
        let last = report.snapshot.map_or(0, |h| h.position);
        let (registry, store) = durable.into_parts();
        Ok((Book::from_parts(registry, store, every, last), Opening::Opened(report)))
    }

    fn from_parts(registry: Registry, store: SqliteStore, every: Option<u64>, last_checkpoint: u64) -> Book {
        Book {
            registry: RwLock::new(registry),
            writer: Mutex::new(Writer {
                store,
                checkpoint_every: every.filter(|&n| n > 0),
                last_checkpoint,
                poisoned: false,
            }),
        }
    }

    /// The registry, for reads: a read lock, held by the caller until the guard is dropped
    /// (keep it short: a commit waits for it).
    pub fn read(&self) -> RwLockReadGuard<'_, Registry> {
        // A panic while the lock was held cannot leave the registry half-changed: commit
        // changes nothing when it fails, and nothing else writes. So a poisoned lock is used.
        self.registry.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Execute `command`, through the scope of `roots` when given (then refused if it reaches
    /// outside them, and a city-wide command refused as [`wangge::RegistryError::CityWide`]):
    /// decide it, persist its record, then apply it. A request id answered before returns the
    /// first record and changes nothing.
    ///
    /// # Errors
    /// [`StoreError::Refused`] with the registry's reason; the store's errors (nothing applied).
    pub fn execute(
        &self,
        roots: Option<&[UnitId]>,
        command: Command,
        request: Option<RequestId>,
    ) -> Result<Written, StoreError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if writer.poisoned {
            return Err(StoreError::Poisoned);
        }
        let prepared = {
            let registry = self.read();
            match roots {
                None => registry.prepare(command, request),
                Some(roots) => registry.prepare_within(roots, command, request),
            }
        }
        .map_err(StoreError::Refused)?;
        if let Some(position) = prepared.repeated() {
            let record = writer.store.record(position)?.ok_or_else(|| StoreError::Corrupt {
                what: format!("the registry remembers record {position}, which the store does not hold"),
            })?;
            return Ok(Written { record, repeated: true });
        }
        let Some(record) = prepared.record().cloned() else {
            return Err(StoreError::Corrupt { what: "a prepared command without a record".to_owned() });
        };
        // The fsync: readers are not blocked, only other writers (by the mutex).
        writer.store.append(&record)?;
        let committed = self.registry.write().unwrap_or_else(PoisonError::into_inner).commit(prepared);
        if let Err(source) = committed {
            writer.poisoned = true;
            return Err(StoreError::Record { position: record.position(), source });
        }
        if let Some(n) = writer.checkpoint_every
            && record.position().saturating_sub(writer.last_checkpoint) >= n
        {
            let registry = self.read();
            // The command is durable either way; a failed checkpoint is retried after the next.
            if let Ok(head) = writer.store.checkpoint(&registry) {
                writer.last_checkpoint = head.position;
            }
        }
        Ok(Written { record, repeated: false })
    }
}
