//! The one place insats reaches the network: GET requests for JSON, with a
//! timeout, a size limit, and retries with back-off when the server asks
//! for them (429 Too Many Requests, 502, 503, 504).
//!
//! ureq with rustls: a blocking client is all a command that makes a few
//! dozen requests in a row needs, and rustls builds without the system's
//! OpenSSL, so the binary runs on a managed Windows machine as on Linux.
//! Proxies are taken from `HTTPS_PROXY`/`HTTP_PROXY`, minus `NO_PROXY`.

use std::time::Duration;

/// How the client behaves.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The longest one request may take, connecting included.
    pub timeout: Duration,
    /// How many times a request the server turned away is tried again.
    pub retries: u32,
}

/// The largest response read: Kolada's pages are a few hundred kilobytes.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The longest pause between tries, whatever the server asks.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// A request that failed for good, as a sentence naming the address.
#[derive(Debug)]
pub struct Failed(pub String);

/// GETs `url`, trying again as [`Settings`] allow; the body of a 200
/// response.
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    /// How many requests were made, retries included.
    pub requests: u32,
}

impl Client {
    pub fn new(settings: Settings) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .max_redirects(5)
            .user_agent(concat!("insats/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            settings,
            requests: 0,
        }
    }

    pub fn get(&mut self, url: &str) -> Result<Vec<u8>, Failed> {
        let mut attempt = 0;
        loop {
            self.requests += 1;
            let response = self
                .agent
                .get(url)
                .header("Accept", "application/json")
                .call();
            let mut response = match response {
                Ok(r) => r,
                Err(ureq::Error::Timeout(_)) => {
                    return Err(Failed(format!(
                        "{url} did not answer within {} s (--timeout)",
                        self.settings.timeout.as_secs()
                    )));
                }
                Err(e) => return Err(Failed(format!("{url} could not be reached: {e}"))),
            };
            let status = response.status().as_u16();
            if status == 200 {
                return response
                    .body_mut()
                    .with_config()
                    .limit(MAX_BODY)
                    .read_to_vec()
                    .map_err(|e| match e {
                        ureq::Error::Timeout(_) => Failed(format!(
                            "{url} did not answer within {} s (--timeout)",
                            self.settings.timeout.as_secs()
                        )),
                        e => Failed(format!("the answer from {url} could not be read: {e}")),
                    });
            }
            let asked_to_wait = matches!(status, 429 | 502 | 503 | 504);
            if !asked_to_wait || attempt >= self.settings.retries {
                let tries = if attempt > 0 {
                    format!(" (tried {} times)", attempt + 1)
                } else {
                    String::new()
                };
                return Err(Failed(format!(
                    "{url} answered HTTP {status}{}{tries}",
                    reason(status)
                )));
            }
            let pause = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map_or_else(
                    || Duration::from_secs(1 << attempt.min(5)),
                    Duration::from_secs,
                )
                .min(MAX_PAUSE);
            std::thread::sleep(pause);
            attempt += 1;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => " Bad Request",
        403 => " Forbidden",
        404 => " Not Found",
        429 => " Too Many Requests",
        500 => " Internal Server Error",
        502 => " Bad Gateway",
        503 => " Service Unavailable",
        504 => " Gateway Timeout",
        _ => "",
    }
}
