//! The embedded default store: one SQLite database of records, snapshot files beside it.
//!
//! ```text
//! <dir>/records.sqlite   the log: one row per record (WAL, synchronous=FULL)
//! <dir>/lock.sqlite      held in an exclusive transaction while a writer has the store open
//! <dir>/snapshots/<position>.wgsnap   checkpoints in the codec's encoding
//! ```
//!
//! # The writer's lock
//! A writer holds `BEGIN EXCLUSIVE` on `lock.sqlite` for as long as it has the store open. It
//! is SQLite's own file lock (POSIX `fcntl`), which SQLite also keeps straight between two
//! connections of one process; the kernel drops it when the process dies, even by `kill -9`,
//! so a crash never leaves a stale lock behind (a lock row in a table would). No new crate is
//! needed for it, and `File::try_lock` needs a Rust newer than our MSRV.
//!
//! # Readers
//! The records database is in WAL mode, so [`SqliteStore::reader`] reads records while the
//! writer appends, without waiting for its fsync.

use std::fs::{self, File};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use wangge::Registry;
use wangge::registry::{Head, Record};

use crate::codec::{self, Header};
use crate::{OpenReport, Opened, SkippedSnapshot, Store, StoreError};

/// The layout of the records database this build writes (the `meta` table's `layout`).
pub const LAYOUT: u32 = 1;

/// Options of a [`SqliteStore`], by value with documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    checkpoint_every: Option<u64>,
    keep_snapshots: usize,
    size_limit: Option<u64>,
    fsync: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { checkpoint_every: Some(100_000), keep_snapshots: 2, size_limit: None, fsync: true }
    }
}

impl Options {
    /// The defaults: a checkpoint every 100,000 records, the newest 2 snapshots kept, no size
    /// limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Write a checkpoint snapshot after every `n` records ([`Durable::execute`](crate::Durable::execute));
    /// `None` never writes one by itself.
    pub fn checkpoint_every(mut self, n: Option<u64>) -> Self {
        self.checkpoint_every = n.filter(|&n| n > 0);
        self
    }

    /// Keep the newest `n` snapshots (at least 1), removing older ones after a checkpoint.
    pub fn keep_snapshots(mut self, n: usize) -> Self {
        self.keep_snapshots = n.max(1);
        self
    }

    /// Refuse to grow the records database beyond about `bytes` (SQLite's `max_page_count`):
    /// an append that needs more fails with [`StoreError::Full`] and changes nothing, as on a
    /// full disk.
    pub fn size_limit(mut self, bytes: Option<u64>) -> Self {
        self.size_limit = bytes;
        self
    }

    /// Whether every record is fsynced before it is acknowledged (the default, SQLite's
    /// `synchronous=FULL`). `false` is `synchronous=NORMAL` in WAL mode: a crashed process
    /// still loses nothing acknowledged (the record is in the operating system's cache), the
    /// database is never corrupted, but a power cut may lose the last records acknowledged
    /// (the registry reopens at an earlier record). For a host that can lose a few seconds of
    /// commands on a power cut, or whose disk syncs slowly.
    pub fn fsync(mut self, on: bool) -> Self {
        self.fsync = on;
        self
    }

    /// How many records between checkpoints, if any.
    pub fn checkpoints(&self) -> Option<u64> {
        self.checkpoint_every
    }
}

/// The embedded default store 嵌入式存储: one SQLite database of records, snapshot files beside it.
///
/// ```text
/// <dir>/records.sqlite   the log: one row per record (WAL, synchronous=FULL)
/// <dir>/lock.sqlite      held in an exclusive transaction while a writer has the store open
/// <dir>/snapshots/<position>.wgsnap   checkpoints in the codec's encoding
/// ```
///
/// # The writer's lock
/// A writer holds `BEGIN EXCLUSIVE` on `lock.sqlite` for as long as it has the store open. It
/// is SQLite's own file lock (POSIX `fcntl`), which SQLite also keeps straight between two
/// connections of one process; the kernel drops it when the process dies, even by `kill -9`,
/// so a crash never leaves a stale lock behind (a lock row in a table would). No new crate is
/// needed for it, and `File::try_lock` needs a Rust newer than our MSRV.
///
/// # Readers
/// The records database is in WAL mode, so [`SqliteStore::reader`] reads records while the
/// writer appends, without waiting for its fsync.
#[derive(Debug)]
pub struct SqliteStore {
    dir: PathBuf,
    db: Connection,
    /// Holds the writer's lock while the store is open (`None` for a reader).
    _lock: Option<Connection>,
    options: Options,
    /// The last record's head, as written.
    head: Option<Head>,
    /// A write failed uncertainly: refuse further writes.
    poisoned: bool,
}

impl SqliteStore {
    /// Open (creating if needed) the store in directory `dir` as its one writer.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another writer has it open; [`StoreError::Io`] when the
    /// directory cannot be made; [`StoreError::UnsupportedLayout`] for a newer layout;
    /// [`StoreError::Corrupt`] or [`StoreError::Sqlite`] when the database cannot be read.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<SqliteStore, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(dir.join("snapshots")).map_err(|source| StoreError::Io { path: dir.clone(), source })?;
        let lock = Connection::open(dir.join("lock.sqlite"))?;
        lock.busy_timeout(std::time::Duration::ZERO)?;
        if let Err(e) = lock.execute_batch("BEGIN EXCLUSIVE") {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    StoreError::Locked { path: dir }
                }
                _ => e.into(),
            });
        }
        let db = Connection::open(dir.join("records.sqlite"))?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = db.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt { what: format!("the database refuses WAL mode ({mode})") });
        }
        db.execute_batch(if options.fsync { "PRAGMA synchronous=FULL" } else { "PRAGMA synchronous=NORMAL" })?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
             CREATE TABLE IF NOT EXISTS records (
                 position INTEGER PRIMARY KEY,
                 digest BLOB NOT NULL,
                 body BLOB NOT NULL
             ) STRICT;",
        )?;
        let layout: Option<i64> =
            db.query_row("SELECT value FROM meta WHERE key = 'layout'", [], |r| r.get(0)).optional()?;
        match layout {
            None => {
                db.execute("INSERT INTO meta (key, value) VALUES ('layout', ?1)", [LAYOUT])?;
            }
            Some(found) if found == i64::from(LAYOUT) => {}
            Some(found) => {
                return Err(StoreError::UnsupportedLayout {
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    supported: LAYOUT,
                });
            }
        }
        if let Some(bytes) = options.size_limit {
            let page: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = (bytes / u64::try_from(page.max(512)).unwrap_or(4096)).max(1);
            let _: i64 = db.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0))?;
        }
        let mut store = SqliteStore { dir, db, _lock: Some(lock), options, head: None, poisoned: false };
        store.head = store.last_head()?;
        store.remove_unfinished_snapshots();
        Ok(store)
    }

    /// Open the store in `dir` to read records while a writer may append (no lock taken; WAL
    /// lets it read the last committed state without waiting). [`Store::append`] and
    /// [`Store::checkpoint`] on it are refused with [`StoreError::Locked`].
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the database cannot be opened.
    pub fn reader(dir: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let db = Connection::open_with_flags(
            dir.join("records.sqlite"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = SqliteStore { dir, db, _lock: None, options: Options::default(), head: None, poisoned: false };
        store.head = store.last_head()?;
        Ok(store)
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The options it was opened with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The directory of its snapshots.
    pub fn snapshot_dir(&self) -> PathBuf {
        self.dir.join("snapshots")
    }

    /// The file of the records database.
    pub fn database_path(&self) -> PathBuf {
        self.dir.join("records.sqlite")
    }

    /// Merge the write-ahead log into the database file (SQLite's checkpoint, not a snapshot):
    /// afterwards the database file alone holds every record.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn flush_wal(&self) -> Result<(), StoreError> {
        self.db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Append many records in one transaction (importing an existing log): all or none.
    ///
    /// # Errors
    /// As [`Store::append`].
    pub fn append_all<'r>(&mut self, records: impl IntoIterator<Item = &'r Record>) -> Result<(), StoreError> {
        self.writable()?;
        let mut head = self.head;
        let tx = self.db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO records (position, digest, body) VALUES (?1, ?2, ?3)")?;
            for record in records {
                check_next(head, record)?;
                let body = codec::record_to_bytes(record)
                    .map_err(|e| StoreError::Corrupt { what: format!("record {}: {e}", record.position()) })?;
                insert.execute(params![position_sql(record.position())?, &record.digest().as_bytes()[..], body])?;
                head = Some(record.head());
            }
        }
        tx.commit()?;
        self.head = head;
        Ok(())
    }

    /// Remove the temporary files of snapshot writes a crash cut short (never read: only a
    /// finished write is renamed to a snapshot's name).
    fn remove_unfinished_snapshots(&self) {
        if let Ok(entries) = fs::read_dir(self.snapshot_dir()) {
            for path in entries.filter_map(Result::ok).map(|e| e.path()) {
                if path.extension().is_some_and(|x| x == "tmp") {
                    // Left behind, it costs space, not correctness.
                    let _ = fs::remove_file(path);
                }
            }
        }
    }

    /// Whether the store was opened for writing.
    fn writable(&self) -> Result<(), StoreError> {
        if self._lock.is_none() {
            return Err(StoreError::Locked { path: self.dir.clone() });
        }
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        Ok(())
    }

    /// The last record's head, read from the database.
    fn last_head(&self) -> Result<Option<Head>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = self
            .db
            .query_row("SELECT position, digest FROM records ORDER BY position DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(position, digest)| head_from_row(position, &digest)).transpose()
    }

    /// The digest stored for `position`, if the store has that record.
    fn digest_at(&self, position: u64) -> Result<Option<Head>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = self
            .db
            .query_row("SELECT position, digest FROM records WHERE position = ?1", [position_sql(position)?], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(position, digest)| head_from_row(position, &digest)).transpose()
    }

    /// The snapshot files, newest first, with their positions (from their names).
    fn snapshot_files(&self) -> Result<Vec<(u64, PathBuf)>, StoreError> {
        let dir = self.snapshot_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(StoreError::Io { path: dir, source }),
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Io { path: dir.clone(), source })?;
            let path = entry.path();
            let position = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".wgsnap"))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(position) = position {
                found.push((position, path));
            }
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        Ok(found)
    }

    /// Load the snapshot in `path` if it covers a record of this log; `Err` says why not.
    fn load_snapshot(&self, path: &Path) -> Result<Registry, SkippedSnapshot> {
        let skip = |reason: String| SkippedSnapshot { path: path.to_path_buf(), reason };
        let mut file = File::open(path).map_err(|e| skip(e.to_string()))?;
        let header: Header = codec::read_header(&mut file).map_err(|e| skip(e.to_string()))?;
        match self.digest_at(header.head.position) {
            Ok(Some(head)) if head == header.head => {}
            Ok(Some(_)) => {
                return Err(skip(format!(
                    "its head (position {}) is not this log's record at that position: a snapshot of another \
                     registry or of another history",
                    header.head.position
                )));
            }
            Ok(None) => {
                return Err(skip(format!("it covers position {}, which this log does not hold", header.head.position)));
            }
            Err(e) => return Err(skip(e.to_string())),
        }
        let mut bytes = Vec::new();
        File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| skip(e.to_string()))?;
        let (_, snapshot) = codec::read_snapshot(&bytes).map_err(|e| skip(e.to_string()))?;
        drop(bytes);
        let registry = Registry::from_snapshot(snapshot).map_err(|e| skip(e.to_string()))?;
        if registry.head() != header.head {
            return Err(skip(format!("it loads at position {}, not the header's", registry.position())));
        }
        Ok(registry)
    }

    /// Decode a record row, checking it says what its key says.
    fn decode_row(position: i64, digest: &[u8], body: &[u8]) -> Result<Record, StoreError> {
        let head = head_from_row(position, digest)?;
        let record = codec::record_from_bytes(body)
            .map_err(|e| StoreError::Corrupt { what: format!("record {}: {e}", head.position) })?;
        if record.head() != head {
            return Err(StoreError::Corrupt {
                what: format!(
                    "the row of position {} holds the record of position {} or another digest",
                    head.position,
                    record.position()
                ),
            });
        }
        Ok(record)
    }

    /// Check every record from the first: each decodes, continues its predecessor's digest,
    /// and the database passes SQLite's `integrity_check`. Reads the whole log.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the first problem.
    pub fn verify(&self) -> Result<u64, StoreError> {
        let check: String = self.db.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt { what: check });
        }
        let mut previous: Option<Head> = None;
        let mut count = 0;
        self.read(0, &mut |record| {
            let expected = previous.map_or(0, |h| h.position + 1);
            let before = previous.map_or(wangge::registry::Digest::GENESIS, |h| h.digest);
            if record.position() != expected || !record.continues(&before) {
                return Err(StoreError::Corrupt {
                    what: format!("record {} does not continue the digest chain", record.position()),
                });
            }
            previous = Some(record.head());
            count += 1;
            Ok(())
        })?;
        Ok(count)
    }
}

/// `position` as SQLite's integer.
fn position_sql(position: u64) -> Result<i64, StoreError> {
    i64::try_from(position)
        .map_err(|_| StoreError::Corrupt { what: format!("position {position} beyond SQLite's integers") })
}

/// A head from a row's position and digest.
fn head_from_row(position: i64, digest: &[u8]) -> Result<Head, StoreError> {
    let position = u64::try_from(position)
        .map_err(|_| StoreError::Corrupt { what: format!("a record at the negative position {position}") })?;
    let bytes: [u8; 32] = digest.try_into().map_err(|_| StoreError::Corrupt {
        what: format!("record {position} has a digest of {} bytes", digest.len()),
    })?;
    Ok(Head { position, digest: codec::digest_from(bytes) })
}

/// `record` must come right after `head` (position 0 for an empty store).
fn check_next(head: Option<Head>, record: &Record) -> Result<(), StoreError> {
    let expected = head.map_or(0, |h| h.position + 1);
    if record.position() != expected {
        return Err(StoreError::OutOfSequence { expected, found: record.position() });
    }
    Ok(())
}

impl Store for SqliteStore {
    fn head(&self) -> Option<Head> {
        self.head
    }

    fn append(&mut self, record: &Record) -> Result<(), StoreError> {
        self.writable()?;
        check_next(self.head, record)?;
        let body = codec::record_to_bytes(record)
            .map_err(|e| StoreError::Corrupt { what: format!("record {}: {e}", record.position()) })?;
        let written = (|| -> Result<(), rusqlite::Error> {
            let tx = self.db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached("INSERT INTO records (position, digest, body) VALUES (?1, ?2, ?3)")?.execute(params![
                i64::try_from(record.position()).unwrap_or(i64::MAX),
                &record.digest().as_bytes()[..],
                body
            ])?;
            tx.commit()
        })();
        match written {
            Ok(()) => {
                self.head = Some(record.head());
                Ok(())
            }
            Err(e) => {
                // SQLite rolls a failed transaction back; read what the disk holds to be sure.
                match self.last_head() {
                    Ok(h) if h == Some(record.head()) => {
                        self.head = h;
                        Ok(())
                    }
                    Ok(h) if h == self.head => Err(e.into()),
                    _ => {
                        self.poisoned = true;
                        Err(e.into())
                    }
                }
            }
        }
    }

    fn read(&self, from: u64, visit: &mut dyn FnMut(Record) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut stmt = self
            .db
            .prepare_cached("SELECT position, digest, body FROM records WHERE position >= ?1 ORDER BY position")?;
        let mut rows = stmt.query([position_sql(from)?])?;
        while let Some(row) = rows.next()? {
            let position: i64 = row.get(0)?;
            let digest = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            let body = row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
            visit(Self::decode_row(position, digest, body)?)?;
        }
        Ok(())
    }

    fn record(&self, position: u64) -> Result<Option<Record>, StoreError> {
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = self
            .db
            .query_row(
                "SELECT position, digest, body FROM records WHERE position = ?1",
                [position_sql(position)?],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(p, d, b)| Self::decode_row(p, &d, &b)).transpose()
    }

    fn checkpoint(&mut self, registry: &Registry) -> Result<Head, StoreError> {
        self.writable()?;
        let head = registry.head();
        if self.digest_at(head.position)? != Some(head) {
            return Err(StoreError::ForeignHead { position: head.position });
        }
        let dir = self.snapshot_dir();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        let name = format!("{:020}.wgsnap", head.position);
        let tmp = dir.join(format!("{name}.tmp"));
        let path = dir.join(&name);
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        codec::write_registry(registry, &mut w).map_err(|source| StoreError::Snapshot { path: tmp.clone(), source })?;
        let file = w.into_inner().map_err(|e| StoreError::Io { path: tmp.clone(), source: e.into_error() })?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        File::open(&dir).and_then(|d| d.sync_all()).map_err(io(&dir))?;
        let keep = self.options.keep_snapshots;
        for (_, old) in self.snapshot_files()?.into_iter().skip(keep) {
            // An old snapshot left behind costs space, not correctness.
            let _ = fs::remove_file(old);
        }
        Ok(head)
    }

    fn open_registry(&mut self) -> Result<Opened, StoreError> {
        let Some(last) = self.head else {
            return Err(StoreError::Empty { path: self.dir.clone() });
        };
        let mut skipped = Vec::new();
        let mut loaded = None;
        for (_, path) in self.snapshot_files()? {
            match self.load_snapshot(&path) {
                Ok(registry) => {
                    loaded = Some(registry);
                    break;
                }
                Err(skip) => skipped.push(skip),
            }
        }
        let snapshot = loaded.as_ref().map(Registry::head);
        let mut replayed = 0;
        let registry = match loaded {
            Some(mut registry) => {
                self.read(registry.position() + 1, &mut |record| {
                    let position = record.position();
                    registry.apply_record(&record).map_err(|source| StoreError::Record { position, source })?;
                    replayed += 1;
                    Ok(())
                })?;
                registry
            }
            None => {
                let mut registry: Option<Registry> = None;
                self.read(0, &mut |record| {
                    let position = record.position();
                    match registry.as_mut() {
                        Some(reg) => {
                            reg.apply_record(&record).map_err(|source| StoreError::Record { position, source })?
                        }
                        None => {
                            registry = Some(
                                Registry::replay_records([&record])
                                    .map_err(|source| StoreError::Record { position, source })?,
                            )
                        }
                    }
                    replayed += 1;
                    Ok(())
                })?;
                registry.ok_or_else(|| StoreError::Empty { path: self.dir.clone() })?
            }
        };
        if registry.head() != last {
            return Err(StoreError::Corrupt {
                what: format!("the log ends at {}, the records read reach {}", last.position, registry.position()),
            });
        }
        Ok(Opened { registry, report: OpenReport { snapshot, replayed, skipped } })
    }
}
