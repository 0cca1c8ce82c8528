//! A loopback server that misbehaves the way real networks, proxies and misconfigured base
//! URLs do: redirects, answers cut off or without end, resets after reading the request,
//! stalls, huge bodies — and plainly, in order, one answer per request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use noxitel_api::Client;

use super::{BASE_PATH, Received, builder_for, read_request};

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// A complete answer.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// `Content-Length: declared`, then only `body`, then the connection closes.
    CutOff {
        status: u16,
        declared: usize,
        body: Vec<u8>,
    },
    /// A chunked body that never ends (until the client goes away or `limit` bytes were
    /// written), at most `rate` bytes per second if given.
    Endless {
        status: u16,
        rate: Option<usize>,
        limit: u64,
    },
    /// `Content-Length: declared` and as much of it as the client reads.
    Huge { status: u16, declared: u64 },
    /// Reads the request, then resets the connection (TCP RST).
    Reset,
    /// Reads the request, then closes the connection without answering.
    Close,
    /// Another fault, after a delay.
    Delayed(Duration, Box<Fault>),
    /// Reads the request and never answers.
    Stall,
}

impl Fault {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Fault::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An answer with a content type.
    pub fn typed(status: u16, content_type: &str, body: &str) -> Self {
        Fault::Answer {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The same fault, played after `delay`.
    pub fn after(self, delay: Duration) -> Self {
        Fault::Delayed(delay, Box::new(self))
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Fault::Answer {
            status,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

/// A server on 127.0.0.1 that plays `faults` in order, one per request (the last repeats).
pub struct Hostile {
    origin: String,
    base_url: String,
    hits: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Hostile {
    /// Starts the server on the current tokio runtime.
    pub async fn start(faults: Vec<Fault>) -> Self {
        assert!(!faults.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let hits = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let faults = Arc::new(faults);
        {
            let hits = Arc::clone(&hits);
            let received = Arc::clone(&received);
            tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    let hits = Arc::clone(&hits);
                    let received = Arc::clone(&received);
                    let faults = Arc::clone(&faults);
                    tokio::spawn(async move {
                        let Some(request) = read_request(&mut stream).await else {
                            return;
                        };
                        let index = hits.fetch_add(1, Ordering::SeqCst);
                        received.lock().unwrap().push(request);
                        play(stream, &faults[index.min(faults.len() - 1)]).await;
                    });
                }
            });
        }
        Self {
            base_url: format!("{origin}{BASE_PATH}"),
            origin,
            hits,
            received,
        }
    }

    /// A server playing `fault` to the first request and answering every later one with the
    /// seed fixture `success`.
    pub async fn fault_then(fault: Fault, success: &str) -> Self {
        Self::start(vec![fault, Fault::json(200, &super::seed(success))]).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Base URL (including `/api/v2`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client of the server ([`builder_for`]: fast retries).
    pub fn client(&self) -> Client {
        builder_for(&self.base_url).build().expect("client builds")
    }

    /// Requests read so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// The requests read so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn head(status: u16, headers: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} Hostile\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// The head of a JSON answer framed by `framing: value` (its length or transfer encoding).
fn json_head(status: u16, framing: &str, value: String) -> String {
    let headers = [
        ("content-type".to_owned(), "application/json".to_owned()),
        (framing.to_owned(), value),
    ];
    head(status, &headers)
}

async fn play(mut stream: TcpStream, mut fault: &Fault) {
    while let Fault::Delayed(delay, then) = fault {
        tokio::time::sleep(*delay).await;
        fault = then;
    }
    match fault {
        Fault::Answer {
            status,
            headers,
            body,
        } => {
            let mut headers = headers.clone();
            headers.push(("content-length".into(), body.len().to_string()));
            headers.push(("connection".into(), "close".into()));
            let _ = stream.write_all(head(*status, &headers).as_bytes()).await;
            let _ = stream.write_all(body).await;
            let _ = stream.shutdown().await;
        }
        Fault::CutOff {
            status,
            declared,
            body,
        } => {
            let head = json_head(*status, "content-length", declared.to_string());
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(stream);
        }
        Fault::Endless {
            status,
            rate,
            limit,
        } => {
            let head = json_head(*status, "transfer-encoding", "chunked".into());
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk_size = rate.map_or(64 * 1024, |rate| (rate / 10).max(1));
            let mut chunk = format!("{chunk_size:x}\r\n").into_bytes();
            chunk.extend(std::iter::repeat_n(b'1', chunk_size));
            chunk.extend_from_slice(b"\r\n");
            let mut written = 0u64;
            while written < *limit {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
                written += chunk_size as u64;
                if rate.is_some() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        Fault::Huge { status, declared } => {
            let head = json_head(*status, "content-length", declared.to_string());
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b' '; 64 * 1024];
            let mut written = 0u64;
            while written < *declared {
                if stream.write_all(&block).await.is_err() {
                    return;
                }
                written += block.len() as u64;
            }
        }
        Fault::Reset => {
            // SO_LINGER 0: closing sends RST instead of FIN. (Deprecated because a non-zero
            // linger blocks the thread on drop; zero never does.)
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Fault::Close => drop(stream),
        Fault::Stall => tokio::time::sleep(Duration::from_secs(120)).await,
        Fault::Delayed(..) => unreachable!("unwrapped above"),
    }
}
