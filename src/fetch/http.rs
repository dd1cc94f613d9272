//! The one HTTP client every fetch goes through, and the manners it keeps
//! (issue #11, "incremental and polite"): one request at a time (the client
//! is `&mut` and nothing here spawns), `User-Agent: listpulse/<version>`,
//! connect and read time-outs, a few retries with exponential back-off on
//! a lost connection or a 5xx, `429`/`503` `Retry-After` honoured up to a
//! cap, conditional requests from stored validators, and cookies kept for
//! the host that set them (Mailman 2's login is a cookie).
//!
//! ureq does the HTTP: blocking, rustls with the ring provider (no OpenSSL,
//! no cmake or nasm), no async runtime. Its gzip feature is off on purpose:
//! a server that labels a `.txt.gz` file `Content-Encoding: gzip` would
//! otherwise have it unpacked on the way, and the cache would hold a plain
//! file under a `.gz` name.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use ureq::ResponseExt;
use ureq::http;

use super::FetchError;
use super::cache::{TempFile, Validators};
use super::secret::Secret;

/// Attempts per request: the first and two retries.
const ATTEMPTS: u32 = 3;
/// The first back-off; each retry doubles it.
const BACKOFF: Duration = Duration::from_millis(500);
/// The longest `Retry-After` obeyed; a server asking for more is reported
/// as unreachable rather than holding a cron run for an hour.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The largest page (index, roster page, JSON) read into memory.
const MAX_PAGE: u64 = 64 << 20;

/// What the client has done, for the summary and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Files downloaded into the cache.
    pub downloaded: u64,
    /// Conditional requests answered `304 Not Modified`.
    pub not_modified: u64,
}

/// A page read whole: an index, a form, a JSON document.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTTP status.
    pub status: u16,
    /// The URL it finally came from (after redirects), to resolve links.
    pub url: String,
    /// The body, decoded as UTF-8 with replacement characters.
    pub body: String,
    /// Its `ETag` and `Last-Modified`, to ask for it conditionally next time.
    pub validators: Validators,
}

/// HTTP basic authentication, for Mailman 3's REST API.
#[derive(Debug, Clone, Copy)]
pub struct Basic<'a> {
    /// The REST user.
    pub user: &'a str,
    /// Its password.
    pub password: &'a Secret,
}

/// What a download did.
#[derive(Debug)]
pub enum Download {
    /// The body is in a temporary file beside the destination: check it,
    /// then [`TempFile::persist`] it.
    Saved {
        /// The complete body.
        file: TempFile,
        /// The validators to send next time.
        validators: Validators,
        /// The body's first bytes, to tell an archive from an HTML page.
        head: Vec<u8>,
    },
    /// `304`: the cached copy is current.
    NotModified,
    /// `404` or `410`: no such file on the server.
    NotFound,
}

/// The client: one agent, its cookies and its counters.
pub struct Client {
    agent: ureq::Agent,
    cookies: Vec<(String, String, String)>,
    /// What it has done so far.
    pub stats: Stats,
    backoff: Duration,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client with listpulse's time-outs and `User-Agent`.
    pub fn new() -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("listpulse/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .timeout_per_read(Some(Duration::from_secs(60)))
            .max_redirects(5)
            .build();
        Client {
            agent: config.into(),
            cookies: Vec::new(),
            stats: Stats::default(),
            backoff: BACKOFF,
        }
    }

    /// GETs a page and reads it whole. Any status is returned; only a
    /// server that cannot be reached is an error.
    pub fn get_page(&mut self, url: &str, auth: Option<Basic<'_>>) -> Result<Page, FetchError> {
        self.get_page_if(url, auth, None)
    }

    /// GETs a page, conditionally when `validators` are given: a `304`
    /// comes back as a page with that status and an empty body.
    pub fn get_page_if(
        &mut self,
        url: &str,
        auth: Option<Basic<'_>>,
        validators: Option<&Validators>,
    ) -> Result<Page, FetchError> {
        let mut response = self.send(url, &conditional_headers(validators), auth, None)?;
        if response.status().as_u16() == 304 {
            self.stats.not_modified += 1;
        }
        self.read_page(url, &mut response)
    }

    /// POSTs a form (`application/x-www-form-urlencoded`) and reads the answer.
    pub fn post_form(&mut self, url: &str, body: &str) -> Result<Page, FetchError> {
        let mut response = self.send(url, &[], None, Some(body.as_bytes()))?;
        self.read_page(url, &mut response)
    }

    fn read_page(
        &mut self,
        url: &str,
        response: &mut http::Response<ureq::Body>,
    ) -> Result<Page, FetchError> {
        let status = response.status().as_u16();
        let final_url = response.get_uri().to_string();
        let validators = Validators {
            etag: header(response, "etag"),
            last_modified: header(response, "last-modified"),
        };
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_PAGE)
            .read_to_vec()
            .map_err(|e| FetchError::Truncated {
                url: url.to_string(),
                cause: e.to_string(),
            })?;
        self.stats.bytes += bytes.len() as u64;
        Ok(Page {
            status,
            url: final_url,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            validators,
        })
    }

    /// Downloads `url` into a temporary file in `dir`. With `validators`
    /// the request is conditional (`If-None-Match`, `If-Modified-Since`).
    /// A body cut short is retried, then reported; the partial file is
    /// removed either way.
    pub fn download(
        &mut self,
        url: &str,
        dir: &Path,
        validators: Option<&Validators>,
        auth: Option<Basic<'_>>,
    ) -> Result<Download, FetchError> {
        let conditional = conditional_headers(validators);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut response = self.send(url, &conditional, auth, None)?;
            let status = response.status().as_u16();
            match status {
                304 => {
                    self.stats.not_modified += 1;
                    return Ok(Download::NotModified);
                }
                404 | 410 => return Ok(Download::NotFound),
                200 => {}
                _ => {
                    return Err(FetchError::Status {
                        url: url.to_string(),
                        status,
                    });
                }
            }
            let new_validators = Validators {
                etag: header(&response, "etag"),
                last_modified: header(&response, "last-modified"),
            };
            let expected = response.body().content_length();
            let mut file = TempFile::create(dir).map_err(|cause| FetchError::Cache {
                path: dir.to_path_buf(),
                cause,
            })?;
            match self.copy_body(&mut response, &mut file, expected) {
                Ok(head) => {
                    self.stats.downloaded += 1;
                    return Ok(Download::Saved {
                        file,
                        validators: new_validators,
                        head,
                    });
                }
                Err(CopyError::Write(cause)) => {
                    return Err(FetchError::Cache {
                        path: file.path().to_path_buf(),
                        cause,
                    });
                }
                Err(CopyError::Read(cause)) => {
                    drop(file); // removes the partial download
                    if attempt >= ATTEMPTS {
                        return Err(FetchError::Truncated {
                            url: url.to_string(),
                            cause,
                        });
                    }
                    std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
                }
            }
        }
    }

    /// Streams the body into `file`; returns its first bytes.
    fn copy_body(
        &mut self,
        response: &mut http::Response<ureq::Body>,
        file: &mut TempFile,
        expected: Option<u64>,
    ) -> Result<Vec<u8>, CopyError> {
        let mut reader = response.body_mut().with_config().reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut head = Vec::new();
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CopyError::Read(e.to_string())),
            };
            if head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            file.write_all(&buf[..n]).map_err(CopyError::Write)?;
            total += n as u64;
            self.stats.bytes += n as u64;
        }
        if let Some(expected) = expected.filter(|&e| e != total) {
            return Err(CopyError::Read(format!(
                "{total} of {expected} bytes received"
            )));
        }
        file.flush().map_err(CopyError::Write)?;
        Ok(head)
    }

    /// Sends one request, retrying lost connections, 5xx answers and 429s.
    fn send(
        &mut self,
        url: &str,
        headers: &[(&str, String)],
        auth: Option<Basic<'_>>,
        form: Option<&[u8]>,
    ) -> Result<http::Response<ureq::Body>, FetchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.stats.requests += 1;
            let result = match form {
                Some(body) => {
                    let mut req = self
                        .agent
                        .post(url)
                        .header("Content-Type", "application/x-www-form-urlencoded");
                    for (k, v) in self.request_headers(url, headers, auth) {
                        req = req.header(k, v);
                    }
                    req.send(body)
                }
                None => {
                    let mut req = self.agent.get(url);
                    for (k, v) in self.request_headers(url, headers, auth) {
                        req = req.header(k, v);
                    }
                    req.call()
                }
            };
            let last = attempt >= ATTEMPTS;
            let response = match result {
                Ok(response) => response,
                Err(e) => {
                    if last {
                        return Err(FetchError::Unreachable {
                            url: url.to_string(),
                            cause: e.to_string(),
                        });
                    }
                    std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
                    continue;
                }
            };
            self.keep_cookies(url, &response);
            let status = response.status().as_u16();
            let wait = match status {
                429 | 503 => retry_after(&response),
                500 | 502 | 504 => Some(self.backoff * 2u32.pow(attempt - 1)),
                _ => None,
            };
            match wait {
                Some(wait) if !last && wait <= MAX_RETRY_AFTER => {
                    std::thread::sleep(wait);
                }
                None if !last && status == 429 => {
                    std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
                }
                _ => return Ok(response),
            }
        }
    }

    fn request_headers(
        &self,
        url: &str,
        extra: &[(&str, String)],
        auth: Option<Basic<'_>>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let origin = origin(url);
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .filter(|(o, _, _)| *o == origin)
            .map(|(_, n, v)| format!("{n}={v}"))
            .collect();
        if !cookies.is_empty() {
            out.push(("Cookie".into(), cookies.join("; ")));
        }
        if let Some(auth) = auth {
            let pair = format!("{}:{}", auth.user, auth.password.expose());
            out.push((
                "Authorization".into(),
                format!("Basic {}", base64(pair.as_bytes())),
            ));
        }
        out
    }

    /// Remembers `Set-Cookie` name=value pairs for the answering origin.
    fn keep_cookies(&mut self, url: &str, response: &http::Response<ureq::Body>) {
        let origin = origin(url);
        for value in response.headers().get_all("set-cookie") {
            let Ok(text) = value.to_str() else { continue };
            let Some((name, rest)) = text.split(';').next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim().to_string(), rest.trim().to_string());
            self.cookies
                .retain(|(o, n, _)| !(*o == origin && *n == name));
            self.cookies.push((origin.clone(), name, value));
        }
    }
}

enum CopyError {
    Read(String),
    Write(std::io::Error),
}

/// `If-None-Match` and `If-Modified-Since` from stored validators.
fn conditional_headers(validators: Option<&Validators>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(v) = validators {
        if let Some(etag) = &v.etag {
            out.push(("If-None-Match", etag.clone()));
        }
        if let Some(date) = &v.last_modified {
            out.push(("If-Modified-Since", date.clone()));
        }
    }
    out
}

fn header(response: &http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After` in seconds (the HTTP-date form is rare for 429s and is
/// treated as "the default back-off").
fn retry_after(response: &http::Response<ureq::Body>) -> Option<Duration> {
    header(response, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .or(Some(BACKOFF))
}

/// `scheme://host:port` of a URL, the scope cookies are kept for.
fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    url[..end].to_ascii_lowercase()
}

/// Standard base64 with padding, for the basic-auth header.
///
/// ```
/// assert_eq!(listpulse::fetch::http::base64(b"restadmin:restpass"), "cmVzdGFkbWluOnJlc3RwYXNz");
/// assert_eq!(listpulse::fetch::http::base64(b"ab"), "YWI=");
/// ```
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_scoped_to_scheme_host_and_port() {
        assert_eq!(
            origin("http://127.0.0.1:8080/mailman/private/dc/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin("https://Lists.Example.org"),
            "https://lists.example.org"
        );
    }

    #[test]
    fn base64_pads_like_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
