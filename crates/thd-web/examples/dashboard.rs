//! The API and the dashboard on one address, for developing the pages and for `scripts/browser_test.sh` until
//! `thd serve` mounts the dashboard itself (it then serves the same merged router).
//!
//! `cargo run -p thd-web --example dashboard -- --db FILE [--addr 127.0.0.1:0] [--public] [--phases FILE]`
//! prints `listening on http://ADDR` once it accepts connections (port 0: a free port chosen by the system).

use std::net::SocketAddr;
use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut db = None;
    let mut addr: SocketAddr = "127.0.0.1:8080".parse()?;
    let mut settings = thd_server::Settings::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--db" => db = Some(value()?),
            "--addr" => addr = value()?.parse()?,
            "--public" => settings.public_read = true,
            "--phases" => {
                settings.planning.phases = thd_plan::PhaseMap::load(Path::new(&value()?))?
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let db = db.ok_or("--db FILE is required")?;
    let app = thd_server::App::open(&db, settings).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, thd_server::router(app).merge(thd_web::router())).await?;
    Ok(())
}
