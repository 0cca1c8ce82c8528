//! Webhook delivery: after its change is durable, concurrent, bounded retries with backoff,
//! every attempt recorded as an event; never on the request path. Only loopback and
//! private-network hosts get webhooks unless external hosts are allowed (see
//! [`is_local_url`]); the others are recorded as held.

use std::net::IpAddr;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::state::change::{AttemptOutcome, Change};
use crate::state::{Job, Shared};

/// Whether `url` names a loopback or private-network host (`localhost`, `127.0.0.0/8`,
/// `10/8`, `172.16/12`, `192.168/16`, link-local, `::1`, `fc00::/7`, `fe80::/10`). Host
/// names other than `localhost` are not resolved: they count as external.
pub fn is_local_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        // An unusable URL is never sent anywhere; its attempt records why.
        return true;
    };
    let Some(host) = url.host_str() else {
        return true;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => is_local_ip(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_local_ip(IpAddr::V4(v4)))
        }
    }
}

/// Runs the deliveries queued by sessions (and those a restart found pending).
pub fn spawn(shared: Arc<Shared>) -> Option<tokio::task::JoinHandle<()>> {
    let mut jobs = shared.take_jobs()?;
    let client = http_client_builder()
        .timeout(shared.config.webhook_timeout)
        .user_agent("noxitel-sandbox-webhooks/0.1")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with a built TLS config");
    let limit = Arc::new(Semaphore::new(32));
    shared.resume_webhooks();
    Some(tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            let Ok(permit) = Arc::clone(&limit).acquire_owned().await else {
                break;
            };
            let client = client.clone();
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                if job.durable.clone().wait().await.is_ok() {
                    deliver(&shared, &client, job).await;
                }
                drop(permit);
            });
        }
    }))
}

/// Every `reqwest::Client` of the sandbox starts here (`reqwest::Client::new()` panics: its
/// rustls transport is on, `rustls-no-provider`, as noxitel-api turns it on too): a built TLS
/// config with ring and the platform's verifier, as noxitel-api's own client
/// (`noxitel-api/src/config.rs`), without installing a process-wide provider. Without a
/// system root certificate only `http://` URLs can be reached.
pub(crate) fn http_client_builder() -> reqwest::ClientBuilder {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let builder = || {
        rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .expect("rustls supports its own versions")
    };
    let mut tls = match rustls_platform_verifier::Verifier::new(Arc::clone(&provider)) {
        Ok(verifier) => builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth(),
        Err(_) => builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

async fn deliver(shared: &Shared, client: &reqwest::Client, job: Job) {
    let attempts = shared.config.webhook_attempts.max(1);
    let hook = &job.hook;
    let mut wait = shared.config.webhook_backoff * 2u32.saturating_pow(hook.attempts.min(16));
    let mut attempt = hook.attempts;
    while attempt < attempts {
        attempt += 1;
        let (status, error, permanent) = match client.post(&hook.url).json(&hook.body).send().await
        {
            Ok(response) if response.status().is_success() => {
                (Some(response.status().as_u16()), None, false)
            }
            Ok(response) => (
                Some(response.status().as_u16()),
                Some(format!("HTTP {}", response.status())),
                false,
            ),
            Err(error) => {
                let message = error.to_string();
                let permanent = error.is_builder() || message.contains("scheme");
                (None, Some(message), permanent)
            }
        };
        let outcome = if error.is_none() {
            AttemptOutcome::Delivered
        } else if permanent || attempt >= attempts {
            AttemptOutcome::GaveUp
        } else {
            AttemptOutcome::Retry
        };
        match outcome {
            AttemptOutcome::Delivered => {
                tracing::debug!(kind = hook.kind.as_str(), attempt, "webhook delivered")
            }
            AttemptOutcome::GaveUp => {
                tracing::info!(kind = hook.kind.as_str(), attempt, error = ?error, "webhook not delivered")
            }
            AttemptOutcome::Retry => {}
        }
        {
            let mut session = shared.session(&job.account);
            session.apply(
                shared.clock.now(),
                Change::WebhookAttempted {
                    hook_id: hook.id,
                    url: hook.url.clone(),
                    attempt,
                    status,
                    error,
                    outcome,
                },
            );
        }
        if outcome != AttemptOutcome::Retry {
            return;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}
