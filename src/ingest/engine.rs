//! The ingest engine: files in, messages stored, counts out.
//!
//! Two threads: a reader walks the files, skips unchanged ones, and streams
//! each in windows ([`super::stream`]), parsing every window's messages in
//! parallel (rayon); the calling thread owns the database connection and
//! writes. A bounded channel between them holds at most four batches of
//! [`stream::BATCH`] messages, so memory follows the window and the batch,
//! not the file, the total, or how small the messages are.
//!
//! Each file is written inside a SAVEPOINT and a transaction is committed
//! only between files, so the database holds whole files only. When files are
//! waiting, the writer takes them into the same transaction (up to 50,000
//! messages): on r-devel that cut the end-to-end time from 1.6 s to 0.53 s,
//! because per-file commits and WAL checkpoints were the bottleneck.
//!
//! This is the one place where the ingest stage meets the store: the rest of
//! [`crate::ingest`] never touches the database, and `cmd::ingest` and
//! `cmd::run` only resolve settings and call [`ingest_paths`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;

use super::mbox::TOO_LARGE;
use super::stream::{self, Stopped, Streamed};
use super::{ArchiveFormat, IngestError, Limits, ParsedArchive, SetAside};
use crate::store::messages as db;

/// The counts an ingest reports (`--json` prints them as one object).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestSummary {
    /// Files read (parsed), including empty ones.
    pub files: u64,
    /// Files not read again because they had not changed.
    pub unchanged_files: u64,
    /// Files that held nothing.
    pub empty_files: u64,
    /// Those files, as given (named in the human summary, not in `--json`,
    /// which keeps the count only).
    #[serde(skip)]
    pub empty_paths: Vec<String>,
    /// Files holding messages over `max_message_size`, with how many (named
    /// in the human summary; `--json` counts them in `malformed`).
    #[serde(skip)]
    pub too_large: Vec<(String, u64)>,
    /// Files that were not archives, could not be read, or did not exist.
    pub skipped_files: u64,
    /// Every message found in the files read: new + duplicates + malformed.
    pub messages_seen: u64,
    /// Messages the coalition did not hold before.
    pub messages_new: u64,
    /// Messages it already held (same key).
    pub duplicates: u64,
    /// Messages that could not be read and were skipped.
    pub malformed: u64,
    /// Messages with no usable date (kept, left out of time-based figures).
    pub undated: u64,
    /// Messages stored but never counted as engagement.
    pub set_aside: u64,
    /// `set_aside` by reason, flattened into `set_aside_<reason>` keys.
    #[serde(flatten)]
    pub set_aside_by_reason: BTreeMap<String, u64>,
    /// Bytes of archive content read (after decompression).
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl IngestSummary {
    /// Adds the counts of one finished file (the writer keeps a file's counts
    /// apart until it ends, so a file rolled back leaves the summary alone).
    pub fn absorb(&mut self, other: &IngestSummary) {
        self.files += other.files;
        self.unchanged_files += other.unchanged_files;
        self.empty_files += other.empty_files;
        self.empty_paths.extend(other.empty_paths.iter().cloned());
        self.too_large.extend(other.too_large.iter().cloned());
        self.skipped_files += other.skipped_files;
        self.messages_seen += other.messages_seen;
        self.messages_new += other.messages_new;
        self.duplicates += other.duplicates;
        self.malformed += other.malformed;
        self.undated += other.undated;
        self.set_aside += other.set_aside;
        for (k, v) in &other.set_aside_by_reason {
            *self.set_aside_by_reason.entry(k.clone()).or_default() += v;
        }
        self.bytes += other.bytes;
        self.seconds += other.seconds;
    }

    /// The human summary printed on stderr.
    pub fn render(&self) -> String {
        let mb = self.bytes as f64 / 1e6;
        let secs = self.seconds.max(1e-9);
        let mut out = format!(
            "{} files read ({} unchanged, {} empty, {} skipped); {} messages seen: {} new, {} duplicates, {} malformed; {} undated\n",
            self.files,
            self.unchanged_files,
            self.empty_files,
            self.skipped_files,
            self.messages_seen,
            self.messages_new,
            self.duplicates,
            self.malformed,
            self.undated
        );
        // An empty file is not an error, but it is often a sign of a broken
        // download or export: name each one so it can be checked.
        for path in &self.empty_paths {
            out.push_str(&format!("empty: {path}\n"));
        }
        // A message skipped for its size is malformed data, not a rejected
        // file, but a person should know which file to look at.
        for (path, n) in &self.too_large {
            let what = if *n == 1 { "message" } else { "messages" };
            out.push_str(&format!(
                "too large: {path}: {n} {what} over max_message_size, skipped\n"
            ));
        }
        if self.set_aside > 0 {
            let reasons: Vec<String> = self
                .set_aside_by_reason
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| {
                    format!(
                        "{} {n}",
                        k.trim_start_matches("set_aside_").replace('_', " ")
                    )
                })
                .collect();
            out.push_str(&format!(
                "{} set aside as not engagement: {}\n",
                self.set_aside,
                reasons.join(", ")
            ));
        }
        out.push_str(&format!(
            "{mb:.1} MB in {:.2} s: {:.0} MB/s, {:.0} messages/s\n",
            self.seconds,
            mb / secs,
            self.messages_seen as f64 / secs
        ));
        out
    }
}

/// Options for one ingest into one coalition's list.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Bytes read per window ([`stream::WINDOW`] unless a test wants tiny ones).
    pub window: usize,
    /// The caps on one file's work (`max_message_size`, `max_decompressed`).
    pub limits: Limits,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            progress: false,
            window: stream::WINDOW,
            limits: Limits::default(),
        }
    }
}

/// What the reader thread hands the writer. A file read in full arrives as
/// `Start`, one `Window` per window of messages, then `End` (or `Failed`).
enum Item {
    /// Not read again: same size and time, or same content hash.
    Unchanged {
        path: String,
        size: u64,
        mtime: i64,
        touched: bool,
    },
    /// A file is about to be read.
    Start {
        path: String,
        shown: String,
        size: u64,
        mtime: i64,
    },
    /// The messages of one window of the current file.
    Window(ParsedArchive),
    /// The current file was read to the end.
    End(Streamed),
    /// The current file failed part-way (or was not an archive): drop what
    /// was written of it.
    Failed(IngestError),
    /// Rejected before reading: missing or unreadable.
    Rejected(IngestError),
}

/// The path as the user gave it (after the directory walk), for messages.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Ingests `paths` (files or directories) into one list of one coalition.
///
/// Rejected files are named on stderr and counted in `skipped_files`; only a
/// database error stops the run.
pub fn ingest_paths(
    conn: &mut Connection,
    coalition_id: i64,
    list_id: i64,
    paths: &[PathBuf],
    options: &IngestOptions,
) -> rusqlite::Result<IngestSummary> {
    let started = Instant::now();
    let known = db::known_sources(conn, coalition_id)?;
    let files = super::discover(paths);
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| f.as_ref().ok())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(options.progress, total_bytes);
    let mut summary = IngestSummary::default();
    for reason in SetAside::ALL {
        summary
            .set_aside_by_reason
            .insert(format!("set_aside_{}", reason.as_str()), 0);
    }

    // A few batches in flight at most: the reader parses the next batch
    // while the writer inserts this one, and memory stays bounded.
    let (tx, rx) = mpsc::sync_channel::<Item>(4);
    let (window, limits) = (options.window, options.limits);
    let result: rusqlite::Result<()> = std::thread::scope(|scope| {
        scope.spawn(move || {
            for file in files {
                let sent = match file {
                    Ok(path) => read_one(&path, &known, window, &limits, &tx),
                    Err(e) => tx.send(Item::Rejected(e)).map_err(|_| Stopped),
                };
                if sent.is_err() {
                    return; // the writer stopped on a database error
                }
            }
        });
        // The writer is the one serial stage (SQLite: busy about 600 of the
        // 750 ms an r-devel ingest takes), so it hands the windows it has
        // written to another thread to free: freeing their many small
        // strings was about 6 % of the writer's CPU in a perf profile.
        let (done, written) = mpsc::channel::<ParsedArchive>();
        scope.spawn(move || written.into_iter().for_each(drop));
        let mut writer = Writer {
            conn,
            coalition_id,
            list_id,
            summary: &mut summary,
            bar: &bar,
            in_transaction: false,
            pending: 0,
            file: None,
            done,
        };
        let outcome = writer.drain(&rx);
        if outcome.is_err() && writer.in_transaction {
            let _ = writer.conn.execute_batch("ROLLBACK");
        }
        drop(rx); // unblocks the reader if it is waiting to send
        outcome
    });
    bar.finish_and_clear();
    result?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Messages per transaction, at most, when the writer falls behind the
/// reader and takes several waiting files into one commit.
const BATCH_MESSAGES: u64 = 50_000;

/// The single writer: owns the connection while the reader thread runs.
///
/// Files are committed whole: each file sits inside a SAVEPOINT, released
/// when it ends and rolled back when it fails, and a transaction is committed
/// only between files. When the reader is ahead (items already waiting), the
/// writer keeps the transaction open across files up to [`BATCH_MESSAGES`]:
/// fewer commits and WAL checkpoints, and a kill still leaves only whole files.
struct Writer<'a> {
    conn: &'a mut Connection,
    coalition_id: i64,
    list_id: i64,
    summary: &'a mut IngestSummary,
    bar: &'a indicatif::ProgressBar,
    in_transaction: bool,
    pending: u64,
    file: Option<OpenFile>,
    /// Windows written, on their way to be freed off this thread.
    done: mpsc::Sender<ParsedArchive>,
}

/// The file being written, and its counts until it ends.
struct OpenFile {
    source_id: i64,
    shown: String,
    size: u64,
    counts: IngestSummary,
    too_large: u64,
}

impl Writer<'_> {
    fn drain(&mut self, rx: &mpsc::Receiver<Item>) -> rusqlite::Result<()> {
        loop {
            let item = if self.in_transaction && self.file.is_none() {
                match rx.try_recv() {
                    Ok(item) if self.pending < BATCH_MESSAGES => item,
                    Ok(item) => {
                        self.commit()?;
                        item
                    }
                    Err(mpsc::TryRecvError::Empty) => {
                        self.commit()?;
                        continue;
                    }
                    Err(mpsc::TryRecvError::Disconnected) => break,
                }
            } else {
                match rx.recv() {
                    Ok(item) => item,
                    Err(_) => break,
                }
            };
            if !self.in_transaction {
                self.conn.execute_batch("BEGIN")?;
                self.in_transaction = true;
            }
            self.write(item)?;
        }
        if self.file.take().is_some() {
            // The reader vanished mid-file (it cannot, short of a panic):
            // keep the file out rather than half in.
            self.conn.execute_batch("ROLLBACK TO file; RELEASE file")?;
        }
        if self.in_transaction {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.in_transaction = false;
        self.pending = 0;
        Ok(())
    }

    fn write(&mut self, item: Item) -> rusqlite::Result<()> {
        match item {
            Item::Unchanged {
                path,
                size,
                mtime,
                touched,
            } => {
                self.summary.unchanged_files += 1;
                if touched {
                    db::touch_source(self.conn, self.coalition_id, &path, size, mtime)?;
                }
                self.bar.inc(size);
            }
            Item::Start {
                path,
                shown,
                size,
                mtime,
            } => {
                self.conn.execute_batch("SAVEPOINT file")?;
                let source_id = db::begin_source(self.conn, self.coalition_id, &path, size, mtime)?;
                self.file = Some(OpenFile {
                    source_id,
                    shown,
                    size,
                    counts: IngestSummary::default(),
                    too_large: 0,
                });
            }
            Item::Window(parsed) => {
                let Some(file) = self.file.as_mut() else {
                    return Ok(());
                };
                let stats = db::insert_messages(
                    self.conn,
                    self.coalition_id,
                    self.list_id,
                    file.source_id,
                    &parsed.messages,
                )?;
                let c = &mut file.counts;
                c.messages_new += stats.new;
                c.duplicates += stats.duplicates;
                c.malformed += parsed.malformed.len() as u64;
                file.too_large += parsed
                    .malformed
                    .iter()
                    .filter(|m| m.reason.starts_with(TOO_LARGE))
                    .count() as u64;
                c.messages_seen += parsed.messages.len() as u64 + parsed.malformed.len() as u64;
                for m in &parsed.messages {
                    if m.date.is_none() {
                        c.undated += 1;
                    }
                    if let Some(reason) = m.set_aside {
                        c.set_aside += 1;
                        *c.set_aside_by_reason
                            .entry(format!("set_aside_{}", reason.as_str()))
                            .or_default() += 1;
                    }
                }
                self.pending += parsed.messages.len() as u64;
                let _ = self.done.send(parsed);
            }
            Item::End(streamed) => {
                let Some(mut file) = self.file.take() else {
                    return Ok(());
                };
                let counts = db::SourceCounts {
                    messages: file.counts.messages_seen - file.counts.malformed,
                    malformed: file.counts.malformed,
                };
                db::finish_source(
                    self.conn,
                    file.source_id,
                    &streamed.hash,
                    streamed.format.as_str(),
                    counts,
                )?;
                self.conn.execute_batch("RELEASE file")?;
                file.counts.files = 1;
                file.counts.bytes = streamed.bytes;
                if file.too_large > 0 {
                    file.counts
                        .too_large
                        .push((file.shown.clone(), file.too_large));
                }
                if streamed.format == ArchiveFormat::Empty {
                    file.counts.empty_files = 1;
                    file.counts
                        .empty_paths
                        .push(std::mem::take(&mut file.shown));
                }
                self.summary.absorb(&file.counts);
                self.bar.inc(file.size);
            }
            Item::Failed(e) => {
                if let Some(file) = self.file.take() {
                    self.conn.execute_batch("ROLLBACK TO file; RELEASE file")?;
                    self.bar.inc(file.size);
                }
                self.bar.suspend(|| crate::messages::err_message(&e));
                self.summary.skipped_files += 1;
            }
            Item::Rejected(e) => {
                self.bar.suspend(|| crate::messages::err_message(&e));
                self.summary.skipped_files += 1;
            }
        }
        Ok(())
    }
}

/// Reads one file and sends its items; `Err` only when the writer is gone.
fn read_one(
    path: &Path,
    known: &HashMap<String, db::KnownSource>,
    window: usize,
    limits: &Limits,
    tx: &mpsc::SyncSender<Item>,
) -> Result<(), Stopped> {
    let send = |item| tx.send(item).map_err(|_| Stopped);
    let key = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return send(Item::Rejected(super::source::unreadable(path, &e))),
    };
    let size = meta.len();
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if let Some(before) = known.get(&key) {
        if before.size == size && before.mtime == mtime {
            return send(Item::Unchanged {
                path: key,
                size,
                mtime,
                touched: false,
            });
        }
        // Touched or grown: compare content before parsing it again.
        match stream::hash_file(path, limits) {
            Ok(hash) if hash == before.hash => {
                return send(Item::Unchanged {
                    path: key,
                    size,
                    mtime,
                    touched: true,
                });
            }
            Ok(_) => {}
            Err(e) => return send(Item::Rejected(e)),
        }
    }
    send(Item::Start {
        path: key,
        shown: shown(path),
        size,
        mtime,
    })?;
    let result = stream::stream_archive(path, window, limits, &mut |parsed| {
        tx.send(Item::Window(parsed)).map_err(|_| stream::Stopped)
    });
    match result {
        Ok(streamed) => send(Item::End(streamed)),
        Err(e) => send(Item::Failed(e)),
    }
}

fn progress_bar(enabled: bool, total: u64) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    // The stderr target draws nothing when stderr is not a terminal.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
