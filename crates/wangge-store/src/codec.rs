//! The snapshot encoding 快照编码: a fixed header, then the core's [`Snapshot`] as positional
//! MessagePack (encoding 2; encoding 1, MessagePack with named fields, is still read).
//!
//! ```text
//! offset  size  field
//!      0     8  magic        89 'W' 'G' 'S' 'N' 'A' 'P' 0A  (a text-mode transfer breaks it)
//!      8     2  encoding     2 = MessagePack positional, 1 = with named fields (rmp-serde), u16 LE
//!     10     4  format       the core's FORMAT_VERSION of the body, u32
//!     14     8  position     the head the snapshot covers: its last record's position, u64
//!     22    32  digest       ... and that record's digest
//!     54     8  body length  u64
//!     62    32  body SHA-256
//!     94     …  body
//! ```
//!
//! The header is read alone to choose a snapshot (its head must be a record of the log) before
//! the body is read; the body's checksum refuses a torn or altered file, and the core's own
//! checks ([`Registry::from_snapshot`]) refuse any state no command could reach. A newer build
//! reads every older encoding and, through the core, every older format (format 5 is upgraded):
//! the encoding and the format are versioned separately, so either can move alone.
//!
//! # Encoding 2: positional MessagePack
//! Structs are arrays of their fields in declaration order, enums their variant's name: the
//! bytes carry no field names, so a snapshot is smaller and faster to read. The core makes
//! this safe: its types leave empty fields out (`skip_serializing_if`, which would shift the
//! fields after them) only in human-readable forms such as JSON, and write every field in
//! binary forms (`is_human_readable` false, rmp-serde's default), and the two values a
//! snapshot holds per person are compact there: a person's state is one integer (its date's day
//! number × 16 + its state's index), a record with nothing but markers their bits. Older
//! formats are still read (format 5 is upgraded by the core): the [`Snapshot`] reader takes the
//! format first from an array as from a map.
//!
//! Measured on city_1m (`CityShape::with_households(350_000)`, release, Intel Xeon, 2 vCPUs,
//! one run each on a shared machine): encoding 1 39 MB, decoded in 0.35 s; positional with
//! dates as text 32 MB, 0.29 s (a quarter of it parsing dates); positional with dates as day
//! numbers 26 MB, 0.14 s. On city_10m, encoding 1 405 MB, positional with day numbers
//! 270 MB, encoding 2 with the compact per-person values 159 MB, decoded in 1.1–1.5 s, and in
//! 0.76–1.0 s once the core's `PersonRecord` was made 24 bytes and a door kept the text it is
//! read from: see `BENCHMARKS.md`.
//!
//! # Encoding 1: MessagePack with named fields
//! What this crate wrote first, read forever (a golden file written by that code is read by
//! `tests/codec.rs`). The same decoder reads it: every type reads a map of named fields as
//! well as an array, and a date as text as well as a day number.

use std::io::{Read, Seek, SeekFrom, Write};

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use wangge::registry::{Digest, FORMAT_VERSION, Head, Record};
use wangge::{Registry, Snapshot};

use crate::CodecError;

/// The first 8 bytes of every snapshot.
pub const MAGIC: [u8; 8] = *b"\x89WGSNAP\n";

/// The encoding this build writes (2, MessagePack positional); it reads every encoding up to it.
pub const ENCODING: u16 = 2;

/// Encoding 1: MessagePack with named fields (struct-map), written until encoding 2; read forever.
pub const ENCODING_NAMED: u16 = 1;

/// Encoding 2: MessagePack positional (structs as arrays, fields in declaration order, every
/// field written), what this build writes.
pub const ENCODING_POSITIONAL: u16 = 2;

/// The length of the header, in bytes.
pub const HEADER_LEN: usize = 94;

/// A snapshot's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The encoding of the body.
    pub encoding: u16,
    /// The core's format version of the body.
    pub format: u32,
    /// The head of the log the snapshot covers.
    pub head: Head,
    /// The length of the body, in bytes.
    pub body_len: u64,
    /// The SHA-256 of the body.
    pub body_sha256: [u8; 32],
}

impl Header {
    /// The header as bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&self.encoding.to_le_bytes());
        out[10..14].copy_from_slice(&self.format.to_le_bytes());
        out[14..22].copy_from_slice(&self.head.position.to_le_bytes());
        out[22..54].copy_from_slice(self.head.digest.as_bytes());
        out[54..62].copy_from_slice(&self.body_len.to_le_bytes());
        out[62..94].copy_from_slice(&self.body_sha256);
        out
    }

    /// Read a header from the first [`HEADER_LEN`] bytes of `bytes`.
    ///
    /// # Errors
    /// [`CodecError::Magic`] when they do not begin with [`MAGIC`],
    /// [`CodecError::Truncated`] when there are fewer, [`CodecError::UnsupportedEncoding`]
    /// for an encoding newer than [`ENCODING`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Header, CodecError> {
        if bytes.len() < MAGIC.len() || bytes[..8] != MAGIC {
            return Err(CodecError::Magic);
        }
        let Some(h) = bytes.get(..HEADER_LEN) else {
            return Err(CodecError::Truncated { expected: HEADER_LEN as u64, found: bytes.len() as u64 });
        };
        let mut digest = [0; 32];
        digest.copy_from_slice(&h[22..54]);
        let mut body_sha256 = [0; 32];
        body_sha256.copy_from_slice(&h[62..94]);
        let header = Header {
            encoding: u16::from_le_bytes([h[8], h[9]]),
            format: u32::from_le_bytes([h[10], h[11], h[12], h[13]]),
            head: Head { position: u64_at(h, 14), digest: digest_from(digest) },
            body_len: u64_at(h, 54),
            body_sha256,
        };
        if header.encoding == 0 || header.encoding > ENCODING {
            return Err(CodecError::UnsupportedEncoding { found: header.encoding, supported: ENCODING });
        }
        Ok(header)
    }
}

/// The little-endian u64 at `at` (the caller holds at least `at + 8` bytes).
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// A [`Digest`] from its 32 bytes.
pub fn digest_from(bytes: [u8; 32]) -> Digest {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(hex, "{b:02x}");
    }
    // 64 hex digits always parse as a digest.
    hex.parse().unwrap_or(Digest::GENESIS)
}

/// Counts and hashes what passes through to `inner`.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write `value` (a snapshot, or a registry, which serialises as its snapshot) with a header
/// naming `format` and `head` to `w`, starting at its current position.
fn write_value<T: Serialize + ?Sized, W: Write + Seek>(
    value: &T,
    format: u32,
    head: Head,
    mut w: W,
) -> Result<Header, CodecError> {
    let start = w.stream_position()?;
    w.write_all(&[0; HEADER_LEN])?;
    let (len, sum) = {
        let mut body =
            Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, &mut w), hasher: Sha256::new(), len: 0 };
        // Positional: rmp-serde's default, a binary form (not human-readable), so the core's
        // types write every field (see the module's docs).
        value.serialize(&mut rmp_serde::Serializer::new(&mut body)).map_err(|e| CodecError::Encode(e.to_string()))?;
        body.flush()?;
        let Hashing { inner, hasher, len } = body;
        inner.into_inner().map_err(|e| CodecError::Io(e.into_error()))?;
        (len, hasher.finalize().into())
    };
    let header = Header { encoding: ENCODING, format, head, body_len: len, body_sha256: sum };
    w.seek(SeekFrom::Start(start))?;
    w.write_all(&header.to_bytes())?;
    w.seek(SeekFrom::End(0))?;
    w.flush()?;
    Ok(header)
}

/// Write `registry`'s snapshot (without copying the registry) to `w`.
///
/// # Errors
/// [`CodecError::Io`] when writing fails, [`CodecError::Encode`] when a value does not encode.
pub fn write_registry<W: Write + Seek>(registry: &Registry, w: W) -> Result<Header, CodecError> {
    write_value(registry, FORMAT_VERSION, registry.head(), w)
}

/// Write `snapshot` to `w`, its header naming the snapshot's own format and head.
///
/// # Errors
/// As [`write_registry`].
pub fn write_snapshot<W: Write + Seek>(snapshot: &Snapshot, w: W) -> Result<Header, CodecError> {
    write_value(snapshot, snapshot.format, snapshot.head, w)
}

/// `snapshot` encoded, header and body, in memory.
///
/// # Errors
/// As [`write_registry`].
///
/// # Example
/// ```
/// use wangge::Registry;
/// use wangge::grid::{Level, LevelScheme, NewUnit, UnitKind};
/// use wangge_store::codec;
///
/// let reg = Registry::new(LevelScheme::foshan(), NewUnit::new("乐从镇", Level::new(0), UnitKind::Area))?;
/// let bytes = codec::snapshot_to_bytes(&reg.snapshot())?;
/// let (header, snapshot) = codec::read_snapshot(&bytes)?;
/// assert_eq!(header.head, reg.head());
/// assert_eq!(Registry::from_snapshot(snapshot)?, reg);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn snapshot_to_bytes(snapshot: &Snapshot) -> Result<Vec<u8>, CodecError> {
    let mut out = std::io::Cursor::new(Vec::new());
    write_snapshot(snapshot, &mut out)?;
    Ok(out.into_inner())
}

/// Read a whole snapshot from `bytes`: the header, the body checked against its length and
/// checksum, then decoded.
///
/// # Errors
/// The header's errors ([`Header::from_bytes`]); [`CodecError::Truncated`] when the body is
/// shorter than announced (longer is refused too, as a checksum mismatch would be);
/// [`CodecError::Checksum`]; [`CodecError::Decode`] when the body does not decode (a format
/// this build does not read says so in the message); [`CodecError::FormatMismatch`] and
/// [`CodecError::HeadMismatch`] when the body's format or head (format 6 on) is not the header's.
pub fn read_snapshot(bytes: &[u8]) -> Result<(Header, Snapshot), CodecError> {
    let header = Header::from_bytes(bytes)?;
    let body = &bytes[HEADER_LEN..];
    if body.len() as u64 != header.body_len {
        return Err(CodecError::Truncated {
            expected: (HEADER_LEN as u64).saturating_add(header.body_len),
            found: bytes.len() as u64,
        });
    }
    // Encodings 1 and 2 differ only in how structs are written (maps of named fields, arrays),
    // which the core's readers both take; `Header::from_bytes` refused any other encoding.
    let decode = || rmp_serde::from_slice::<Snapshot>(body);
    // The checksum on a second thread while this one decodes (both take a city's snapshot
    // a while): decoding bytes not yet checked is safe (any damage is a typed error, and serde
    // preallocates at most 1 MiB for a length the bytes announce), and nothing decoded is used
    // before the checksum matched. Without a second thread, one after the other.
    let (sum, decoded) = std::thread::scope(|scope| {
        let hashing = std::thread::Builder::new().spawn_scoped(scope, || -> [u8; 32] { Sha256::digest(body).into() });
        let decoded = decode();
        let sum = hashing.ok().and_then(|h| h.join().ok()).unwrap_or_else(|| Sha256::digest(body).into());
        (sum, decoded)
    });
    if sum != header.body_sha256 {
        return Err(CodecError::Checksum);
    }
    let snapshot = decoded.map_err(|e| CodecError::Decode(e.to_string()))?;
    if snapshot.format != header.format {
        return Err(CodecError::FormatMismatch { header: header.format, body: snapshot.format });
    }
    if snapshot.format >= 6 && snapshot.head != header.head {
        return Err(CodecError::HeadMismatch { header: header.head.position, body: snapshot.head.position });
    }
    Ok((header, snapshot))
}

/// Read a snapshot's header from the start of `r`.
///
/// # Errors
/// As [`Header::from_bytes`], and [`CodecError::Io`].
pub fn read_header<R: Read>(mut r: R) -> Result<Header, CodecError> {
    let mut buf = Vec::with_capacity(HEADER_LEN);
    r.by_ref().take(HEADER_LEN as u64).read_to_end(&mut buf)?;
    Header::from_bytes(&buf)
}

/// A record encoded as the store keeps it: MessagePack with named fields, in the core's
/// human-readable form (empty fields left out, dates as text), exactly the bytes the store
/// has always written for it: a record is small and read once, where a snapshot is large and
/// read on every open.
///
/// # Errors
/// [`CodecError::Encode`] when a value does not encode.
pub fn record_to_bytes(record: &Record) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    record
        .serialize(&mut rmp_serde::Serializer::new(&mut out).with_struct_map().with_human_readable())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// A record decoded from [`record_to_bytes`]'s form.
///
/// # Errors
/// [`CodecError::Decode`] when the bytes are not a record.
pub fn record_from_bytes(bytes: &[u8]) -> Result<Record, CodecError> {
    rmp_serde::from_slice(bytes).map_err(|e| CodecError::Decode(e.to_string()))
}
