//! The physical limit of this stack for `scripts/bench.sh`: a minimal axum server (same
//! axum, tokio and hyper as the sandbox) answering `POST /api/v2/sms` and
//! `GET /api/v2/credits` with constant JSON of the sandbox's shape — no auth, no state, no
//! parsing beyond reading the body.
//!
//! ```sh
//! cargo run --release -p noxitel-sandbox --example bare -- --port 8788
//! ```

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8788)]
    port: u16,
}

const SMS: &str = r#"{"status":"success","message":"SMS Submitted successfully","batch_id":"samsms_eink1rilz6ucphk","total_contacts":1,"message_id":[{"mobile":"919887111111","sms_id":"1ef4d949-7639-6880-bf73-ae7941c2d0aa"}]}"#;
const CREDITS: &str = r#"{"status":"success","billing_mode":"credits","wallet":{"amount":"120.00","currency":"USD"},"credits":[{"route":"Standard","credits":3946684},{"route":"Transactional","credits":100000}]}"#;

async fn sms(body: Bytes) -> impl IntoResponse {
    std::hint::black_box(body);
    ([(header::CONTENT_TYPE, "application/json")], SMS)
}

async fn credits() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], CREDITS)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let app = Router::new()
        .route("/api/v2/sms", post(sms))
        .route("/api/v2/credits", get(credits));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    axum::serve(listener, app).await
}
