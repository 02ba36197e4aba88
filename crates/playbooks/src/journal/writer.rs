//! Group commit: one thread writes the journal for every caller.
//!
//! Each write (a pending action, an answer, a run) is queued with a way to answer its caller.
//! The writer takes everything queued at that moment, writes it in ONE transaction (one fsync
//! with `synchronous=FULL`), and answers each caller only after the commit: a caller that gets
//! `Ok` holds a durable record, exactly as with one transaction per record. Nothing waits on
//! purpose; batches form when several actions are in flight at once (a bulk run).
//!
//! Every record runs under its own savepoint, so a record the database refuses (the unique
//! index behind exactly-once, a missing run) is rolled back alone and answered with its own
//! error; the others in the batch are committed. If the transaction itself fails (it cannot
//! start, the disk is full, the commit fails), nothing of the batch is kept and every record of
//! it gets the error.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use futures::channel::oneshot;
use rusqlite::{ffi, Connection};

use super::{database_error, lock_connection};
use crate::error::{Error, Result};

/// The statements of one record. Runs on the writer thread inside the batch's transaction.
pub(super) type Write<T> = Box<dyn FnOnce(&Connection) -> Result<T> + Send>;

/// At most this many records share one transaction.
const MAX_BATCH: usize = 256;

pub(super) struct Writer {
    queue: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(super) fn start(connection: Arc<Mutex<Connection>>, path: Option<PathBuf>) -> Result<Self> {
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>();
        let display_path = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let thread = std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || write_until_closed(&connection, path, &jobs))
            .map_err(|error| Error::JournalUnreadable {
                path: display_path,
                reason: format!("its writer could not be started ({error})"),
            })?;
        Ok(Writer {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues `write` and waits (without blocking the thread) until it is committed.
    pub(super) async fn write<T: Send + 'static>(&self, write: Write<T>) -> Result<T> {
        let answer = self.submit(write)?;
        answer.await.unwrap_or_else(|_| Err(writer_stopped()))
    }

    /// Queues `write` and blocks this thread until it is committed.
    pub(super) fn write_blocking<T: Send + 'static>(&self, write: Write<T>) -> Result<T> {
        let answer = self.submit(write)?;
        futures::executor::block_on(answer).unwrap_or_else(|_| Err(writer_stopped()))
    }

    fn submit<T: Send + 'static>(&self, write: Write<T>) -> Result<oneshot::Receiver<Result<T>>> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Request {
            write: Some(write),
            result: None,
            reply,
        });
        self.queue
            .as_ref()
            .ok_or_else(writer_stopped)?
            .send(job)
            .map_err(|_| writer_stopped())?;
        Ok(answer)
    }
}

impl Drop for Writer {
    /// Lets the writer finish what is queued and close its hold on the connection, so that the
    /// file is closed when the journal is dropped.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn write_until_closed(
    connection: &Mutex<Connection>,
    path: Option<PathBuf>,
    jobs: &mpsc::Receiver<Box<dyn Job>>,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter().take(MAX_BATCH - 1));
        {
            let connection = lock_connection(connection);
            write_batch(&connection, path.as_ref(), &mut batch);
        }
        // Answered after the lock is released: callers may read at once.
        for job in batch {
            job.answer();
        }
    }
}

/// Writes `batch` in one transaction, one savepoint per record. On return every job holds its
/// result; `Ok` only if the transaction committed.
fn write_batch(connection: &Connection, path: Option<&PathBuf>, batch: &mut [Box<dyn Job>]) {
    let fail_all = |batch: &mut [Box<dyn Job>], error: &rusqlite::Error| {
        for job in batch.iter_mut() {
            job.fail_unless_refused(database_error(
                path.map(PathBuf::as_path),
                copy_error(error),
            ));
        }
    };
    // IMMEDIATE: take the write lock now (waiting up to the busy timeout for the other program).
    if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
        fail_all(batch, &error);
        return;
    }
    for index in 0..batch.len() {
        if let Err(error) = connection.execute_batch("SAVEPOINT journal_record") {
            fail_all(batch, &error);
            rollback(connection);
            return;
        }
        let written = batch[index].write(connection);
        let closed = if written {
            connection.execute_batch("RELEASE journal_record")
        } else {
            connection.execute_batch("ROLLBACK TO journal_record; RELEASE journal_record")
        };
        if let Err(error) = closed {
            // The transaction itself is gone (SQLite rolls back on some I/O errors).
            fail_all(batch, &error);
            rollback(connection);
            return;
        }
        if connection.is_autocommit() {
            let error = rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_ABORT),
                Some("the journal's transaction was rolled back".into()),
            );
            fail_all(batch, &error);
            return;
        }
    }
    if let Err(error) = connection.execute_batch("COMMIT") {
        fail_all(batch, &error);
        rollback(connection);
    }
}

fn rollback(connection: &Connection) {
    if !connection.is_autocommit() {
        let _ = connection.execute_batch("ROLLBACK");
    }
}

/// One queued record, whatever it returns.
trait Job: Send {
    /// Runs the record's statements; false if they were refused.
    fn write(&mut self, connection: &Connection) -> bool;
    /// The batch failed: a record that was written (or not yet) gets `error`; one that was
    /// refused keeps its own error.
    fn fail_unless_refused(&mut self, error: Error);
    fn answer(self: Box<Self>);
}

struct Request<T> {
    write: Option<Write<T>>,
    result: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T: Send + 'static> Job for Request<T> {
    fn write(&mut self, connection: &Connection) -> bool {
        let Some(write) = self.write.take() else {
            return false;
        };
        let result = write(connection);
        let written = result.is_ok();
        self.result = Some(result);
        written
    }

    fn fail_unless_refused(&mut self, error: Error) {
        if !matches!(self.result, Some(Err(_))) {
            self.write = None;
            self.result = Some(Err(error));
        }
    }

    fn answer(self: Box<Self>) {
        let result = self.result.unwrap_or_else(|| Err(writer_stopped()));
        // A caller that stopped waiting (a dropped future) needs no answer.
        let _ = self.reply.send(result);
    }
}

fn writer_stopped() -> Error {
    Error::Journal(rusqlite::Error::SqliteFailure(
        ffi::Error::new(ffi::SQLITE_ABORT),
        Some("the journal's writer stopped".into()),
    ))
}

/// The same error again, for every record of a failed batch (`rusqlite::Error` is not `Clone`).
fn copy_error(error: &rusqlite::Error) -> rusqlite::Error {
    match error {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

/// Writes `writes` as one batch on `connection` (the caller holds no transaction of its own
/// unless the test wants BEGIN to fail) and returns each record's answer, in order.
#[cfg(test)]
pub(super) fn write_one_batch<T: Send + 'static>(
    connection: &Connection,
    writes: Vec<Write<T>>,
) -> Vec<Result<T>> {
    let mut answers = Vec::new();
    let mut batch: Vec<Box<dyn Job>> = Vec::new();
    for write in writes {
        let (reply, answer) = oneshot::channel();
        answers.push(answer);
        batch.push(Box::new(Request {
            write: Some(write),
            result: None,
            reply,
        }));
    }
    write_batch(connection, None, &mut batch);
    for job in batch {
        job.answer();
    }
    answers
        .into_iter()
        .map(|mut answer| match answer.try_recv() {
            Ok(Some(result)) => result,
            _ => Err(writer_stopped()),
        })
        .collect()
}
