//! # wangge-py: the Python package `wangge` 网格
//!
//! The registry of the core crate [`wangge`] for researchers who write their simulations in
//! Python: build a city from a level scheme or a seeded synthetic city, apply commands (dicts
//! of the same JSON shapes as the Rust serde types), read tallies, the agenda, worklists, maps
//! and the schedules of isolation policies; and, for the simulation loop, apply many commands
//! in one call with the GIL released and read every unit's tally and every person's colour
//! and state as NumPy arrays.
//!
//! Install it with `pip install ./crates/wangge-py` (maturin builds it; the Python package is
//! `python/wangge/`, the extension module `wangge._wangge`). Its type stubs are
//! `python/wangge/__init__.pyi` (with `py.typed`); `help(wangge.Registry)` reads these docs.
//!
//! ## Layout
//! - `errors.rs`: the exceptions, one per [`wangge::ErrorKind`], with `.code` and `.kind`;
//! - `convert.rs`: dates, enum names and serde values between Python and the core;
//! - `registry.rs`: `wangge.Registry` and the preset functions;
//! - `bench.rs`: the submodule `wangge._bench`, the daily step called from Rust, the
//!   baseline of `bench/daily_step.py`.
//!
//! A submodule (as `wangge.sim` will be, wrapping `wangge::sim`) is a file with a
//! `register(parent)` that builds it, adds it to the parent and to `sys.modules`, as
//! `bench.rs` does; `python/wangge/__init__.py` re-exports what is public.
//!
//! ## Errors
//! A refused command raises the subclass of `wangge.WanggeError` of its kind (`NotFound`,
//! `Conflict`, `Invalid`, `Forbidden`, `Corrupt`), with the core's code and kind; input that
//! is not the shape asked for (a dict that is no command, a bad date) raises `ValueError` or
//! `TypeError`, as Python's own functions do.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod convert;
pub mod errors;
pub mod registry;

use pyo3::prelude::*;

/// The extension module `wangge._wangge`, re-exported by the package `wangge`.
#[pymodule]
#[pyo3(name = "_wangge")]
fn wangge_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    registry::register(m)?;
    bench::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
