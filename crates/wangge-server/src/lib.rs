//! # wangge-server 服务: the reference service of wangge
//!
//! The registry of a sub-district (or a city) in memory behind an HTTP JSON API, every change
//! persisted in the event store ([`wangge_store`], SQLite) before it is applied.
//!
//! - **Writes**: `POST /commands` takes the core's serde [`Command`](wangge::Command) JSON;
//!   a `Request-Id` header makes it exactly once (the same id again answers the first record,
//!   changing nothing). The record is decided, appended and synced, then applied: memory is
//!   never ahead of the disk, and readers never wait for the fsync ([`Book`]).
//! - **Who**: bearer tokens from a JSON file ([`config`]), each mapped to a role (the command
//!   categories and kinds it may send) and a scope 管辖范围 (a unit subtree, an overlay cell or
//!   the whole registry). Fail closed: an unknown token 401, a command kind its role lacks 403,
//!   a token with no scope sees nothing; reads and writes go through the core's
//!   [`Scope`](wangge::Scope), so a scoped token learns nothing of what lies outside, and a
//!   city-wide command through a scope gets the core's `registry.city_wide` refusal.
//! - **Reports**: the tallies of a unit and its children, the households of a unit (paged),
//!   the courtyard map (SVG), the agenda of a date (paged, with door labels and unit names), a
//!   staff member's worklist; `/openapi.json` describes them ([`openapi`]).
//! - **The dashboard** 看板: `/dashboard?token=…` renders the morning view as HTML
//!   ([`dashboard`]).
//! - **Errors**: `{"code", "kind", "message"}`, the status from the core's
//!   [`Error::kind`](wangge::Error::kind): not found 404, conflict 409, invalid 422,
//!   forbidden 403, corrupt 500 ([`ApiError`]).
//!
//! `cargo run --release -p wangge-server` starts it on a store under the system's temporary
//! directory, loaded with the Huayuan Road demo ([`wangge::demo`]) when empty, and prints its
//! address and a demo token.
//!
//! ```no_run
//! use std::sync::Arc;
//! use wangge_server::{App, Book, Tokens};
//!
//! let dir = std::env::temp_dir().join("wangge-server-doc");
//! let (book, _) = Book::open_or_seed(&dir, wangge_store::Options::new(), || {
//!     Ok(wangge::demo::Story::new()?.records)
//! })?;
//! let tokens = Tokens::from_json(r#"{"roles": {"all": {"categories": ["case"]}},
//!                                    "tokens": [{"token": "t", "role": "all", "scope": "all"}]}"#)?;
//! let running = wangge_server::spawn(App { book: Arc::new(book), tokens: Arc::new(tokens) }, "127.0.0.1:0".parse()?)?;
//! println!("http://{}", running.addr());
//! running.stop()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod book;
pub mod config;
pub mod dashboard;
mod error;
pub mod openapi;

use std::net::SocketAddr;

pub use api::{App, PAGE_LIMIT, REQUEST_ID, router};
pub use book::{Book, Opening, Written};
pub use config::{Access, ConfigError, Reach, Role, ScopeSpec, Tokens};
pub use error::{ApiError, status_of};

/// A server running on a thread of its own (with its own runtime), until [`Running::stop`]
/// or drop.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Start serving `app` on `addr` (port 0: any free port) on a new thread.
///
/// # Errors
/// The address cannot be bound.
pub fn spawn(app: App, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, router(app))
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        })
    });
    Ok(Running { addr, stop: Some(stop), thread: Some(thread) })
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop: finish the requests in flight, close, and drop the registry and its store (whose
    /// writer's lock is then free).
    ///
    /// # Errors
    /// The server's own failure, if it had one.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.shut()
    }

    fn shut(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the server's thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shut();
    }
}
