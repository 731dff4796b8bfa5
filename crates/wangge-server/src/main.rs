//! `cargo run --release -p wangge-server`: the reference service on a SQLite store, with the
//! Huayuan Road demo when the store is empty.
//!
//! ```text
//! wangge-server [--addr 127.0.0.1:3018] [--data DIR] [--tokens FILE] [--demo-days N]
//! ```
//!
//! Each option also reads from the environment: `WANGGE_ADDR`, `WANGGE_DATA`, `WANGGE_TOKENS`.
//! The data directory (default `wangge-server` under the system's temporary directory) holds
//! the store (`store/`) and, unless `--tokens` names another file, `tokens.json`, written with
//! demo tokens when missing. An empty store is loaded with the Huayuan Road demo 花园路街道
//! lived through `--demo-days` days (default 10: the day a case is confirmed and its close
//! contacts go to centralised isolation).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use wangge_server::{App, Book, Opening, Tokens};

struct Args {
    addr: String,
    data: PathBuf,
    tokens: Option<PathBuf>,
    demo_days: u32,
}

fn args() -> Result<Args, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut args = Args {
        addr: env("WANGGE_ADDR").unwrap_or_else(|| "127.0.0.1:3018".to_owned()),
        data: env("WANGGE_DATA").map_or_else(|| std::env::temp_dir().join("wangge-server"), PathBuf::from),
        tokens: env("WANGGE_TOKENS").map(PathBuf::from),
        demo_days: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value()?,
            "--data" => args.data = PathBuf::from(value()?),
            "--tokens" => args.tokens = Some(PathBuf::from(value()?)),
            "--demo-days" => {
                args.demo_days = value()?.parse().map_err(|_| "--demo-days takes a number of days".to_owned())?;
            }
            "-h" | "--help" => {
                return Err(
                    "usage: wangge-server [--addr HOST:PORT] [--data DIR] [--tokens FILE] [--demo-days N]".into()
                );
            }
            other => return Err(format!("unknown argument {other}; see --help")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wangge-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let store_dir = args.data.join("store");
    std::fs::create_dir_all(&store_dir)?;
    let days = args.demo_days.min(wangge::demo::DAYS);
    let started = std::time::Instant::now();
    let (book, opening) = Book::open_or_seed(&store_dir, wangge_store::Options::new(), || {
        let mut story = wangge::demo::Story::new()?;
        for _ in 0..days {
            story.next_day()?;
        }
        Ok(story.records)
    })?;
    match opening {
        Opening::Created(n) => println!(
            "store {}: created with the Huayuan Road demo 花园路街道 after {days} days ({n} records) in {:.1} s",
            store_dir.display(),
            started.elapsed().as_secs_f64()
        ),
        Opening::Opened(report) => println!(
            "store {}: opened at record {} (snapshot {}, {} records replayed) in {:.1} s",
            store_dir.display(),
            book.read().position(),
            report.snapshot.map_or_else(|| "none".to_owned(), |h| h.position.to_string()),
            report.replayed,
            started.elapsed().as_secs_f64()
        ),
    }
    let tokens_path = args.tokens.clone().unwrap_or_else(|| args.data.join("tokens.json"));
    if args.tokens.is_none() && !tokens_path.exists() {
        let (community, courtyard) = {
            let registry = book.read();
            let tree = registry.tree();
            let community = tree.children(registry.root())?.first().copied().unwrap_or(registry.root());
            let courtyard = tree.children(community)?.first().copied().unwrap_or(community);
            (community, courtyard)
        };
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        std::fs::write(&tokens_path, wangge_server::config::demo_tokens_json(seed, community, courtyard))?;
    }
    let tokens = Tokens::load(&tokens_path)?;
    println!("tokens: {} ({} tokens)", tokens_path.display(), tokens.len());
    let demo = std::fs::read_to_string(&tokens_path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["tokens"].get(0).and_then(|t| t["token"].as_str()).map(str::to_owned));
    let addr: std::net::SocketAddr = args.addr.parse().map_err(|_| format!("not an address: {}", args.addr))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        println!("listening on http://{addr}");
        if let Some(token) = demo {
            println!("demo token: {token}");
            println!("try: curl -H 'Authorization: Bearer {token}' http://{addr}/units");
        }
        let app = App { book: Arc::new(book), tokens: Arc::new(tokens) };
        axum::serve(listener, wangge_server::router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    Ok(())
}
