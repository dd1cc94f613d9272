//! A small HTTP/1.1 server on loopback for the fetch tests: it serves a
//! fixed set of resources, answers conditional requests, guards folders
//! with Mailman 2's login forms, can die in the middle of a body, and logs
//! every request so a test can assert what listpulse asked for.
//!
//! Written on `std::net` rather than with a server crate, because the tests
//! need to cut a response part-way and stop listening at that moment.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One resource.
#[derive(Clone)]
pub struct Resource {
    pub body: Vec<u8>,
    pub content_type: String,
    /// `ETag` and `Last-Modified`; HyperKitty's export sends neither.
    pub validators: Option<(String, String)>,
    /// Send with `Transfer-Encoding: chunked` (as a streamed response is).
    pub chunked: bool,
}

impl Resource {
    /// A static file with validators, as Apache serves pipermail files.
    pub fn file(body: Vec<u8>, content_type: &str) -> Resource {
        let etag = format!("\"{:x}-{}\"", body.len(), checksum(&body));
        Resource {
            body,
            content_type: content_type.into(),
            validators: Some((etag, "Tue, 01 Dec 2026 06:00:00 GMT".into())),
            chunked: false,
        }
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// A folder behind a Mailman 2 login form.
#[derive(Clone)]
pub enum Guard {
    /// A private archive: `username` + `password` (`private.html`).
    Archive { user: String, password: String },
    /// Admin pages: `adminpw` (`admlogin.html`).
    Admin { password: String },
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub target: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
    /// Names of the form fields posted.
    pub form_fields: Vec<String>,
    pub status: u16,
    /// Body bytes sent.
    pub bytes: usize,
}

impl Logged {
    pub fn conditional(&self) -> bool {
        self.if_none_match.is_some() || self.if_modified_since.is_some()
    }
}

#[derive(Default)]
pub struct Site {
    pub resources: HashMap<String, Resource>,
    /// Path prefix → guard.
    pub guards: Vec<(String, Guard)>,
    /// Cut this target after this many body bytes, then stop listening.
    pub cut: Option<(String, usize)>,
    /// Answer this target `429 Too Many Requests` (`Retry-After: 1`) this
    /// many times before serving it.
    pub busy: HashMap<String, usize>,
}

pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Logged>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(site: Site) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let site = Arc::new(Mutex::new(site));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, l, st) = (site.clone(), log.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            // Bounded: the loop ends when a test stops the server or cuts a
            // transfer, and Drop stops it at the end of every test.
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &s, &l, &st);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
            // The listener is dropped here: later connections are refused.
        });
        Server {
            addr,
            log,
            stop,
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Waits until the server has stopped (after a cut).
    pub fn join(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.join();
    }
}

struct Request {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Request {
        method,
        target,
        headers,
        body,
    })
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(
    mut stream: TcpStream,
    site: &Mutex<Site>,
    log: &Mutex<Vec<Logged>>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let req = read_request(&stream)?;
    let fields = if req.method == "POST" {
        form(&req.body)
    } else {
        vec![]
    };
    let mut entry = Logged {
        method: req.method.clone(),
        target: req.target.clone(),
        if_none_match: req.headers.get("if-none-match").cloned(),
        if_modified_since: req.headers.get("if-modified-since").cloned(),
        user_agent: req.headers.get("user-agent").cloned(),
        form_fields: fields.iter().map(|(k, _)| k.clone()).collect(),
        status: 0,
        bytes: 0,
    };
    let busy = {
        let mut shared = site.lock().unwrap();
        match shared.busy.get_mut(&req.target) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    };
    if busy {
        entry.status = 429;
        log.lock().unwrap().push(entry);
        return respond(
            &mut stream,
            429,
            "text/plain",
            "Retry-After: 1\r\n",
            b"slow down",
            false,
        );
    }
    let site = site.lock().unwrap().clone_view();
    let path = req.target.split('?').next().unwrap_or("").to_string();
    let cookie = req.headers.get("cookie").cloned().unwrap_or_default();
    let mut extra_headers = String::new();

    // A guarded folder answers with its login form until the cookie is set.
    if let Some((prefix, guard)) = site
        .guards
        .iter()
        .find(|(p, _)| path.starts_with(p.as_str()))
    {
        let cookie_name = cookie_name(prefix);
        if !cookie.contains(&format!("{cookie_name}=ok")) {
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            let accepted = req.method == "POST"
                && match guard {
                    Guard::Archive { user, password } => {
                        field("username") == Some(user.as_str())
                            && field("password") == Some(password.as_str())
                    }
                    Guard::Admin { password } => {
                        field("adminpw") == Some(password.as_str()) && field("admlogin").is_some()
                    }
                };
            if accepted {
                extra_headers = format!("Set-Cookie: {cookie_name}=ok; Path={prefix}\r\n");
            } else {
                let failed = req.method == "POST";
                let page = login_page(guard, &path, failed);
                entry.status = 200;
                entry.bytes = page.len();
                log.lock().unwrap().push(entry);
                return respond(&mut stream, 200, "text/html", "", page.as_bytes(), false);
            }
        }
    }

    let Some(resource) = site
        .resources
        .get(&req.target)
        .or_else(|| site.resources.get(&path))
    else {
        let body = b"<html><body><h1>Not Found</h1></body></html>";
        entry.status = 404;
        entry.bytes = body.len();
        log.lock().unwrap().push(entry);
        return respond(&mut stream, 404, "text/html", "", body, false);
    };
    if let Some((etag, modified)) = &resource.validators {
        let fresh = req.headers.get("if-none-match") == Some(etag)
            || (!req.headers.contains_key("if-none-match")
                && req.headers.get("if-modified-since") == Some(modified));
        if fresh {
            entry.status = 304;
            log.lock().unwrap().push(entry);
            return respond(&mut stream, 304, "", "", b"", false);
        }
        extra_headers.push_str(&format!("ETag: {etag}\r\nLast-Modified: {modified}\r\n"));
    }
    if let Some((cut_target, after)) = &site.cut
        && *cut_target == req.target
    {
        // Headers promise the whole body; half of it comes, then silence.
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra_headers}Connection: close\r\n\r\n",
            resource.content_type,
            resource.body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(&resource.body[..*after])?;
        stream.flush()?;
        entry.status = 200;
        entry.bytes = *after;
        log.lock().unwrap().push(entry);
        stop.store(true, Ordering::SeqCst);
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return Ok(());
    }
    entry.status = 200;
    entry.bytes = resource.body.len();
    log.lock().unwrap().push(entry);
    respond(
        &mut stream,
        200,
        &resource.content_type,
        &extra_headers,
        &resource.body,
        resource.chunked,
    )
}

impl Site {
    /// A copy to serve one request from, so the lock is not held while writing.
    fn clone_view(&self) -> Site {
        Site {
            resources: self.resources.clone(),
            guards: self.guards.clone(),
            cut: self.cut.clone(),
            busy: HashMap::new(),
        }
    }
}

fn cookie_name(prefix: &str) -> String {
    prefix
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("list")
        .to_string()
        + "+auth"
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra: &str,
    body: &[u8],
    chunked: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str(extra);
    if status == 304 {
        head.push_str("Connection: close\r\n\r\n");
        stream.write_all(head.as_bytes())?;
        return stream.flush();
    }
    if chunked {
        head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes())?;
        for chunk in body.chunks(8192) {
            stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            stream.write_all(chunk)?;
            stream.write_all(b"\r\n")?;
        }
        stream.write_all(b"0\r\n\r\n")?;
    } else {
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The login page, shaped like Mailman 2.1's `private.html` or
/// `admlogin.html`: a POST form back to the page, the fields Mailman reads,
/// and "Authorization failed." after a refused attempt.
fn login_page(guard: &Guard, action: &str, failed: bool) -> String {
    let message = if failed {
        "<font size=\"+1\"><b>Authorization failed.</b></font>"
    } else {
        ""
    };
    match guard {
        Guard::Archive { .. } => format!(
            r##"<html>
<head><title>Test Private Archives Authentication</title></head>
<body bgcolor="#ffffff">
<FORM METHOD=POST ACTION="{action}">
{message}
  <TABLE WIDTH="100%" BORDER="0" CELLSPACING="4" CELLPADDING="5">
    <TR><TD COLSPAN="2" BGCOLOR="#99CCFF" ALIGN="CENTER">
      <B><FONT COLOR="#000000" SIZE="+1">Test Private Archives Authentication</FONT></B></TD></TR>
    <tr><td><div ALIGN="Right">Email address:</div></td>
        <td><input type="text" name="username" size="30"></td></tr>
    <tr><td><div ALIGN="Right">Password:</div></td>
        <td><input type="password" name="password" size="30"></td></tr>
    <tr><td colspan=2 align="middle"><INPUT type="SUBMIT" name="submit" value="Let me in..."></td></tr>
  </TABLE>
  <p><strong><em>Important:</em></strong> From this point on, you must have cookies enabled.
</FORM>
</body>
</html>
"##
        ),
        Guard::Admin { .. } => format!(
            r##"<html>
<head><title>Test Administrator Authentication</title></head>
<body bgcolor="#ffffff">
<FORM METHOD=POST ACTION="{action}">
{message}
  <TABLE WIDTH="100%" BORDER="0" CELLSPACING="4" CELLPADDING="5">
    <tr><td><div ALIGN="Right">List Administrator Password:</div></td>
        <td><INPUT TYPE="password" NAME="adminpw" SIZE="30"></td></tr>
    <tr><td colspan=2 align="middle"><INPUT type="SUBMIT" name="admlogin" value="Let me in..."></td></tr>
  </TABLE>
</FORM>
</body>
</html>
"##
        ),
    }
}
